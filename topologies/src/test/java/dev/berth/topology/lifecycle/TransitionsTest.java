package dev.berth.topology.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SessionStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC SES-17 transcribed by hand into two matrices (x = allowed, . = forbidden), one test per edge.
 * Rows are "from" in enum order; column i is the status of row i. The tables are the SPEC's, not the main code's.
 */
@DisplayName("Transitions: the SES-17 maps, SES-22 and dead statuses")
class TransitionsTest {

    private static final String KERNEL_MAP = """
            from \\ to    PEN SCH PRE BLD PUL RUN RST RSZ SUS TRG TRD ERR CAN
            PENDING        .   x   x   x   x   x   x   x   x   x   .   x   x
            SCHEDULED      .   .   x   x   x   x   x   x   x   x   .   x   x
            PREPARING      .   .   .   x   x   x   x   x   x   x   .   x   x
            BUILDING       .   .   x   .   x   x   x   x   x   x   .   x   x
            PULLING        .   .   x   x   .   x   x   x   x   x   .   x   x
            RUNNING        .   .   .   .   .   .   x   x   .   x   x   x   .
            RESTARTING     .   .   x   x   x   x   .   x   x   x   .   x   x
            RESIZING       .   .   x   x   x   x   x   .   x   x   .   x   x
            SUSPENDED      .   .   x   x   x   x   x   x   .   x   .   x   x
            TERMINATING    .   .   .   .   .   .   .   .   .   .   x   x   .
            TERMINATED     .   .   .   .   .   .   .   .   .   .   .   .   .
            ERROR          .   .   .   .   .   .   .   .   .   .   .   .   .
            CANCELLED      .   .   .   .   .   .   .   .   .   .   .   .   .
            """;

    private static final String SESSION_MAP = """
            from \\ to    PEN SCH PUL PRE RUN RST TRG TRD ERR CAN
            PENDING        .   x   .   .   .   .   x   x   x   x
            SCHEDULED      .   .   x   x   .   .   .   x   x   x
            PULLING        .   .   .   x   x   .   .   x   x   x
            PREPARING      .   .   x   .   x   .   x   x   x   x
            RUNNING        .   .   .   .   .   x   x   x   x   .
            RESTARTING     .   .   .   .   x   .   x   x   x   .
            TERMINATING    .   .   .   .   .   .   .   x   x   .
            TERMINATED     .   .   .   .   .   .   .   .   .   .
            ERROR          .   .   .   .   .   .   .   x   .   .
            CANCELLED      .   .   .   .   .   .   .   .   .   .
            """;

    record Edge<S extends Enum<S>>(S from, S to, boolean allowed) {
        @Override
        public String toString() {
            return from + " → " + to;
        }
    }

    static Stream<Edge<KernelStatus>> kernelAllowed() {
        return edges(KERNEL_MAP, KernelStatus.class).filter(Edge::allowed);
    }

    static Stream<Edge<KernelStatus>> kernelForbidden() {
        return edges(KERNEL_MAP, KernelStatus.class).filter(edge -> !edge.allowed());
    }

    static Stream<Edge<SessionStatus>> sessionAllowed() {
        return edges(SESSION_MAP, SessionStatus.class).filter(Edge::allowed);
    }

    static Stream<Edge<SessionStatus>> sessionForbidden() {
        return edges(SESSION_MAP, SessionStatus.class).filter(edge -> !edge.allowed());
    }

    @ParameterizedTest(name = "kernel {0} is allowed")
    @MethodSource("kernelAllowed")
    @DisplayName("SES-17 kernel map: allowed edges")
    void kernelEdgeAllowed(Edge<KernelStatus> edge) {
        assertTrue(Transitions.allowed(edge.from(), edge.to()));
    }

    @ParameterizedTest(name = "kernel {0} is forbidden")
    @MethodSource("kernelForbidden")
    @DisplayName("SES-17 kernel map: forbidden edges")
    void kernelEdgeForbidden(Edge<KernelStatus> edge) {
        assertFalse(Transitions.allowed(edge.from(), edge.to()));
    }

    @ParameterizedTest(name = "session {0} is allowed")
    @MethodSource("sessionAllowed")
    @DisplayName("SES-17 session map: allowed edges")
    void sessionEdgeAllowed(Edge<SessionStatus> edge) {
        assertTrue(Transitions.allowed(edge.from(), edge.to()));
    }

    @ParameterizedTest(name = "session {0} is forbidden")
    @MethodSource("sessionForbidden")
    @DisplayName("SES-17 session map: forbidden edges")
    void sessionEdgeForbidden(Edge<SessionStatus> edge) {
        assertFalse(Transitions.allowed(edge.from(), edge.to()));
    }

    @Test
    @DisplayName("the transcribed tables cover every pair of statuses (a new status breaks this test)")
    void tablesAreComplete() {
        assertEquals(13 * 13, edges(KERNEL_MAP, KernelStatus.class).count());
        assertEquals(10 * 10, edges(SESSION_MAP, SessionStatus.class).count());
        // spot checks against the SPEC's prose, in case a row was shifted while typing the table
        assertEquals(5, kernelAllowed().filter(edge -> edge.from() == KernelStatus.RUNNING).count());
        assertEquals(0, sessionAllowed().filter(edge -> edge.from() == SessionStatus.PULLING
                && edge.to() == SessionStatus.TERMINATING).count());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KernelStatus.class)
    @DisplayName("SES-22 a kernel may be marked terminated from every status but CANCELLED, TERMINATED and RESTARTING")
    void mayMarkTerminated(KernelStatus from) {
        boolean expected = !EnumSet.of(KernelStatus.CANCELLED, KernelStatus.TERMINATED, KernelStatus.RESTARTING).contains(from);
        assertEquals(expected, Transitions.mayMarkTerminated(from));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SessionStatus.class)
    @DisplayName("SES-09 dead sessions are exactly TERMINATED and CANCELLED (ERROR is not dead: it may still be terminated)")
    void isTerminal(SessionStatus status) {
        Set<SessionStatus> dead = EnumSet.of(SessionStatus.TERMINATED, SessionStatus.CANCELLED);
        assertEquals(dead.contains(status), Transitions.isTerminal(status));
    }

    /** Every (from, to) pair of the enum with the table's verdict; fails if the table's rows are not the enum in order. */
    private static <S extends Enum<S>> Stream<Edge<S>> edges(String table, Class<S> type) {
        S[] statuses = type.getEnumConstants();
        Function<String, S> parse = name -> Enum.valueOf(type, name);
        List<String> rows = table.lines().skip(1).filter(line -> !line.isBlank()).toList();
        assertEquals(Arrays.asList(statuses), rows.stream().map(row -> parse.apply(row.split("\\s+")[0])).toList(),
                "the table's rows must be " + type.getSimpleName() + " in declaration order");
        List<Edge<S>> edges = new ArrayList<>();
        Map<String, Boolean> cells = Map.of("x", true, ".", false);
        for (String row : rows) {
            String[] tokens = row.trim().split("\\s+");
            assertEquals(statuses.length + 1, tokens.length, "row " + row);
            S from = parse.apply(tokens[0]);
            for (int column = 0; column < statuses.length; column++) {
                edges.add(new Edge<>(from, statuses[column], cells.get(tokens[column + 1])));
            }
        }
        return edges.stream();
    }
}
