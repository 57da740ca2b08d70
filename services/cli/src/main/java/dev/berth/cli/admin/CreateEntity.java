package dev.berth.cli.admin;

import dev.berth.cli.Berth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "create", description = "Create one; a user's answer holds its new keypair, a keypair's its secret key, shown only now.")
final class CreateEntity implements Callable<Integer> {

    @Spec CommandSpec spec;
    @ParentCommand EntityCommand parent;
    @Mixin BodyOptions body;

    @Override
    public Integer call() throws InterruptedException {
        body.print(spec.commandLine().getOut(), Berth.of(spec).api().send("POST", parent.entity.base(), body.body(spec)));
        return 0;
    }
}
