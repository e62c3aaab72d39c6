package io.sluice.listener.process;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ScheduledFuture;

/**
 * One place a worker process of a queue runs in: its shared-memory directory, or its start's loopback port. A queue of
 * {@code processes} workers has two slots per position, so that a replacement starts in the spare slot beside the
 * worker it replaces (overlapped recycling) and takes over once it is ready.
 * <p>
 * Threading: changed on the supervisor thread only; the fields the status document reads are volatile.
 */
final class WorkerSlot
{
    final int index;
    final int position;
    volatile Process process;
    volatile boolean ready;
    volatile long startedNs;
    volatile long requests;
    String token;
    OutputStream stdin;
    ScheduledFuture<?> startupTimer;
    ScheduledFuture<?> drainTimer;
    int attempts;
    String sharedDir;
    long requestBase;
    long stdinClosedNs;
    boolean stdinClosed;

    /**
     * The slot whose worker this one's replaces once it is ready; null when this slot is not a replacement.
     */
    WorkerSlot replacing;

    /**
     * Replaced (or a replacement given up): its exit is expected, and the slot is not started again.
     */
    volatile boolean retiring;

    /**
     * Stopped while its queue is idle or offline: its exit is expected; it starts again on demand.
     */
    volatile boolean stopping;

    WorkerSlot(final int index, final int position)
    {
        this.index = index;
        this.position = position;
    }

    /**
     * @return the slot's state for the status document ({@link WorkerStatus}).
     */
    String state()
    {
        final Process current = process;
        if (null == current)
        {
            return WorkerStatus.STOPPED;
        }
        if (retiring || stopping)
        {
            return WorkerStatus.DRAINING;
        }
        return ready ? WorkerStatus.READY : WorkerStatus.STARTING;
    }

    /**
     * Close the worker's standard input: the polite request to stop.
     *
     * @param nowNs the supervisor's clock.
     */
    void closeStdin(final long nowNs)
    {
        if (!stdinClosed)
        {
            stdinClosed = true;
            stdinClosedNs = nowNs;
            closeQuietly(stdin);
        }
    }

    void cancelTimers()
    {
        if (null != startupTimer)
        {
            startupTimer.cancel(false);
            startupTimer = null;
        }
        if (null != drainTimer)
        {
            drainTimer.cancel(false);
            drainTimer = null;
        }
    }

    static void closeQuietly(final OutputStream stream)
    {
        if (null != stream)
        {
            try
            {
                stream.close();
            }
            catch (final IOException ignore)
            {
                // the worker is gone already
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return index == position ? "worker " + position : "worker " + position + " (slot " + index + ")";
    }
}
