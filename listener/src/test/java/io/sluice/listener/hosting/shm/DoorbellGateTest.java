package io.sluice.listener.hosting.shm;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Doorbell admission with an injected clock: one connection waits for its token per slot, until its deadline.
 */
class DoorbellGateTest
{
    private final EmbeddedChannel first = new EmbeddedChannel();
    private final EmbeddedChannel second = new EmbeddedChannel();

    @Test
    void shouldAdmitOneWaitingConnectionAtATime()
    {
        final DoorbellGate gate = new DoorbellGate(30_000);

        assertTrue(gate.admit(first, 0, false));
        assertFalse(gate.admit(second, 0, false), "a second token-less connection is refused");
        assertTrue(gate.isWaiting(first));
        assertFalse(gate.isWaiting(second));

        gate.release(second);
        assertTrue(gate.isWaiting(first), "releasing a refused connection frees nothing");
        gate.release(first);
        assertTrue(gate.admit(second, 5, false), "another may wait once the first sent its token or closed");
    }

    @Test
    void shouldRefuseEveryConnectionWhileAWorkerIsAttached()
    {
        final DoorbellGate gate = new DoorbellGate(30_000);

        assertFalse(gate.admit(first, 0, true));
        assertNull(gate.expire(Long.MAX_VALUE / 2));
    }

    @Test
    void shouldExpireAWaitingConnectionAtItsDeadline()
    {
        final DoorbellGate gate = new DoorbellGate(30_000);
        assertEquals(DoorbellGate.TOKEN_DEADLINE_MS, gate.deadlineMs());
        assertTrue(gate.admit(first, 100, false));

        assertNull(gate.expire(100 + DoorbellGate.TOKEN_DEADLINE_MS - 1));
        assertSame(first, gate.expire(100 + DoorbellGate.TOKEN_DEADLINE_MS));
        assertFalse(gate.isWaiting(first));
        assertNull(gate.expire(100 + DoorbellGate.TOKEN_DEADLINE_MS), "expired once");
        assertTrue(gate.admit(second, 100 + DoorbellGate.TOKEN_DEADLINE_MS, false), "the slot is free again");
    }

    @Test
    void shouldNeverWaitLongerThanTheStartupTimeLimit()
    {
        final DoorbellGate gate = new DoorbellGate(200);
        assertEquals(200, gate.deadlineMs());
        assertTrue(gate.admit(first, 0, false));
        assertNull(gate.expire(199));
        assertSame(first, gate.expire(200));
    }
}
