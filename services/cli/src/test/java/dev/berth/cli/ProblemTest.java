package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProblemTest {

    @Test
    @DisplayName("ERR-02 a problem document reads as 'title: detail', without the title's full stop")
    void problemDocument() {
        Problem problem = Problem.parse(404, """
                {"type":"https://api.backend.ai/probs/session-not-found","title":"No such session.","status":404,
                 "detail":"no session with id 0b9e"}""");
        assertEquals("No such session: no session with id 0b9e", problem.message());
        assertEquals("session-not-found", problem.kind());
        assertEquals(404, problem.status());
    }

    @Test
    @DisplayName("a problem without a detail is its title")
    void titleOnly() {
        assertEquals("Rate limit exceeded", Problem.parse(429, "{\"title\":\"Rate limit exceeded.\",\"status\":429}").message());
    }

    @Test
    @DisplayName("an answer that is no problem document (a proxy's page, nothing) is named by its HTTP status")
    void notAProblem() {
        Problem page = Problem.parse(502, "<html>\n<body>Bad Gateway</body></html>");
        assertEquals("HTTP 502: <html>", page.message());
        assertNull(page.kind());
        assertEquals("HTTP 500", Problem.parse(500, "").message());
        assertEquals("HTTP 400: [1,2]", Problem.parse(400, "[1,2]").message());
    }

    @Test
    @DisplayName("a type outside the problem base has no kind")
    void foreignType() {
        assertNull(Problem.parse(400, "{\"type\":\"about:blank\",\"title\":\"Bad\"}").kind());
    }
}
