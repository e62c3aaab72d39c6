package io.sluice.dispatch.worker;

import java.io.IOException;
import java.io.InputStream;

/**
 * The worker SDK's entry point: serve a {@link Handler} over the transport the listener chose, until the listener
 * asks the worker to stop or goes away.
 */
public final class Worker
{
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
        watchListener();
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
     * The listener holds the write end of this process's standard input; end-of-file means it is gone (or asks us to
     * stop), and a worker must not outlive its listener.
     */
    private static void watchListener()
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
                Runtime.getRuntime().halt(0);
            },
            "sluice-listener-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
