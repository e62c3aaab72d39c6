package io.sluice.listener.hosting.shm;

/**
 * Judges whether one worker is hung, from values its link reads on the host's timer: a pure function of those values
 * and of what it saw before, so a test drives it with a clock of its own.
 * <p>
 * A worker is stuck while it is awake, requests wait unread in its ring, and its heartbeat does not change; stuck for
 * the timeout by the listener's own clock, counted from the first look that found it so (wall-clock steps and clock
 * differences between the processes do not matter), it is hung. A sleeping worker is idle, not hung. A worker is
 * reported hung once per start.
 * <p>
 * Threading: confined to the host's event loop.
 */
final class WorkerLiveness
{
    private static final long NOT_STUCK = Long.MIN_VALUE;

    private long seenWorkerHeartbeatMs;
    private long stuckSinceMs = NOT_STUCK;
    private boolean killRequested;

    /**
     * A worker start attached: judge it from scratch.
     *
     * @param workerHeartbeatMs the heartbeat in its file now.
     */
    void attached(final long workerHeartbeatMs)
    {
        killRequested = false;
        seenWorkerHeartbeatMs = workerHeartbeatMs;
        stuckSinceMs = NOT_STUCK;
    }

    /**
     * The worker exited: whatever was judged of it is over.
     */
    void exited()
    {
        killRequested = false;
    }

    /**
     * No worker is watched now (none attached, or no timeout): a stuck spell ends.
     */
    void unwatched()
    {
        stuckSinceMs = NOT_STUCK;
    }

    /**
     * One look on the host's timer at an attached worker.
     *
     * @param workerHeartbeatMs the heartbeat in the worker's file.
     * @param sleeping          true when the worker's sleeping flag is set.
     * @param requestsWaiting   true when records wait in its request ring that it has not taken.
     * @param nowMs             the host's monotonic clock.
     * @param timeoutMs         the heartbeat timeout, above 0.
     * @return true, once per worker start, when the worker is hung and must be killed.
     */
    boolean isHung(
        final long workerHeartbeatMs,
        final boolean sleeping,
        final boolean requestsWaiting,
        final long nowMs,
        final long timeoutMs)
    {
        if (killRequested)
        {
            stuckSinceMs = NOT_STUCK;
            return false;
        }
        if (workerHeartbeatMs != seenWorkerHeartbeatMs || sleeping || !requestsWaiting)
        {
            seenWorkerHeartbeatMs = workerHeartbeatMs;
            stuckSinceMs = NOT_STUCK;
            return false;
        }
        if (NOT_STUCK == stuckSinceMs)
        {
            stuckSinceMs = nowMs;
        }
        else if (nowMs - stuckSinceMs >= timeoutMs)
        {
            killRequested = true;
            return true;
        }
        return false;
    }

    /**
     * @return true once the worker was found hung, until it exits or a new start attaches.
     */
    boolean isKillRequested()
    {
        return killRequested;
    }
}
