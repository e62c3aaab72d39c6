package io.sluice.listener;

import io.sluice.listener.counters.CounterType;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery contract when a loopback worker dies, as for shared memory ({@link WorkerCrashDeliveryTest}): a request
 * not yet written to a worker waits for the replacement; one written and not answered is sent once more when it is a
 * GET, HEAD or OPTIONS without a body, and answered 502 otherwise; nothing else runs twice. Executions are counted in
 * the workers' own log ({@link DeliveryHandler}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackWorkerCrashTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback("loopback", DeliveryHandler.class)
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CLIENTS = 8;
    // each warm-up answer is held a little in the worker, so the clients' requests overlap: one pooled connection each
    private static final String HOLD = "?hold=200";

    @TempDir
    Path tempDir;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    /**
     * The worker is stopped, so every request sent meanwhile is written to it (over a pooled connection, or a new one
     * its port's backlog accepts) and none is read; then it is killed. Every GET is answered 200 by the replacement,
     * run there once; the POST, which may have been started as far as the listener knows, gets 502 and is run nowhere.
     */
    @Test
    void shouldRetryWrittenGetsOnReplacementAndAnswerWrittenPost502WhenWorkerIsKilled() throws Exception
    {
        listener = LISTENERS.start("loopback-crash-written", CONFIG);
        assertEquals(200, listener.awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("loopback");
        final int port = listener.port();
        final List<RawHttpClient> clients = new ArrayList<>();
        try
        {
            warmUp(clients, port);
            final long pid = supervisor.pid(0);
            WorkerSignals.signal("STOP", pid);
            WorkerSignals.awaitStopped(pid);

            for (int i = 0; i < CLIENTS; i++)
            {
                clients.get(i).write(get(port, "get-" + i));
            }
            try (RawHttpClient extra = new RawHttpClient(port); RawHttpClient post = new RawHttpClient(port))
            {
                extra.write(get(port, "get-extra"));
                post.write(RawHttpClient.request(
                    "POST", "/loopback/", "127.0.0.1:" + port, "X-Id: post", "Content-Length: 0"));
                awaitQueueLength(CLIENTS + 2);
                WorkerSignals.kill(pid);

                for (int i = 0; i < CLIENTS; i++)
                {
                    final RawHttpClient.Response response = clients.get(i).readResponse(false);
                    assertEquals(200, response.status(), response::toString);
                    assertEquals(DeliveryHandler.HELLO, response.bodyText());
                }
                final RawHttpClient.Response extraResponse = extra.readResponse(false);
                assertEquals(200, extraResponse.status(), extraResponse::toString);
                final RawHttpClient.Response postResponse = post.readResponse(false);
                assertEquals(502, postResponse.status(), postResponse::toString);
            }
        }
        finally
        {
            closeAll(clients);
        }

        assertEquals(200, listener.awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (int i = 0; i < CLIENTS; i++)
        {
            assertEquals(1, executions.getOrDefault("GET get-" + i, 0), "get-" + i + " runs once");
        }
        assertEquals(1, executions.getOrDefault("GET get-extra", 0), "get-extra runs once");
        assertEquals(0, executions.getOrDefault("POST post", 0), "the POST reached no handler");
        try (OutsideCounters counters = OutsideCounters.open(listener.shmDir()))
        {
            // each client's GET was written on its pooled connection; the extra one was, if the backlog took it
            final long retries = counters.snapshot().sum(CounterType.RETRIES, "loopback");
            assertTrue(retries >= CLIENTS && retries <= CLIENTS + 1, "retries: " + retries);
            assertEquals(1, counters.snapshot().value(CounterType.QUEUE_GATEWAY_RESPONSES, "loopback", 0));
        }
    }

    /**
     * Requests sent right after the kill, before the listener has processed the worker's exit or the close of its
     * pooled connections, wait for the replacement instead of failing; a POST the worker had started gets 502 and is
     * not run again.
     */
    @Test
    void shouldServeRequestsSentRightAfterKillFromReplacementAndNotRunStartedPostTwice() throws Exception
    {
        listener = LISTENERS.start("loopback-crash-after", CONFIG);
        assertEquals(200, listener.awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("loopback");
        final int port = listener.port();
        final Path marker = tempDir.resolve("post");
        final List<RawHttpClient> clients = new ArrayList<>();
        try (RawHttpClient started = new RawHttpClient(port))
        {
            warmUp(clients, port);
            started.write(RawHttpClient.request(
                "POST", "/loopback/stall?marker=" + marker + "&stalls=1", "127.0.0.1:" + port,
                "X-Id: stalled-post", "Content-Length: 0"));
            DeliveryHandler.awaitMarker(marker, "1");

            final long pid = supervisor.pid(0);
            assertEquals(true, ProcessHandle.of(pid).orElseThrow().destroyForcibly());
            for (int i = 0; i < CLIENTS; i++)
            {
                clients.get(i).write(get(port, "after-" + i));
            }

            for (int i = 0; i < CLIENTS; i++)
            {
                final RawHttpClient.Response response = clients.get(i).readResponse(false);
                assertEquals(200, response.status(), response::toString);
                assertEquals(DeliveryHandler.HELLO, response.bodyText());
            }
            final RawHttpClient.Response postResponse = started.readResponse(false);
            assertEquals(502, postResponse.status(), postResponse::toString);
        }
        finally
        {
            closeAll(clients);
        }

        assertEquals("1", Files.readString(marker).trim(), "the POST was executed once only");
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (int i = 0; i < CLIENTS; i++)
        {
            assertEquals(1, executions.getOrDefault("GET after-" + i, 0), "after-" + i + " runs once");
        }
        assertEquals(1, executions.getOrDefault("POST stalled-post", 0));
    }

    /**
     * Open the clients and have each answered once, concurrently, so the listener pools one worker connection each.
     */
    private static void warmUp(final List<RawHttpClient> clients, final int port) throws IOException
    {
        for (int i = 0; i < CLIENTS; i++)
        {
            final RawHttpClient client = new RawHttpClient(port);
            clients.add(client);
            client.write(RawHttpClient.get("/loopback/" + HOLD, port));
        }
        for (final RawHttpClient client : clients)
        {
            final RawHttpClient.Response response = client.readResponse(false);
            assertEquals(200, response.status(), response::toString);
        }
    }

    private static byte[] get(final int port, final String id)
    {
        return RawHttpClient.request("GET", "/loopback/", "127.0.0.1:" + port, "X-Id: " + id);
    }

    private static void closeAll(final List<RawHttpClient> clients) throws IOException
    {
        for (final RawHttpClient client : clients)
        {
            client.close();
        }
    }

    private Path workerLog()
    {
        return listener.logDir().resolve("loopback.log");
    }

    private void awaitQueueLength(final int length) throws InterruptedException
    {
        assertEquals(length, listener.awaitQueueLength("loopback", length), "requests admitted");
        // admitted on the event loop as it read them; written to the worker in the same turn or once connected
        Thread.sleep(200);
    }
}
