package dev.berth.cli;

import dev.berth.cli.admin.AdminCommand;
import dev.berth.cli.session.IdleChecksCommand;
import dev.berth.cli.session.SessionCommand;
import dev.berth.cli.usage.UsageCommand;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The {@code berth} command line: sessions, the admin API, usage and idle checks, through the signed
 * HTTP API. Exit status 0 when done, 1 when the API refused (its problem's {@code title: detail} on
 * stderr) or could not be reached, 2 for a usage error.
 */
@Command(name = "berth",
        description = "Berth's command-line client: sessions, the admin API, usage and idle checks, signed with a keypair.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SessionCommand.class, AdminCommand.class, UsageCommand.class, IdleChecksCommand.class},
        footer = {"", "Tables by default, the server's JSON with --json. Exit status: 0 done, 1 the API refused or could not be reached,"
                + " 2 a usage error.", "./berth also runs up, down, test, status, curl and bench (see the script's header)."})
public final class Berth extends Group {

    @Option(names = "--api", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "The API's address (default: BERTH_API, else " + Connection.DEFAULT_API + ").")
    private String api;

    @Option(names = "--keypair", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The keypair file to sign with (default: BERTH_KEYPAIR, else $BERTH_STATE_DIR/keypair.json, which ./berth up writes).")
    private Path keypair;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
    private boolean help;

    private final Map<String, String> env;
    private final Clock clock = Clock.systemUTC();
    private ApiClient client;

    private Berth(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        System.exit(execute(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with these settings and writers; what {@code main} and the tests call. */
    public static int execute(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        Berth berth = new Berth(env);
        CommandLine cli = new CommandLine(berth);
        AdminCommand.addEntities(cli.getSubcommands().get("admin"));
        // "--json @body.json" names a body file, as for curl; picocli would read it as more arguments
        cli.setExpandAtFiles(false).setOut(out).setErr(err)
                .setParameterExceptionHandler((problem, given) -> usageError(problem, err))
                .setExecutionExceptionHandler((failure, command, parsed) -> {
                    if (!(failure instanceof CliFailure)) throw failure;
                    err.println("berth: " + failure.getMessage());
                    err.flush();
                    return 1;
                });
        try {
            return cli.execute(args);
        } finally {
            // a caller running many command lines in one JVM (the tests) keeps no client threads behind
            if (berth.client != null) berth.client.close();
        }
    }

    /** The settings and the API client of the command line {@code spec} belongs to. */
    public static Berth of(CommandSpec spec) {
        return (Berth) spec.root().userObject();
    }

    /** The client, made on first use: commands that fail on their arguments never read the keypair. */
    public ApiClient api() {
        if (client != null) return client;
        Connection connection;
        try {
            connection = Connection.resolve(api, keypair, env);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        client = new ApiClient(connection.api(), readKeypair(connection.keypairFile()), clock);
        return client;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Whether stderr is a terminal, for the spinner. Java cannot tell on its own before JDK 22
     * ({@code Console.isTerminal}), so {@code ./berth} says it: it sets BERTH_STDERR_TTY=1 after {@code [ -t 2 ]}.
     */
    public boolean stderrIsTerminal() {
        return "1".equals(env.get("BERTH_STDERR_TTY"));
    }

    private static Keys.Keypair readKeypair(Path file) {
        Optional<Keys.Keypair> found;
        try {
            found = KeypairFile.read(file);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: a file that is not JSON
            throw new CliFailure("cannot read the keypair file " + file + ": " + e.getMessage());
        }
        return found.orElseThrow(() -> new CliFailure("no keypair file at " + file
                + "; start the stack with ./berth up, or name one with --keypair FILE or BERTH_KEYPAIR"));
    }

    private static int usageError(ParameterException problem, PrintWriter err) {
        err.println("berth: " + problem.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(problem, err);
        err.println("Try '" + problem.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }
}
