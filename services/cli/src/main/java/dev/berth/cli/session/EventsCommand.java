package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.ApiClient;
import dev.berth.cli.ApiProblem;
import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.Json;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Table;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A session's life: its status history, or with -f its events as they happen, from the event
 * stream where the API has one and by polling the session where it answers 404 url-not-found.
 * Following ends once the session ended (TERMINATED, CANCELLED or ERROR).
 */
@Command(name = "events", description = "A session's status history; -f follows its events as they happen, until it ended.")
final class EventsCommand implements Callable<Integer> {

    private static final String URL_NOT_FOUND = "url-not-found";

    @Spec CommandSpec spec;
    @Mixin OutputFormat format;

    @Parameters(paramLabel = "SESSION", description = "The session's id.")
    String sessionId;
    @Option(names = {"-f", "--follow"}, description = "Follow the session's events (GET /v1/events/sessions) until it ended.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        ApiClient api = Berth.of(spec).api();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonNode session = api.get(Sessions.path(sessionId));
        if (!follow) {
            format.print(out, session.path("statusHistory"), EventsCommand::history);
            return 0;
        }
        if (!format.json()) out.println(SessionChange.HEADER);
        Predicate<SessionChange> show = change -> {
            out.println(format.json() ? Json.pretty(change.json()) : change.line());
            out.flush();
            return !change.ended();
        };
        SessionChange current = SessionChange.polled(session);
        // an ended session has nothing more to say; the stream would stay open with nothing on it
        if (!show.test(current)) return 0;
        try {
            new EventStream(api, err).follow(sessionId, show);
        } catch (ApiProblem problem) {
            if (!URL_NOT_FOUND.equals(problem.problem().kind())) throw problem;
            err.println("berth: this API has no event stream (GET " + EventStream.PATH + " answered 404 " + URL_NOT_FOUND
                    + "); following status changes by polling GET " + Sessions.path(sessionId) + " instead");
            err.flush();
            new StatusPolling(api, length -> Thread.sleep(length.toMillis())).follow(sessionId, current.status(), show);
        }
        return 0;
    }

    /** SES-11: each status with when it was last entered, in the order the server gives (the order they were entered). */
    static Table history(JsonNode statusHistory) {
        Table table = Table.of("AT", "STATUS");
        for (Map.Entry<String, JsonNode> entry : statusHistory.properties()) table.row(Cells.text(entry.getValue()), entry.getKey());
        return table;
    }
}
