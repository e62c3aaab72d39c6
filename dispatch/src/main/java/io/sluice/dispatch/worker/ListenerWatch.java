package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a worker process notices that its listener asks it to stop or is gone, so that it never outlives it; one per
 * worker process, made by {@link Worker#serve(Handler)}.
 * <ul>
 *     <li>Standard input ({@link #watchStandardInput()}): the listener holds its write end; end-of-file means it is
 *     gone or asks the worker to stop. A shared-memory worker {@link #attached} to its rings whose listener is still
 *     there finishes first: it serves what is in its ring and the answers it owes, for at most the shutdown time
 *     limit; otherwise the process ends at once.</li>
 *     <li>The listener's heartbeat in the shared-memory file ({@link #watchHeartbeat}): when it stops changing for the
 *     heartbeat timeout, the listener is hung or gone without closing its end of the doorbell, and the process exits
 *     with {@link SharedMemoryWorker#EXIT_LISTENER_STALE}. Measured on this process's monotonic clock, so neither wall-clock steps nor
 *     a clock difference between the processes matter.</li>
 * </ul>
 */
final class ListenerWatch
{
    private static final long WATCHDOG_PERIOD_MIN_MS = 10;
    private static final long WATCHDOG_PERIOD_MAX_MS = 1_000;
    private static final int DISCARD_LENGTH = 64;

    private final long shutdownTimeLimitMs;
    private volatile WorkerDuty attached;

    /**
     * @param shutdownTimeLimitMs how long a shared-memory worker asked to stop may take to finish.
     */
    ListenerWatch(final long shutdownTimeLimitMs)
    {
        this.shutdownTimeLimitMs = shutdownTimeLimitMs;
    }

    /**
     * A shared-memory worker attached to its rings: from now on end-of-file on standard input asks it to finish.
     *
     * @param worker the attached worker.
     */
    void attached(final WorkerDuty worker)
    {
        attached = worker;
    }

    /**
     * Start the daemon thread that reads standard input to its end, then stops the worker (see the class comment).
     */
    void watchStandardInput()
    {
        final Thread watcher = new Thread(this::awaitEndOfInput, "sluice-listener-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Start the daemon thread that exits the process when the listener's heartbeat stops changing for
     * {@code timeoutMs}.
     *
     * @param header    the shared-memory file's header, holding the listener's heartbeat.
     * @param timeoutMs how long the heartbeat may stay unchanged.
     */
    static void watchHeartbeat(final UnsafeBuffer header, final long timeoutMs)
    {
        watchHeartbeat(new UnsafeBuffer[]{ header }, timeoutMs);
    }

    /**
     * Start the daemon thread that exits the process when the listener's heartbeat in any of a worker's lanes (each
     * kept by the event loop that owns the lane) stops changing for {@code timeoutMs}.
     *
     * @param headers   the headers of the lanes' files, each holding a listener heartbeat.
     * @param timeoutMs how long a heartbeat may stay unchanged.
     */
    static void watchHeartbeat(final UnsafeBuffer[] headers, final long timeoutMs)
    {
        final Thread watchdog = new Thread(() -> awaitStaleHeartbeat(headers, timeoutMs), "sluice-listener-heartbeat");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void awaitEndOfInput()
    {
        final InputStream in = System.in;
        final byte[] discard = new byte[DISCARD_LENGTH];
        try
        {
            while (in.read(discard) >= 0)
            {
                Thread.onSpinWait();
            }
        }
        catch (final IOException ignore)
        {
            // treated as end-of-file
        }
        final WorkerDuty worker = attached;
        if (null != worker && worker.requestStop())
        {
            // the duty cycle exits the JVM when it is done; this bounds how long that may take
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownTimeLimitMs);
            long remainingNs;
            while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(remainingNs);
            }
            System.err.println("sluice worker: requests not finished within " + shutdownTimeLimitMs +
                " ms of the request to stop; exiting");
        }
        Runtime.getRuntime().halt(0);
    }

    private static void awaitStaleHeartbeat(final UnsafeBuffer[] headers, final long timeoutMs)
    {
        final long periodMs = Math.max(WATCHDOG_PERIOD_MIN_MS, Math.min(WATCHDOG_PERIOD_MAX_MS, timeoutMs / 4));
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final long[] seen = new long[headers.length];
        final long[] changedNs = new long[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            seen[i] = headers[i].getLongVolatile(WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET);
            changedNs[i] = System.nanoTime();
        }
        while (true)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(periodMs));
            for (int i = 0; i < headers.length; i++)
            {
                final long heartbeat = headers[i].getLongVolatile(WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET);
                final long nowNs = System.nanoTime();
                if (heartbeat != seen[i])
                {
                    seen[i] = heartbeat;
                    changedNs[i] = nowNs;
                }
                else if (nowNs - changedNs[i] > timeoutNs)
                {
                    System.err.println("sluice worker: listener heartbeat unchanged for " +
                        TimeUnit.NANOSECONDS.toMillis(nowNs - changedNs[i]) + " ms (heartbeatTimeout " + timeoutMs +
                        " ms, lane " + i + "); exiting");
                    Runtime.getRuntime().halt(SharedMemoryWorker.EXIT_LISTENER_STALE);
                }
            }
        }
    }
}
