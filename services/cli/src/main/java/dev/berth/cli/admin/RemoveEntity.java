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

@Command(name = "rm", description = "Deactivate one; resource policies and presets are deleted, refused while in use.")
final class RemoveEntity implements Callable<Integer> {

    @Spec CommandSpec spec;
    @ParentCommand EntityCommand parent;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "KEY", description = EntityCommand.KEY)
    String key;

    @Override
    public Integer call() throws InterruptedException {
        format.print(spec.commandLine().getOut(),
                Berth.of(spec).api().send("DELETE", parent.entity.base() + "/" + Paths.segment(key), null), Table::fields);
        return 0;
    }
}
