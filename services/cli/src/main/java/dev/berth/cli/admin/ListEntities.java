package dev.berth.cli.admin;

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
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "A page of them, ordered by key.")
final class ListEntities implements Callable<Integer> {

    @Spec CommandSpec spec;
    @ParentCommand EntityCommand parent;
    @Mixin OutputFormat format;

    @Option(names = "--filter", paramLabel = "FIELD=VALUE", description = "Only those with this value, such as domain=default; repeatable.")
    Map<String, String> filters = new LinkedHashMap<>();
    @Option(names = "--limit", paramLabel = "N", description = "At most N (1 to 1000, default 100).")
    Integer limit;
    @Option(names = "--offset", paramLabel = "N", description = "Skip the first N.")
    Integer offset;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> query = new LinkedHashMap<>(filters);
        query.put("limit", limit == null ? null : limit.toString());
        query.put("offset", offset == null ? null : offset.toString());
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().get(Paths.withQuery(parent.entity.base(), query)),
                page -> parent.entity.table(page.path("items")));
        return 0;
    }
}
