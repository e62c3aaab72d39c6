package io.sluice.listener;

import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery contract when a shared-memory worker dies (DESIGN.md, "The shared-memory hand-off"): every request gets
 * exactly one response; requests the worker never took are served by its replacement; requests it may have started
 * get 502, except GET, HEAD and OPTIONS, retried once; nothing but those is executed twice. Executions are counted in
 * the workers' own log ({@link DeliveryHandler}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerCrashDeliveryTest
{

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long RESTART_TIMEOUT_MS = 30_000;
    private static final int CONNECTIONS = 64;
    private static final long LOAD_BEFORE_KILL_ANSWERS = 4 * CONNECTIONS;
    private static final long LOAD_BETWEEN_KILLS_MS = 300;
    private static final int KILLS = 3;
    // each answer is held a little in the worker, so a kill finds requests started and not answered
    private static final String HOLD = "?hold=2";

    @TempDir
    Path tempDir;

    /**
     * @param loops the listener's event loops: every shared-memory worker serves one lane per loop.
     * @return the configuration.
     */
    private static String config(final int loops)
    {
        return TestConfig.listener()
            .listener("eventLoops", loops)
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .worker("shutdownTimeLimit", "1s"))
            .yaml();
    }

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldAnswerEveryRequestExactlyOnceWhenWorkerIsKilledUnderLoad(final int loops) throws Exception
    {
        listener = LISTENERS.start("crash-load", config(loops));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long oldPid = supervisor.pid(0);

        final Load load = new Load(listener.port(), CONNECTIONS);
        load.start();
        // the load flows (four answers per connection on average) before the first kill
        awaitServed(load, LOAD_BEFORE_KILL_ANSWERS);
        final long beforeKill = load.received.get();
        long pid = oldPid;
        for (int i = 0; i < KILLS; i++)
        {
            WorkerSignals.kill(pid);
            pid = WorkerSignals.awaitNewPid(supervisor, pid);
            awaitServed(load, CONNECTIONS);
            Thread.sleep(LOAD_BETWEEN_KILLS_MS);
        }
        final long newPid = pid;
        final long afterRestart = load.received.get();
        awaitServed(load, CONNECTIONS);
        load.stop();

        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        final Map<Integer, Long> statuses = load.statuses();
        System.out.printf(
            "worker crash under load (%d connections, %d kills): sent=%d received=%d statuses=%s get502=%d " +
            "post502=%d mismatched=%d failures=%d; listener: 502 on exit=%d, retried=%d, left in ring=%d; " +
            "received before the first kill=%d, by the last restart=%d; first pid %d, last pid %d%n",
            CONNECTIONS, KILLS, load.sent.get(), load.received.get(), statuses, load.get502.get(), load.post502.get(),
            load.mismatched.get(), load.failures.size(), host.failedOnWorkerExitCount(),
            host.retriedOnWorkerExitCount(), host.leftForReplacementCount(), beforeKill, afterRestart, oldPid, newPid);

        assertEquals(List.of(), load.failures, "requests without a response");
        assertEquals(load.sent.get(), load.received.get(), "one response per request");
        assertEquals(0, load.mismatched.get(), "a 200 that is not its own request's answer");
        for (final int status : statuses.keySet())
        {
            assertTrue(status == 200 || status == 502, "unexpected status " + status + ": " + statuses);
        }
        assertEquals(0, load.get502.get(), "a GET the dead worker may have started is retried, not answered 502");
        assertTrue(load.post502.get() <= (long)KILLS * CONNECTIONS,
            "at most one request per connection can be in a dead worker's hands: " + load.post502.get());
        assertEquals(load.post502.get(), host.failedOnWorkerExitCount());
        assertTrue(load.received.get() > afterRestart, "no request answered after the restart");
        for (final Map.Entry<String, Integer> execution : executions.entrySet())
        {
            if (execution.getKey().startsWith("POST "))
            {
                assertEquals(1, execution.getValue(), "executed more than once: " + execution.getKey());
            }
        }
        for (final String id : load.posts200)
        {
            assertEquals(1, executions.getOrDefault("POST " + id, 0), "a POST answered 200 was not executed once");
        }
    }

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldServeRequestsWaitingUnreadInTheRingAfterTheWorkerIsKilled(final int loops) throws Exception
    {
        listener = LISTENERS.start("crash-unread", config(loops));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final long oldPid = supervisor.pid(0);
        WorkerSignals.signal("STOP", oldPid);
        WorkerSignals.awaitStopped(oldPid);

        final int count = 16;
        final List<RawHttpClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final RawHttpClient client = new RawHttpClient(listener.port());
                clients.add(client);
                client.write(request(listener.port(), i, "unread-" + i));
            }
            awaitQueueLength(count);
            assertEquals(Map.of(), DeliveryHandler.executions(workerLog()), "the stopped worker executed requests");
            WorkerSignals.kill(oldPid);
            WorkerSignals.awaitNewPid(supervisor, oldPid);

            for (int i = 0; i < count; i++)
            {
                final RawHttpClient.Response response = clients.get(i).readResponse(false);
                assertEquals(200, response.status(), response::toString);
                assertEquals(i % 2 == 0 ? "unread-" + i : DeliveryHandler.HELLO, response.bodyText());
            }
        }
        finally
        {
            for (final RawHttpClient client : clients)
            {
                client.close();
            }
        }

        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        assertEquals(0, host.failedOnWorkerExitCount());
        assertEquals(0, host.retriedOnWorkerExitCount());
        assertEquals(count, host.leftForReplacementCount());
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (int i = 0; i < count; i++)
        {
            assertEquals(1, executions.getOrDefault((i % 2 == 0 ? "POST " : "GET ") + "unread-" + i, 0));
        }
    }

    @ParameterizedTest(name = "{0} event loop(s)")
    @ValueSource(ints = { 1, 4 })
    void shouldRetryStartedGetOnceAndAnswerStartedPostAndTwiceFailedGetWith502(final int loops) throws Exception
    {
        listener = LISTENERS.start("crash-started", config(loops));
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor("shm");
        final int port = listener.port();
        final Path getOnce = tempDir.resolve("get-once");
        final Path getTwice = tempDir.resolve("get-twice");
        final Path post = tempDir.resolve("post");

        try (RawHttpClient retried = new RawHttpClient(port);
            RawHttpClient failedTwice = new RawHttpClient(port);
            RawHttpClient notIdempotent = new RawHttpClient(port))
        {
            retried.write(RawHttpClient.get("/shm/stall?marker=" + getOnce + "&stalls=1", port));
            failedTwice.write(RawHttpClient.get("/shm/stall?marker=" + getTwice + "&stalls=2", port));
            notIdempotent.write(RawHttpClient.request(
                "POST", "/shm/stall?marker=" + post, "127.0.0.1:" + port, "Content-Length: 0"));
            DeliveryHandler.awaitMarker(getOnce, "1");
            DeliveryHandler.awaitMarker(getTwice, "1");
            DeliveryHandler.awaitMarker(post, "1");

            final long firstPid = supervisor.pid(0);
            WorkerSignals.kill(firstPid);
            final RawHttpClient.Response postResponse = notIdempotent.readResponse(false);
            assertEquals(502, postResponse.status(), postResponse::toString);
            final RawHttpClient.Response retriedResponse = retried.readResponse(false);
            assertEquals(200, retriedResponse.status(), retriedResponse::toString);
            assertEquals(DeliveryHandler.RECOVERED, retriedResponse.bodyText());

            DeliveryHandler.awaitMarker(getTwice, "2");
            WorkerSignals.kill(WorkerSignals.awaitNewPid(supervisor, firstPid));
            final RawHttpClient.Response twiceResponse = failedTwice.readResponse(false);
            assertEquals(502, twiceResponse.status(), twiceResponse::toString);
        }

        assertEquals("1", Files.readString(post).trim(), "the POST was executed once only");
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        assertEquals(2, host.failedOnWorkerExitCount());
        assertEquals(2, host.retriedOnWorkerExitCount());
        assertEquals(200, listener.awaitOk("/shm/", RESTART_TIMEOUT_MS).status());
    }

    /**
     * Await {@code answers} more answers to the load (a new worker has attached and answers).
     */
    private static void awaitServed(final Load load, final long answers) throws InterruptedException
    {
        final long start = load.received.get();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTART_TIMEOUT_MS);
        while (load.received.get() < start + answers && load.failures.isEmpty() &&
            System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        // a request without a response is reported with the others once the load stops
        assertTrue(load.received.get() >= start + answers || !load.failures.isEmpty(),
            "fewer than " + answers + " answers in " + RESTART_TIMEOUT_MS + " ms: " + (load.received.get() - start));
    }

    private static byte[] request(final int port, final int index, final String id)
    {
        return request(port, index, id, "");
    }

    private static byte[] request(final int port, final int index, final String id, final String query)
    {
        if (index % 2 == 0)
        {
            final byte[] body = id.getBytes(StandardCharsets.US_ASCII);
            return RawHttpClient.concat(
                RawHttpClient.request(
                    "POST", "/shm/echo" + query, "127.0.0.1:" + port,
                    "X-Id: " + id, "Content-Type: application/octet-stream", "Content-Length: " + body.length),
                body);
        }
        return RawHttpClient.request("GET", "/shm/" + query, "127.0.0.1:" + port, "X-Id: " + id);
    }

    private Path workerLog()
    {
        return listener.logDir().resolve("shm.log");
    }

    private void awaitQueueLength(final int length) throws InterruptedException
    {
        assertEquals(length, listener.awaitQueueLength("shm", length), "requests admitted");
        // admitted on the event loop as it read them; the ring write is in the same turn, give it that turn
        Thread.sleep(100);
    }

    /**
     * {@code connections} clients, each sending its requests one after the other on its own keep-alive connection,
     * alternating a GET and a POST echo with a unique body, each request named by an {@code X-Id} and answered
     * {@link #HOLD} ms after the worker took it.
     */
    private static final class Load extends ClientThreads
    {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong mismatched = new AtomicLong();
        final AtomicLong get502 = new AtomicLong();
        final AtomicLong post502 = new AtomicLong();
        final Map<Integer, AtomicLong> statusCounts = new ConcurrentHashMap<>();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> posts200 = java.util.Collections.synchronizedList(new ArrayList<>());
        private final int port;

        Load(final int port, final int connections)
        {
            super("load", connections, "a connection is still waiting for a response");
            this.port = port;
        }

        Map<Integer, Long> statuses()
        {
            final Map<Integer, Long> statuses = new java.util.TreeMap<>();
            statusCounts.forEach((status, count) -> statuses.put(status, count.get()));
            return statuses;
        }

        void run(final int connection)
        {
            RawHttpClient client = null;
            try
            {
                for (int i = 0; running(); i++)
                {
                    final String id = String.format("c%02d-r%06d", connection, i);
                    final boolean post = i % 2 == 1;
                    if (null == client)
                    {
                        client = new RawHttpClient(port);
                    }
                    sent.incrementAndGet();
                    final RawHttpClient.Response response;
                    try
                    {
                        response = client.send(request(port, post ? 0 : 1, id, HOLD));
                    }
                    catch (final IOException ex)
                    {
                        failures.add(id + ": " + ex);
                        client.close();
                        client = null;
                        continue;
                    }
                    received.incrementAndGet();
                    statusCounts.computeIfAbsent(response.status(), (key) -> new AtomicLong()).incrementAndGet();
                    if (response.status() == 200)
                    {
                        final String expected = post ? id : DeliveryHandler.HELLO;
                        if (!expected.equals(response.bodyText()))
                        {
                            mismatched.incrementAndGet();
                        }
                        if (post)
                        {
                            posts200.add(id);
                        }
                    }
                    else if (response.status() == 502)
                    {
                        (post ? post502 : get502).incrementAndGet();
                    }
                    if ("close".equalsIgnoreCase(response.header("connection")))
                    {
                        client.close();
                        client = null;
                    }
                }
            }
            catch (final IOException ex)
            {
                failures.add("connection " + connection + ": " + ex);
            }
            finally
            {
                if (null != client)
                {
                    try
                    {
                        client.close();
                    }
                    catch (final IOException ignore)
                    {
                        // done anyway
                    }
                }
            }
        }
    }
}
