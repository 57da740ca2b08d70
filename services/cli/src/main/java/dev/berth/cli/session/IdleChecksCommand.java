package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.Durations;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Table;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code GET /v1/sessions/{id}/idle-checks} (SPEC IDL-20): each enabled checker and the time it leaves the session. */
@Command(name = "idle-checks", description = "What the idle checks say of a session: each enabled checker's time left.")
public final class IdleChecksCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "SESSION", description = "The session's id.")
    String sessionId;

    @Override
    public Integer call() throws InterruptedException {
        JsonNode answer = Berth.of(spec).api().get(Sessions.path(sessionId) + "/idle-checks");
        format.print(spec.commandLine().getOut(), answer, IdleChecksCommand::table);
        if (!format.json() && answer.path("idleChecks").isEmpty()) {
            spec.commandLine().getErr().println("berth: no idle checker reports on this session (none enabled, or it is not RUNNING)");
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    static Table table(JsonNode answer) {
        Table table = Table.of("CHECKER", "REMAINING", "TYPE", "EXTRA");
        for (Map.Entry<String, JsonNode> check : answer.path("idleChecks").properties()) {
            JsonNode report = check.getValue();
            table.row(check.getKey(), remaining(report.path("remaining")), Cells.text(report.path("remaining_time_type")),
                    Cells.text(report.path("extra")));
        }
        return table;
    }

    /** Seconds left; -1 once it ran out, null when nothing limits the session. */
    static String remaining(JsonNode seconds) {
        if (!seconds.isNumber()) return "unlimited";
        if (seconds.asDouble() < 0) return "expired";
        return Durations.remaining(Duration.ofMillis(Math.round(seconds.asDouble() * 1000)));
    }
}
