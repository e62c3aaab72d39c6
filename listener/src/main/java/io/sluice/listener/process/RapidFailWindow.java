package io.sluice.listener.process;

import java.util.ArrayDeque;

/**
 * The worker failures of a queue within the last minute, for rapid-fail protection: a queue whose workers fail more
 * than {@code rapidFailsPerMinute} times in a minute is stopped. Fed the clock by its caller; confined to the
 * supervisor thread.
 */
final class RapidFailWindow
{
    /**
     * Length of the window: {@value} ms.
     */
    static final long WINDOW_MS = 60_000;

    private final ArrayDeque<Long> failureTimesMs = new ArrayDeque<>();

    /**
     * Count a failure and forget those older than the window.
     *
     * @param nowMs the wall-clock time of the failure, in ms.
     * @return the failures within the window, this one included.
     */
    int failed(final long nowMs)
    {
        failureTimesMs.addLast(nowMs);
        while (!failureTimesMs.isEmpty() && failureTimesMs.peekFirst() < nowMs - WINDOW_MS)
        {
            failureTimesMs.pollFirst();
        }
        return failureTimesMs.size();
    }
}
