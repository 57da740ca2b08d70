package dev.berth.launcher;

import dev.berth.common.Env;
import java.io.IOException;
import java.io.InputStream;

/**
 * One instance of {@code berth up --instances N}, a child process of the launcher ({@link Cluster}):
 * the whole stack but the broker, named by BERTH_KAFKA_BOOTSTRAP. It tells the launcher it is up with
 * one line on stdout ({@link #READY}), and stops when told to (SIGTERM) or when its standard input
 * ends, which is when the launcher is gone, even by kill -9: an instance never outlives its launcher.
 */
public final class InstanceMain {

    /** The line's prefix; the API port and the agent id follow, separated by spaces. */
    static final String READY = "berth-instance-ready";

    private InstanceMain() {}

    public static void main(String[] args) throws Exception {
        Stack stack = Stack.start(Env.system(), step -> System.out.println("berth: " + step));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("berth-instance-shutdown").unstarted(stack::close));
        System.out.println(READY + " " + stack.apiPort() + " " + stack.agentId());
        System.out.flush();
        waitForEndOfInput(System.in);
        System.exit(0);
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] discard = new byte[256];
        try {
            while (in.read(discard) >= 0) {
                // the launcher writes nothing; reading only waits for the pipe to close
            }
        } catch (IOException e) {
            // a broken pipe is an end too
        }
    }
}
