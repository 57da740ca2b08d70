package dev.berth.cli.admin;

import dev.berth.cli.Berth;
import dev.berth.cli.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "update", description = "Change the fields given (PATCH).")
final class UpdateEntity implements Callable<Integer> {

    @Spec CommandSpec spec;
    @ParentCommand EntityCommand parent;
    @Mixin BodyOptions body;

    @Parameters(paramLabel = "KEY", description = EntityCommand.KEY)
    String key;

    @Override
    public Integer call() throws InterruptedException {
        body.print(spec.commandLine().getOut(),
                Berth.of(spec).api().send("PATCH", parent.entity.base() + "/" + Paths.segment(key), body.body(spec)));
        return 0;
    }
}
