package dev.berth.launcher;

import dev.berth.common.Env;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code berth up [--instances N]}: the whole stack in this process until it is told to stop, or,
 * with more than one instance (also BERTH_INSTANCES), a broker here and N instances as child
 * processes ({@link Cluster}).
 */
public final class BerthMain {

    private BerthMain() {}

    public static void main(String[] args) throws Exception {
        Env env = Env.system();
        int instances = instances(args, env);
        long began = System.nanoTime();
        AutoCloseable running;
        String summary;
        if (instances == 1) {
            Stack stack = Stack.start(env, step -> System.out.println("berth: " + step));
            running = stack;
            summary = """
                      api      http://127.0.0.1:%d   (health: /v1/health, metrics: /metrics)
                      kafka    %s
                      agent    %s (%s runtime: %s)
                    """.formatted(stack.apiPort(), stack.kafkaBootstrap(), stack.agentId(), stack.runtime().runtime(), stack.runtime().reason());
        } else {
            Cluster cluster = Cluster.start(System.getenv(), instances, step -> System.out.println("berth: " + step));
            running = cluster;
            StringBuilder lines = new StringBuilder();
            for (Cluster.Member member : cluster.members()) {
                lines.append("  %-8s http://127.0.0.1:%d   agent %s, pid %d%n".formatted(member.instanceId(), member.apiPort(),
                        member.agentId(), member.process().pid()));
            }
            lines.append("  kafka    %s%n  runtime  %s: %s%n".formatted(cluster.kafkaBootstrap(), cluster.runtime().runtime(), cluster.runtime().reason()));
            summary = lines.toString();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("berth-shutdown").unstarted(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("berth: while stopping: " + e);
            }
            stopped.countDown();
        }));
        System.out.printf("berth: up in %.1f s (%d instance%s)%n%s  stop     Ctrl-C, or ./berth down%n",
                (System.nanoTime() - began) / 1e9, instances, instances == 1 ? "" : "s", summary);
        stopped.await();
    }

    /** {@code --instances N} (or {@code --instances=N}), else BERTH_INSTANCES, else 1. */
    static int instances(String[] args, Env env) {
        int instances = env.integer("BERTH_INSTANCES", 1, 1, 64);
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--instances")) {
                if (i + 1 == args.length) throw new IllegalArgumentException("--instances needs a number");
                value = args[++i];
            } else if (args[i].startsWith("--instances=")) {
                value = args[i].substring("--instances=".length());
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + " (berth up takes --instances N)");
            }
            instances = new Env(Map.of("--instances", value)).integer("--instances", 1, 1, 64);
        }
        return instances;
    }
}
