package dev.berth.cli.session;

import dev.berth.cli.Berth;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "The sessions this keypair may see, newest first.")
final class ListCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Option(names = "--status", paramLabel = "STATUS[,STATUS]", description = "Only these statuses, such as RUNNING,PENDING.")
    String status;
    @Option(names = "--limit", paramLabel = "N", description = "At most N sessions (1 to 1000, default 100).")
    Integer limit;

    @Override
    public Integer call() throws InterruptedException {
        Berth berth = Berth.of(spec);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("status", status);
        query.put("limit", limit == null ? null : limit.toString());
        format.print(spec.commandLine().getOut(), berth.api().get(Paths.withQuery("/v1/sessions", query)),
                page -> SessionTable.of(page.path("items"), berth.clock().instant()));
        return 0;
    }
}
