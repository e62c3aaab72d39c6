package io.sluice.listener;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code worker.requestTimeout} through an HTTP/2 stream (h2c), for both models that have the timer (an in-process
 * handler has none, as over HTTP/1.1): a worker that does not answer a stream in time gets the request taken away — 504
 * on that stream when nothing was sent yet, the stream reset when the head was — and is told to abort it; the sibling
 * streams of the same connection are answered normally, and the connection goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2RequestTimeoutTest
{
    private static final long REQUEST_TIMEOUT_MS = 500;
    private static final long READY_TIMEOUT_MS = 20_000;
    // a request is timed out between requestTimeout and requestTimeout plus two timer periods (requestTimeout / 8)
    private static final long LATEST_MS = REQUEST_TIMEOUT_MS + 2_000;
    private static final long WAIT_S = 20;
    private static final long HTTP2_INTERNAL_ERROR = 0x2;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2timeout", TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
            .worker("requestTimeout", REQUEST_TIMEOUT_MS + "ms")
            .worker("shutdownTimeLimit", "1s"))
        .queue(TestConfig.loopback("loopback", DeliveryHandler.class)
            .worker("requestTimeout", REQUEST_TIMEOUT_MS + "ms")
            .worker("shutdownTimeLimit", "1s"))
        .yaml());

    @BeforeAll
    static void awaitWorkers() throws Exception
    {
        assertEquals(200, LISTENER.get().awaitOk("/shm/", READY_TIMEOUT_MS).status());
        assertEquals(200, LISTENER.get().awaitOk("/loopback/", READY_TIMEOUT_MS).status());
    }

    @ParameterizedTest
    @ValueSource(strings = { "shm", "loopback" })
    void shouldAnswer504OnTheStreamAndAbortInWorkerAndServeItsSiblings(final String queue) throws Exception
    {
        final String id = queue + "-h2-silent";
        final Path marker = Files.createTempFile("sluice-h2timeout-", ".count");
        Files.delete(marker);
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final long startNs = System.nanoTime();
            final CompletableFuture<Http2TestClient.Response> silent = client.send(
                "GET", "/" + queue + "/stall?marker=" + marker + "&stalls=1", null, "x-id", id);
            DeliveryHandler.awaitMarker(marker, "1");

            final Http2TestClient.Response sibling = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, sibling.status(), sibling::toString);
            assertEquals(DeliveryHandler.HELLO, sibling.bodyText());

            final Http2TestClient.Response timedOut = answer(silent);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertEquals(504, timedOut.status(), timedOut::toString);
            assertEquals("gateway timeout: no answer from the worker within requestTimeout\n", timedOut.bodyText());
            assertTrue(elapsedMs >= REQUEST_TIMEOUT_MS, "timed out early: " + elapsedMs + " ms");
            assertTrue(elapsedMs <= LATEST_MS, "timed out late: " + elapsedMs + " ms");
            RequestTimeoutTest.awaitLogLine(LISTENER, queue, "abort " + id);

            final Http2TestClient.Response after = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, after.status(), after::toString);
            assertEquals(DeliveryHandler.HELLO, after.bodyText());
            assertFalse(client.goAway().isDone(), "the connection was closed");
        }
        finally
        {
            Files.deleteIfExists(marker);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "shm", "loopback" })
    void shouldResetTheStreamWhenWorkerSentHeadButNotWholeBodyAndServeItsSiblings(final String queue) throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final Http2TestClient.Stream halfway = client.open("GET", "/" + queue + "/halfway", -1, true);
            assertEquals(200, halfway.head().get(WAIT_S, TimeUnit.SECONDS));
            final Http2TestClient.Response sibling = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, sibling.status(), sibling::toString);

            final Http2TestClient.Response truncated = answer(halfway.response());
            assertEquals(200, truncated.status(), truncated::toString);
            assertEquals(10, truncated.body().length, truncated::toString);
            assertEquals(HTTP2_INTERNAL_ERROR, truncated.reset(), truncated::toString);

            final Http2TestClient.Response after = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, after.status(), after::toString);
            assertFalse(client.goAway().isDone(), "the connection was closed");
        }
    }

    private static Http2TestClient.Response answer(final CompletableFuture<Http2TestClient.Response> response)
        throws Exception
    {
        return response.get(WAIT_S, TimeUnit.SECONDS);
    }
}
