package io.sluice.dispatch.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker SDK's entry point: serve a {@link Handler} over the transport the listener chose, until the listener
 * asks the worker to stop or goes away.
 */
public final class Worker
{
    private static volatile SharedMemoryWorker attached;

    private Worker()
    {
    }

    /**
     * Serve until stopped; then exit the JVM. Reads the {@code SLUICE_*} environment the listener set.
     *
     * @param handler the application.
     */
    public static void serve(final Handler handler)
    {
        final WorkerEnvironment env;
        try
        {
            env = WorkerEnvironment.from(System.getenv());
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("sluice worker: " + ex.getMessage());
            System.exit(2);
            return;
        }
        watchListener(env.shutdownTimeLimitMs());
        try
        {
            if (WorkerEnvironment.SHARED_MEMORY.equals(env.hosting()))
            {
                SharedMemoryWorker.serve(handler, env);
            }
            else
            {
                LoopbackWorker.serve(handler, env);
            }
            System.exit(0);
        }
        catch (final Exception ex)
        {
            System.err.println("sluice worker: " + ex);
            ex.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * A shared-memory worker attached to its rings: from now on end-of-file on standard input asks it to finish.
     *
     * @param worker the attached worker.
     */
    static void attached(final SharedMemoryWorker worker)
    {
        attached = worker;
    }

    /**
     * The listener holds the write end of this process's standard input; end-of-file means it is gone or asks us to
     * stop, and a worker must not outlive its listener. A shared-memory worker whose listener is still there finishes
     * first: it serves what is in its ring and the answers it owes, for at most {@code shutdownTimeLimitMs}; otherwise
     * the process ends at once.
     */
    private static void watchListener(final long shutdownTimeLimitMs)
    {
        final Thread watcher = new Thread(
            () ->
            {
                final InputStream in = System.in;
                final byte[] discard = new byte[64];
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
                final SharedMemoryWorker worker = attached;
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
            },
            "sluice-listener-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
