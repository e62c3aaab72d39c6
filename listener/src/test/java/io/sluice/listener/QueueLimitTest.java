package io.sluice.listener;

import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop, and the queue's
     *              bound holds across them.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.inProcess("inproc", DeliveryHandler.class)
                .set("queueLength", 2))
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .set("queueLength", 2))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @TempDir
    Path tempDir;

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

        final Path release = tempDir.resolve("release");
        try (RawHttpClient first = new RawHttpClient(port);
            RawHttpClient second = new RawHttpClient(port))
        {
            // held in the handler until the test creates the release file
            final byte[] held = RawHttpClient.get(path + "?release=" + release, port);
            first.write(held);
            second.write(held);
            try
            {
                awaitValue(2, queue::length, 10_000);

                try (RawHttpClient third = new RawHttpClient(port))
                {
                    final RawHttpClient.Response refused = third.send(RawHttpClient.get(path, port));

                    assertEquals(503, refused.status(), refused::toString);
                    assertEquals("text/plain", refused.header("content-type"), refused::toString);
                    assertEquals("service unavailable: request queue full\n", refused.bodyText());
                }
                // Both held requests are still admitted and unanswered: the 503 did not wait for them.
                assertEquals(2, queue.length());
                assertEquals(1, queue.rejectedCount());
            }
            finally
            {
                Files.createFile(release);
            }

            final RawHttpClient.Response firstHeld = first.readResponse(false);
            final RawHttpClient.Response secondHeld = second.readResponse(false);
            assertEquals(200, firstHeld.status(), firstHeld::toString);
            assertEquals(DeliveryHandler.HELLO, firstHeld.bodyText());
            assertEquals(200, secondHeld.status(), secondHeld::toString);
            assertEquals(DeliveryHandler.HELLO, secondHeld.bodyText());
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
