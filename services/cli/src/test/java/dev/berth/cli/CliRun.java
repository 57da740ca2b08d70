package dev.berth.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One command line run in this JVM, as {@code main} runs it, with what it printed on stdout and stderr. */
public record CliRun(int exit, String out, String err) {

    public static CliRun of(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Berth.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
