package dev.berth.cli.session;

import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import dev.berth.cli.Table;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code DELETE /v1/sessions/{id}}: the session ends (SPEC API-12/14); the status shown is the one before it does. */
@Command(name = "rm", description = "Destroy a session: a pending one is cancelled, a running one terminated.")
final class RmCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "SESSION", description = "The session's id.")
    String sessionId;
    @Option(names = "--force", description = "Also a session that is SCHEDULED, PREPARING, TERMINATING or ERROR.")
    boolean force;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("forced", force ? "true" : null);
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().send("DELETE", Paths.withQuery(Sessions.path(sessionId), query), null),
                answer -> Table.of("ID", "STATUS").row(Cells.text(answer.path("sessionId")), Cells.text(answer.path("status"))));
        return 0;
    }
}
