package io.sluice.listener;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load for the failure tests: a number of client threads (daemons), each running {@link #run(int)} until
 * {@link #stop()}; stopping waits for every one to finish what it is waiting for.
 */
abstract class ClientThreads
{
    private static final long STOP_TIMEOUT_S = 40;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String threadName;
    private final int clients;
    private final String stillWaiting;
    private final CountDownLatch done;

    /**
     * @param threadName   the threads' name, before their number.
     * @param clients      how many threads.
     * @param stillWaiting the failure message when one has not finished {@value #STOP_TIMEOUT_S} s after the stop.
     */
    ClientThreads(final String threadName, final int clients, final String stillWaiting)
    {
        this.threadName = threadName;
        this.clients = clients;
        this.stillWaiting = stillWaiting;
        this.done = new CountDownLatch(clients);
    }

    /**
     * Start the threads.
     */
    final void start()
    {
        for (int c = 0; c < clients; c++)
        {
            final int client = c;
            final Thread thread = new Thread(
                () ->
                {
                    try
                    {
                        run(client);
                    }
                    finally
                    {
                        done.countDown();
                    }
                },
                threadName + "-" + c);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Ask the threads to stop after what each is doing, and assert that they all did.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    final void stop() throws InterruptedException
    {
        running.set(false);
        assertTrue(done.await(STOP_TIMEOUT_S, TimeUnit.SECONDS), stillWaiting);
    }

    /**
     * @return true until {@link #stop()}.
     */
    final boolean running()
    {
        return running.get();
    }

    /**
     * One client's loop: runs while {@link #running()}.
     *
     * @param client the client's number, from 0.
     */
    abstract void run(int client);
}
