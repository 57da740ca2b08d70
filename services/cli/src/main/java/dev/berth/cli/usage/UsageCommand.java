package dev.berth.cli.usage;

import dev.berth.cli.Berth;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code GET /v1/usage}: what one owner held and used in a UTC month, day by day (SPEC USG). */
@Command(name = "usage", description = "A month's usage of a project, user or domain (your own user when none is named): totals and days.")
public final class UsageCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @ArgGroup(exclusive = true)
    Owner owner = new Owner();

    @Option(names = "--month", paramLabel = "YYYY-MM", converter = MonthConverter.class, description = "The month, UTC (default: this one).")
    YearMonth month;

    /** One owner at most: the API answers for one. */
    static final class Owner {
        @Option(names = "--project", paramLabel = "PROJECT") String project;
        @Option(names = "--user", paramLabel = "USER_ID") String user;
        @Option(names = "--domain", paramLabel = "DOMAIN") String domain;
    }

    static final class MonthConverter implements ITypeConverter<YearMonth> {
        @Override
        public YearMonth convert(String value) {
            try {
                return YearMonth.parse(value);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("a month such as 2026-11, got '" + value + "'");
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("project", owner.project);
        query.put("user", owner.user);
        query.put("domain", owner.domain);
        query.put("month", month == null ? null : month.toString());
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().get(Paths.withQuery("/v1/usage", query)), UsageTable::of);
        return 0;
    }
}
