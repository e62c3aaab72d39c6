package io.sluice.listener.hosting.shm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hung-worker judgement from clock values the test chooses: stuck means awake, requests waiting and the heartbeat
 * unchanged, counted from the first look that found it so.
 */
class WorkerLivenessTest
{
    private static final long TIMEOUT_MS = 1_000;
    private static final long HEARTBEAT_MS = 1_700_000_000_000L;

    private final WorkerLiveness liveness = new WorkerLiveness();

    @Test
    void shouldFindAWorkerHungOnceItWasStuckForTheTimeoutFromTheFirstStuckLook()
    {
        liveness.attached(HEARTBEAT_MS);

        assertFalse(liveness.isHung(HEARTBEAT_MS, false, true, 5_000, TIMEOUT_MS), "first stuck look starts the count");
        assertFalse(liveness.isHung(HEARTBEAT_MS, false, true, 5_999, TIMEOUT_MS));
        assertTrue(liveness.isHung(HEARTBEAT_MS, false, true, 6_000, TIMEOUT_MS));
        assertTrue(liveness.isKillRequested());
    }

    @Test
    void shouldReportAHungWorkerOncePerStart()
    {
        liveness.attached(HEARTBEAT_MS);
        liveness.isHung(HEARTBEAT_MS, false, true, 0, TIMEOUT_MS);
        assertTrue(liveness.isHung(HEARTBEAT_MS, false, true, TIMEOUT_MS, TIMEOUT_MS));

        assertFalse(liveness.isHung(HEARTBEAT_MS, false, true, 10 * TIMEOUT_MS, TIMEOUT_MS), "already reported");

        liveness.exited();
        liveness.attached(HEARTBEAT_MS + 1);
        assertFalse(liveness.isKillRequested());
        assertFalse(liveness.isHung(HEARTBEAT_MS + 1, false, true, 20 * TIMEOUT_MS, TIMEOUT_MS));
        assertTrue(liveness.isHung(HEARTBEAT_MS + 1, false, true, 21 * TIMEOUT_MS, TIMEOUT_MS), "the next start");
    }

    @Test
    void shouldRestartTheCountWhenTheHeartbeatMoves()
    {
        liveness.attached(HEARTBEAT_MS);
        liveness.isHung(HEARTBEAT_MS, false, true, 0, TIMEOUT_MS);

        assertFalse(liveness.isHung(HEARTBEAT_MS + 10, false, true, 900, TIMEOUT_MS), "alive: it beat");
        assertFalse(liveness.isHung(HEARTBEAT_MS + 10, false, true, 1_000, TIMEOUT_MS), "stuck again from here");
        assertFalse(liveness.isHung(HEARTBEAT_MS + 10, false, true, 1_999, TIMEOUT_MS));
        assertTrue(liveness.isHung(HEARTBEAT_MS + 10, false, true, 2_000, TIMEOUT_MS));
    }

    @Test
    void shouldNeverFindASleepingOrIdleWorkerHung()
    {
        liveness.attached(HEARTBEAT_MS);

        for (long nowMs = 0; nowMs <= 10 * TIMEOUT_MS; nowMs += TIMEOUT_MS)
        {
            assertFalse(liveness.isHung(HEARTBEAT_MS, true, true, nowMs, TIMEOUT_MS), "sleeping");
            assertFalse(liveness.isHung(HEARTBEAT_MS, false, false, nowMs, TIMEOUT_MS), "nothing waiting");
        }
    }

    @Test
    void shouldEndAStuckSpellWhenTheWorkerIsNotWatched()
    {
        liveness.attached(HEARTBEAT_MS);
        liveness.isHung(HEARTBEAT_MS, false, true, 0, TIMEOUT_MS);

        liveness.unwatched();

        assertFalse(liveness.isHung(HEARTBEAT_MS, false, true, TIMEOUT_MS, TIMEOUT_MS), "counted afresh");
        assertTrue(liveness.isHung(HEARTBEAT_MS, false, true, 2 * TIMEOUT_MS, TIMEOUT_MS));
    }
}
