package io.sluice.dispatch.worker;

/**
 * The worker SDK's entry point: serve a {@link Handler} over the transport the listener chose, until the listener
 * asks the worker to stop or goes away ({@link ListenerWatch}). Logging is set up as the listener's
 * ({@link SluiceLogging}).
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
        SluiceLogging.configure();
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
        final ListenerWatch watch = new ListenerWatch(env.shutdownTimeLimitMs());
        watch.watchStandardInput();
        try
        {
            if (WorkerEnvironment.SHARED_MEMORY.equals(env.hosting()))
            {
                SharedMemoryWorker.serve(handler, env, watch);
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
}
