package io.sluice.listener;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code worker.requestTimeout}: a worker that does not complete its response in time gets its request taken away —
 * 504 when nothing was sent yet, the connection closed when the head was — and is told to abort it (a
 * {@code REQUEST_ABORT} over shared memory, the worker connection closed over loopback), for both out-of-process
 * models. The queue serves the next request normally.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestTimeoutTest
{
    private static final long REQUEST_TIMEOUT_MS = 500;

    private static final long READY_TIMEOUT_MS = 20_000;
    // a request is timed out between requestTimeout and requestTimeout plus two timer periods (requestTimeout / 8)
    private static final long LATEST_MS = REQUEST_TIMEOUT_MS + 2_000;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("timeout", config(1));

    @RegisterExtension
    static final ListenerExtension FOUR_LOOPS = ListenerExtension.perClass("timeout4", config(4));

    @BeforeAll
    static void awaitWorkers() throws Exception
    {
        for (final ListenerExtension listener : List.of(LISTENER, FOUR_LOOPS))
        {
            assertEquals(200, listener.get().awaitOk("/shm/", READY_TIMEOUT_MS).status());
            assertEquals(200, listener.get().awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        }
    }

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .worker("requestTimeout", "500ms")
                .worker("shutdownTimeLimit", "1s"))
            .queue(TestConfig.loopback("loopback", DeliveryHandler.class)
                .worker("requestTimeout", "500ms")
                .worker("shutdownTimeLimit", "1s"))
            .yaml();
    }

    private static ListenerExtension listener(final int loops)
    {
        return 1 == loops ? LISTENER : FOUR_LOOPS;
    }

    @ParameterizedTest(name = "{0}, {1} event loop(s)")
    @CsvSource({ "shm, 1", "loopback, 1", "shm, 4", "loopback, 4" })
    void shouldAnswer504AndAbortInWorkerWhenWorkerDoesNotAnswerWithinRequestTimeout(
        final String queue, final int loops) throws Exception
    {
        final int port = listener(loops).port();
        final String id = queue + "-silent";
        final Path marker = Files.createTempFile("sluice-timeout-", ".count");
        Files.delete(marker);
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final long startNs = System.nanoTime();
            final RawHttpClient.Response response = client.send(RawHttpClient.request(
                "GET", "/" + queue + "/stall?marker=" + marker + "&stalls=1", "127.0.0.1:" + port, "X-Id: " + id));
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertEquals(504, response.status(), response::toString);
            assertTrue(elapsedMs >= REQUEST_TIMEOUT_MS, "timed out early: " + elapsedMs + " ms");
            assertTrue(elapsedMs <= LATEST_MS, "timed out late: " + elapsedMs + " ms");
        }
        finally
        {
            Files.deleteIfExists(marker);
        }
        awaitLogLine(listener(loops), queue, "abort " + id);

        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/" + queue + "/", port));
            assertEquals(200, next.status(), next::toString);
            assertEquals(DeliveryHandler.HELLO, next.bodyText());
        }
    }

    @ParameterizedTest(name = "{0}, {1} event loop(s)")
    @CsvSource({ "shm, 1", "loopback, 1", "shm, 4", "loopback, 4" })
    void shouldCloseConnectionWhenWorkerSentHeadButNotWholeBodyWithinRequestTimeout(
        final String queue, final int loops) throws Exception
    {
        final int port = listener(loops).port();
        try (RawHttpClient client = new RawHttpClient(port))
        {
            client.write(RawHttpClient.get("/" + queue + "/halfway", port));

            final EOFException truncated = assertThrows(EOFException.class, () -> client.readResponse(false));
            assertEquals("connection closed after 10 of 100 body bytes", truncated.getMessage());
        }

        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response next = client.send(RawHttpClient.get("/" + queue + "/", port));
            assertEquals(200, next.status(), next::toString);
        }
    }

    /**
     * Wait up to 10 s for a line in a queue's worker log.
     *
     * @param listener the listener whose log directory holds it.
     * @param queue    the queue.
     * @param line     the whole line.
     * @throws IOException          when the log cannot be read.
     * @throws InterruptedException when interrupted.
     */
    static void awaitLogLine(final ListenerExtension listener, final String queue, final String line)
        throws IOException, InterruptedException
    {
        final Path log = listener.get().logDir().resolve(queue + ".log");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (Files.exists(log) && Files.readAllLines(log, StandardCharsets.ISO_8859_1).contains(line))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the worker never logged '" + line + "' in " + log);
    }
}
