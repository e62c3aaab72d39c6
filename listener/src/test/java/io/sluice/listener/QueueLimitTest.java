package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A full request queue refuses at once with 503, never parks the request, and serves again once it drains; for the
 * in-process and the shared-memory hosting models.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class QueueLimitTest
{

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long SLEEP_MS = 3_000;

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop, and the queue's
     *              bound holds across them.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.inProcess("inproc", SampleHandler.class)
                .set("queueLength", 2))
            .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
                .set("queueLength", 2))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @ParameterizedTest(name = "{1}, {2} event loop(s)")
    @CsvSource({ "/inproc/, inproc, 1", "/shm/, shm, 1", "/inproc/, inproc, 4", "/shm/, shm, 4" })
    void shouldAnswer503AtOnceWhenQueueIsFullAnd200AfterItDrains(
        final String path, final String queueName, final int loops) throws Exception
    {
        listener = LISTENERS.start("queue-limit", config(loops));
        final int port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, path);
        final RequestQueue queue = listener.listener().queue(queueName);
        assertEquals(0, queue.length());

        try (RawHttpClient first = new RawHttpClient(port);
            RawHttpClient second = new RawHttpClient(port))
        {
            final byte[] sleep = RawHttpClient.get(path + "sleep?ms=" + SLEEP_MS, port);
            first.write(sleep);
            second.write(sleep);
            awaitValue(2, queue::length, 10_000);

            try (RawHttpClient third = new RawHttpClient(port))
            {
                final RawHttpClient.Response refused = third.send(RawHttpClient.get(path, port));

                assertEquals(503, refused.status(), refused::toString);
                assertEquals("text/plain", refused.header("content-type"), refused::toString);
                assertEquals("service unavailable: request queue full\n", refused.bodyText());
            }
            // Both sleeps are still admitted and unanswered: the 503 did not wait for them.
            assertEquals(2, queue.length());
            assertEquals(1, queue.rejectedCount());

            final RawHttpClient.Response firstSlept = first.readResponse(false);
            final RawHttpClient.Response secondSlept = second.readResponse(false);
            assertEquals(200, firstSlept.status(), firstSlept::toString);
            assertEquals("slept", firstSlept.bodyText());
            assertEquals(200, secondSlept.status(), secondSlept::toString);
            assertEquals("slept", secondSlept.bodyText());
        }

        awaitValue(0, queue::length, 5_000);
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response served = client.send(RawHttpClient.get(path, port));

            assertEquals(200, served.status(), served::toString);
            assertEquals("Hello, World!", served.bodyText());
        }
        assertEquals(1, queue.rejectedCount());
    }

    private static void awaitValue(final int expected, final IntSupplier actual, final long timeoutMs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (actual.getAsInt() != expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        assertEquals(expected, actual.getAsInt(), "value not reached within " + timeoutMs + " ms");
    }
}
