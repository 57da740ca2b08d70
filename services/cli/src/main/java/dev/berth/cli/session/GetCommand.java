package dev.berth.cli.session;

import dev.berth.cli.Berth;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", description = "One session, field by field.")
final class GetCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "SESSION", description = "The session's id.")
    String sessionId;

    @Override
    public Integer call() throws InterruptedException {
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().get(Sessions.path(sessionId)), Table::fields);
        return 0;
    }
}
