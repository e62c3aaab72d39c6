package io.sluice.listener;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a test body on a thread of its own and rethrows what it threw. A connection's flush batcher belongs to the
 * thread's first event loop, so each embedded channel gets a fresh thread; a Netty thread, as an event loop's is, so
 * that Netty recycles its own per-write objects as in production.
 */
public final class FreshThread
{
    private FreshThread()
    {
    }

    /**
     * Run {@code body} on a new thread and wait for it.
     *
     * @param body the test body.
     * @throws Exception when interrupted while waiting.
     * @throws Error     what the body threw, as thrown when an {@link Error}, else wrapped in an {@link AssertionError}.
     */
    public static void run(final Body body) throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new FastThreadLocalThread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        thread.join();
        if (null != failure.get())
        {
            if (failure.get() instanceof Error error)
            {
                throw error;
            }
            throw new AssertionError(failure.get());
        }
    }

    /**
     * A test body.
     */
    @FunctionalInterface
    public interface Body
    {
        /**
         * @throws Exception as the test may.
         */
        void run() throws Exception;
    }
}
