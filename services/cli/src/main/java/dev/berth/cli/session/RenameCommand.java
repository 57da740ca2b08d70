package dev.berth.cli.session;

import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.Json;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rename", description = "Give a session a new name (SPEC API-21).")
final class RenameCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(index = "0", paramLabel = "SESSION", description = "The session's id.")
    String sessionId;
    @Parameters(index = "1", paramLabel = "NAME", description = "Its new name.")
    String name;

    @Override
    public Integer call() throws InterruptedException {
        format.print(spec.commandLine().getOut(),
                Berth.of(spec).api().send("POST", Sessions.path(sessionId) + "/rename", Json.object().put("name", name)),
                answer -> Table.of("ID", "NAME", "STATUS").row(Cells.text(answer.path("sessionId")),
                        Cells.text(answer.path("sessionName")), Cells.text(answer.path("status"))));
        return 0;
    }
}
