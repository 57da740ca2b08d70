package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.kernelEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each group's agent fits one session at a time, so the order sessions run in is the order its policy picks them. */
@DisplayName("RES-07/ALG-01 the scheduler a group names on config.scaling-groups decides the order its queue is placed in")
class GroupSchedulerConfigTest {

    @TempDir Path stateDir;
    private SchedulerHarness h;

    @BeforeEach
    void start() {
        h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS, PlacementOptions.DEFAULTS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    @DisplayName("ALG-03/04 a lifo group places its newest waiting session first, a fifo group its oldest")
    void lifoAndFifoGroups() {
        h.groups.pipeInput("newest-first", ScalingGroupConfig.newBuilder().setName("newest-first").setScheduler("lifo").build(), 0);
        h.groups.pipeInput("oldest-first", ScalingGroupConfig.newBuilder().setName("oldest-first").setScheduler("fifo").build(), 0);
        for (String group : List.of("newest-first", "oldest-first")) {
            for (int i = 1; i <= 3; i++) {
                h.at(1_000 * i);
                String id = group + "-" + i;
                SessionSpec spec = Fixtures.spec(id, 4_000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE);
                spec.setScalingGroup(group);
                h.requests.pipeInput(id, Fixtures.create(id, spec, h.now()), h.now());
            }
        }
        h.at(h.now() + 5);

        assertEquals(List.of("newest-first-3", "newest-first-2", "newest-first-1"), runOneByOne("newest-first"));
        assertEquals(List.of("oldest-first-1", "oldest-first-2", "oldest-first-3"), runOneByOne("oldest-first"));
    }

    /** An agent that fits one session joins the group; each placed session runs to its end, which makes room for the next. */
    private List<String> runOneByOne(String group) {
        String agent = group + "-agent";
        h.heartbeats.pipeInput(agent, AgentHeartbeat.newBuilder(Fixtures.heartbeat(agent, 4_000, 8 * GIB, h.now())).setScalingGroup(group).build(), h.now());
        h.at(h.now() + 5);
        List<String> order = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            String placed = List.of(1, 2, 3).stream().map(i -> group + "-" + i)
                    .filter(id -> h.last(id).getSession().getStatus() == SessionStatus.SCHEDULED)
                    .findFirst().orElseThrow(() -> new AssertionError("nothing placed in " + group + " after " + order));
            order.add(placed);
            h.kernelEvents.pipeInput(placed, kernelEvent(placed, 0, agent, KernelEventKind.STARTED, null, null, h.now()), h.now());
            h.kernelEvents.pipeInput(placed, kernelEvent(placed, 0, agent, KernelEventKind.TERMINATED, 0, "self-terminated", h.now()), h.now());
            h.at(h.now() + 5);
        }
        return order;
    }
}
