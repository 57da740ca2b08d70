package dev.berth.cli.admin;

import dev.berth.cli.Berth;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import dev.berth.cli.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "get", description = "One of them, field by field.")
final class GetEntity implements Callable<Integer> {

    @Spec CommandSpec spec;
    @ParentCommand EntityCommand parent;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "KEY", description = EntityCommand.KEY)
    String key;

    @Override
    public Integer call() throws InterruptedException {
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().get(parent.entity.base() + "/" + Paths.segment(key)), Table::fields);
        return 0;
    }
}
