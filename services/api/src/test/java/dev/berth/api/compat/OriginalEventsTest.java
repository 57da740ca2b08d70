package dev.berth.api.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.EventFanOut.Published;
import dev.berth.api.session.TestEvents;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OriginalEventsTest {

    private static final Principal ALICE = new Principal("AK1", "u-AK1", "a@example.org", "default", Role.USER, "default", 100);

    @Test
    @DisplayName("EVT-03 a start is kernel_started per kernel, then session_started, with the original's data fields")
    void started() {
        Session session = withKernels(TestEvents.session("s-1", "AK1", "default", "p", 3), SessionType.INTERACTIVE, SessionResult.UNDEFINED, null);
        List<OriginalEvents.Named> events = OriginalEvents.of(TestEvents.event(session, SessionEventKind.STARTED, "started"), OriginalEvents.Scope.ALL);
        assertEquals(List.of("kernel_started", "kernel_started", "session_started"), events.stream().map(OriginalEvents.Named::name).toList());
        assertEquals("k-2", events.get(1).data().getString("kernelId"));
        assertEquals("sub", events.get(1).data().getString("clusterRole"));
        assertEquals(1, events.get(1).data().getInteger("clusterIdx"));
        var data = events.get(2).data();
        assertEquals("s-1", data.getString("sessionId"));
        assertEquals("s-3", data.getString("sessionName"));
        assertEquals("AK1", data.getString("ownerAccessKey"));
        assertEquals("started", data.getString("reason"));
        assertTrue(data.containsKey("exitCode"));
    }

    @Test
    @DisplayName("EVT-03 a batch session's end is session_success or session_failure with its exit code, then session_terminated; scope limits the families")
    void batchEnd() {
        Session failed = withKernels(TestEvents.session("s-2", "AK1", "default", "p", 9), SessionType.BATCH, SessionResult.FAILURE, 3);
        var terminated = TestEvents.event(failed, SessionEventKind.TERMINATED, "self-terminated");
        assertEquals(List.of("session_failure", "session_terminated"),
                OriginalEvents.of(terminated, OriginalEvents.Scope.of("session")).stream().map(OriginalEvents.Named::name).toList());
        assertEquals(3, OriginalEvents.of(terminated, OriginalEvents.Scope.of("session")).getFirst().data().getInteger("exitCode"));
        assertEquals(List.of("kernel_terminated", "kernel_terminated"),
                OriginalEvents.of(terminated, OriginalEvents.Scope.of("kernel")).stream().map(OriginalEvents.Named::name).toList());
        Session succeeded = withKernels(TestEvents.session("s-3", "AK1", "default", "p", 9), SessionType.BATCH, SessionResult.SUCCESS, 0);
        assertEquals("session_success", OriginalEvents.of(TestEvents.event(succeeded, SessionEventKind.TERMINATED, null),
                OriginalEvents.Scope.of("session,kernel")).get(2).name());
    }

    @Test
    @DisplayName("events the original has no name for send nothing, and the last frame of an event carries the stream id")
    void renderAndSilence() {
        Session session = TestEvents.session("s-4", "AK1", "default", "p", 1);
        assertTrue(OriginalEvents.of(TestEvents.event(session, SessionEventKind.WAITING, null), OriginalEvents.Scope.ALL).isEmpty());
        assertEquals("", OriginalEvents.render("0-1", new Published(0, 1, TestEvents.event(session, SessionEventKind.RENAMED, null)), OriginalEvents.Scope.ALL));
        String text = OriginalEvents.render("0-2", new Published(0, 2, TestEvents.event(session, SessionEventKind.ENQUEUED, null)), OriginalEvents.Scope.ALL);
        assertTrue(text.startsWith("id: 0-2\nevent: session_enqueued\ndata: {"), text);
        assertTrue(text.endsWith("}\n\n"), text);
        assertNull(OriginalEvents.Scope.of("everything"));
    }

    @Test
    @DisplayName("API-25 query: sessionName or name, sessionId first, the caller's own key by default; a user naming another key is generic-forbidden")
    void params() {
        Session mine = TestEvents.session("5c1d2a5e-0000-4000-8000-000000000001", "AK1", "default", "p", 1);
        Session others = TestEvents.session("5c1d2a5e-0000-4000-8000-000000000002", "AK2", "default", "p", 1);
        EventParams byName = EventParams.of(Map.of("name", "s-1")::get, ALICE);
        assertTrue(byName.test(mine));
        assertTrue(!byName.test(others), "another owner's session of the same name");
        assertTrue(!EventParams.of(Map.of("sessionName", "s-2")::get, ALICE).test(mine));
        assertTrue(!EventParams.of(Map.of("group", "q")::get, ALICE).test(mine));
        assertTrue(EventParams.of(Map.of("group", "*", "sessionName", "*")::get, ALICE).test(mine));
        assertTrue(!EventParams.of(Map.of("sessionId", others.getSessionId(), "sessionName", "s-1")::get, ALICE).test(mine));
        assertEquals(ProblemKind.GENERIC_FORBIDDEN, assertThrows(ProblemException.class,
                () -> EventParams.of(Map.of("ownerAccessKey", "AK2")::get, ALICE)).kind());
        Principal admin = new Principal("AKADMIN", "u-admin", "admin@example.org", "default", Role.ADMIN, "default", 100);
        assertTrue(EventParams.of(Map.of("ownerAccessKey", "AK2")::get, admin).test(others));
        assertEquals(ProblemKind.INVALID_API_PARAMS, assertThrows(ProblemException.class,
                () -> EventParams.of(Map.of("scope", "agents")::get, ALICE)).kind());
        assertEquals(ProblemKind.INVALID_API_PARAMS, assertThrows(ProblemException.class,
                () -> EventParams.of(Map.of("sessionId", "nope")::get, ALICE)).kind());
    }

    private static Session withKernels(Session base, SessionType type, SessionResult result, Integer exitCode) {
        return Session.newBuilder(base)
                .setSpec(SessionSpec.newBuilder(base.getSpec()).setSessionType(type).setClusterSize(2).build())
                .setResult(result)
                .setKernels(List.of(
                        KernelInfo.newBuilder().setKernelId("k-1").setClusterRole("main").setClusterIdx(1).setClusterHostname("main1")
                                .setStatus(KernelStatus.RUNNING).setExitCode(exitCode).build(),
                        KernelInfo.newBuilder().setKernelId("k-2").setClusterRole("sub").setClusterIdx(1).setClusterHostname("sub1")
                                .setStatus(KernelStatus.RUNNING).build()))
                .build();
    }
}
