package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code queueWait} on a shared-memory queue: the worker, when it takes a request head off its ring, answers 503
 * itself, without running the handler, if the listener admitted the request more than {@code queueWait} ago. The
 * worker is stopped (SIGSTOP) so requests wait in its ring past the limit, then continued (SIGCONT).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueWaitSharedMemoryTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
            .timeout("queueWait", "300ms")
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long QUEUE_WAIT_MS = 300;
    private static final String QUEUE_WAIT_BODY = "service unavailable: queue wait\n";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldAnswer503AndNeverRunRequestWhenWorkerTakesItAfterQueueWait() throws Exception
    {
        listener = LISTENERS.start("queue-wait-shm", CONFIG);
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final long pid = listener.supervisor("shm").pid(0);
        final String host = "127.0.0.1:" + listener.port();

        WorkerSignals.signal("STOP", pid);
        final List<RawHttpClient> clients = new ArrayList<>();
        try
        {
            WorkerSignals.awaitStopped(pid);
            final RawHttpClient get = new RawHttpClient(listener.port());
            clients.add(get);
            get.write(RawHttpClient.request("GET", "/shm/", host, "X-Id: late-get"));
            final RawHttpClient post = new RawHttpClient(listener.port());
            clients.add(post);
            final byte[] body = "late body".getBytes(StandardCharsets.US_ASCII);
            post.write(RawHttpClient.concat(
                RawHttpClient.request(
                    "POST", "/shm/echo", host,
                    "X-Id: late-post", "Content-Type: application/octet-stream", "Content-Length: " + body.length),
                body));
            awaitQueueLength(2);
            Thread.sleep(QUEUE_WAIT_MS + 200);
        }
        finally
        {
            WorkerSignals.signal("CONT", pid);
        }

        try
        {
            for (final RawHttpClient client : clients)
            {
                final RawHttpClient.Response response = client.readResponse(false);
                assertEquals(503, response.status(), response::toString);
                assertEquals("text/plain", response.header("content-type"), response::toString);
                assertEquals(QUEUE_WAIT_BODY, response.bodyText());
            }
        }
        finally
        {
            for (final RawHttpClient client : clients)
            {
                client.close();
            }
        }

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            client.write(RawHttpClient.request("GET", "/shm/", host, "X-Id: in-time"));
            final RawHttpClient.Response response = client.readResponse(false);
            assertEquals(200, response.status(), response::toString);
            assertEquals(DeliveryHandler.HELLO, response.bodyText());
        }
        assertEquals(pid, listener.supervisor("shm").pid(0), "the same worker served throughout");
        final List<String> executed = DeliveryHandler.executionLines(listener.logDir().resolve("shm.log"));
        assertEquals(List.of("exec GET in-time"), executed, "requests the worker ran");
    }

    private void awaitQueueLength(final int length) throws InterruptedException
    {
        assertEquals(length, listener.awaitQueueLength("shm", length), "requests admitted");
    }
}
