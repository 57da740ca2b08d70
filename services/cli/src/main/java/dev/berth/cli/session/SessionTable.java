package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Cells;
import dev.berth.cli.Durations;
import dev.berth.cli.Table;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Sessions as the CLI lists them: ID NAME STATUS TYPE AGE, the age counted from creation to {@code now}. */
final class SessionTable {

    private SessionTable() {}

    static Table of(Iterable<JsonNode> sessions, Instant now) {
        Table table = Table.of("ID", "NAME", "STATUS", "TYPE", "AGE");
        for (JsonNode session : sessions) {
            table.row(Cells.text(session.path("sessionId")), Cells.text(session.path("name")), Cells.text(session.path("status")),
                    Cells.text(session.path("type")), age(session.path("createdAt"), now));
        }
        return table;
    }

    static Table one(JsonNode session, Instant now) {
        return of(List.of(session), now);
    }

    private static String age(JsonNode createdAt, Instant now) {
        if (!createdAt.isTextual()) return Cells.NOTHING;
        try {
            return Durations.age(Duration.between(Instant.parse(createdAt.asText()), now));
        } catch (DateTimeParseException e) {
            return Cells.NOTHING;
        }
    }
}
