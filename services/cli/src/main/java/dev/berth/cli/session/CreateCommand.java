package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.Json;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Table;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code POST /v1/sessions} from flags (SPEC API-01), and with --wait until the session runs or, for a batch session, ended. */
@Command(name = "create", description = "Create a session; with --wait, wait until it is RUNNING (a batch one: until it ended)"
        + " or TERMINATED, CANCELLED or ERROR.")
final class CreateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Option(names = "--name", required = true, description = "4 to 64 letters, digits, '_', '.' or '-'.")
    String name;
    @Option(names = "--image", required = true, description = "The image, such as python:3.12.")
    String image;
    @Option(names = "--type", paramLabel = "TYPE", description = "interactive (the default), batch or inference.")
    String type;
    @Option(names = "--command", description = "What the session runs (/bin/sh -c); a batch session ends when it exits.")
    String command;
    @Option(names = "--cpu", paramLabel = "CORES", description = "CPU cores, such as 0.5.")
    String cpu;
    @Option(names = "--mem", paramLabel = "SIZE", description = "Memory, such as 256m or 2g.")
    String mem;
    @Option(names = "--resources", paramLabel = "SLOT=VALUE", split = ",", description = "Any slot, such as cuda.shares=0.5; repeatable.")
    Map<String, String> resources = new LinkedHashMap<>();
    @Option(names = "--preset", description = "A resource preset for the slots not given.")
    String preset;
    @Option(names = "--scaling-group", paramLabel = "GROUP")
    String scalingGroup;
    @Option(names = "--cluster-size", paramLabel = "N", description = "Kernels in the session (default 1).")
    Integer clusterSize;
    @Option(names = "--cluster-mode", paramLabel = "MODE", description = "single-node (the default) or multi-node.")
    String clusterMode;
    @Option(names = "--depends-on", paramLabel = "SESSION", split = ",", description = "A session id this one waits for; repeatable.")
    List<String> dependsOn = new ArrayList<>();
    @Option(names = "--starts-at", paramLabel = "TIME", description = "When a batch session may start, ISO-8601 such as 2026-12-01T08:00:00Z.")
    String startsAt;
    @Option(names = "--callback-url", paramLabel = "URL", description = "Where Berth posts the session's lifecycle events.")
    String callbackUrl;
    @Option(names = "--owner", paramLabel = "ACCESS_KEY", description = "Create it for this keypair (admins, SPEC API-10).")
    String owner;
    @Option(names = "--wait", description = "Wait, showing each status change on stderr; exit 1 if the session is CANCELLED, "
            + "ERROR or its batch command failed.")
    boolean waitForSession;

    @Override
    public Integer call() throws InterruptedException {
        Berth berth = Berth.of(spec);
        PrintWriter out = spec.commandLine().getOut();
        Instant start = berth.clock().instant();
        JsonNode created = berth.api().send("POST", "/v1/sessions", body());
        if (!waitForSession) {
            format.print(out, created, answer -> Table.of("ID", "NAME", "STATUS").row(Cells.text(answer.path("sessionId")),
                    Cells.text(answer.path("sessionName")), Cells.text(answer.path("status"))));
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, berth.stderrIsTerminal(), berth.clock(), start);
        SessionChange settled = new StatusPolling(berth.api(), progress::pause).follow(created.path("sessionId").asText(), null, change -> {
            progress.changed(change);
            return !Sessions.settled(change.session());
        });
        progress.done();
        JsonNode session = settled.session();
        format.print(out, session, answer -> SessionTable.one(answer, berth.clock().instant()));
        if (!Sessions.failed(session)) return 0;
        err.println("berth: " + Sessions.outcome(session));
        err.flush();
        return 1;
    }

    /** The create body: flags under the API's field names (RequestValidation), only those given. */
    ObjectNode body() {
        ObjectNode body = Json.object().put("name", name).put("image", image);
        text(body, "type", type);
        text(body, "command", command);
        ObjectNode slots = slots();
        if (!slots.isEmpty()) body.set("resources", slots);
        text(body, "preset", preset);
        text(body, "scalingGroup", scalingGroup);
        if (clusterSize != null) body.put("clusterSize", clusterSize);
        text(body, "clusterMode", clusterMode);
        if (!dependsOn.isEmpty()) dependsOn.forEach(body.putArray("dependencies")::add);
        text(body, "startsAt", startsAt);
        text(body, "callbackUrl", callbackUrl);
        text(body, "ownerAccessKey", owner);
        return body;
    }

    /** --cpu and --mem, then --resources; numbers go as numbers, sizes such as 256m as text, as the API takes both. */
    private ObjectNode slots() {
        ObjectNode slots = Json.object();
        if (cpu != null) slots.set("cpu", Json.value(cpu));
        if (mem != null) slots.set("mem", Json.value(mem));
        resources.forEach((slot, amount) -> {
            if (slots.has(slot)) {
                throw new ParameterException(spec.commandLine(), "--resources " + slot + "=" + amount + " names a slot --" + slot
                        + " already gives; give one of them");
            }
            slots.set(slot, Json.value(amount));
        });
        return slots;
    }

    private static void text(ObjectNode body, String field, String value) {
        if (value != null) body.put(field, value);
    }
}
