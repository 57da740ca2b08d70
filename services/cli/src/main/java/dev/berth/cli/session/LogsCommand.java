package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.ApiClient;
import dev.berth.cli.Berth;
import dev.berth.cli.Json;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code GET /v1/sessions/{id}/logs}: the main kernel's output as the agent last stored it. The API
 * has no log stream, so -f reads it again every second and prints what is new, until the session ended.
 */
@Command(name = "logs", description = "The session's output (its main kernel's last 64 KiB); -f follows it until the session ends.")
final class LogsCommand implements Callable<Integer> {

    static final Duration POLL = Duration.ofSeconds(1);

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "SESSION", description = "The session's id.")
    String sessionId;
    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines (1 to 10000).")
    Integer tail;
    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the session ended.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        if (follow && format.json()) throw new ParameterException(spec.commandLine(), "--json prints one answer; it does not go with -f");
        ApiClient api = Berth.of(spec).api();
        PrintWriter out = spec.commandLine().getOut();
        if (!follow) {
            JsonNode answer = api.get(path(tail));
            out.print(format.json() ? Json.pretty(answer) + "\n" : answer.path("logs").asText());
            out.flush();
            return 0;
        }
        String seen = null;
        boolean ended = false;
        while (true) {
            String text = api.get(path(null)).path("logs").asText();
            out.print(seen == null ? LogText.tail(text, tail) : LogText.fresh(seen, text));
            out.flush();
            seen = text;
            if (ended) return 0;
            // one read more after the session ended: the agent stores the last output as the kernel ends
            ended = Sessions.ENDED.contains(api.get(Sessions.path(sessionId)).path("status").asText());
            Thread.sleep(POLL.toMillis());
        }
    }

    private String path(Integer lines) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("tail", lines == null ? null : lines.toString());
        return Paths.withQuery(Sessions.path(sessionId) + "/logs", query);
    }
}
