package dev.berth.launcher;

import dev.berth.common.Env;
import java.util.concurrent.CountDownLatch;

/** {@code berth up}: the whole stack in this process until it is told to stop. */
public final class BerthMain {

    private BerthMain() {}

    public static void main(String[] args) throws Exception {
        long began = System.nanoTime();
        Stack stack = Stack.start(Env.system(), step -> System.out.println("berth: " + step));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("berth-shutdown").unstarted(() -> {
            stack.close();
            stopped.countDown();
        }));
        System.out.printf("""
                berth: up in %.1f s
                  api      http://127.0.0.1:%d   (health: /v1/health, metrics: /metrics)
                  kafka    %s
                  agent    %s (%s runtime: %s)
                  stop     Ctrl-C, or ./berth down
                """, (System.nanoTime() - began) / 1e9, stack.apiPort(), stack.kafkaBootstrap(), stack.agentId(),
                stack.runtime().runtime(), stack.runtime().reason());
        stopped.await();
    }
}
