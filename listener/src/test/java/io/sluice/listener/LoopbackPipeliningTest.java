package io.sluice.listener;

import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelined requests on the loopback model, over real sockets to a real worker process ({@link DeliveryHandler}):
 * a client connection's requests are carried in order over one worker connection (counted by
 * {@link LoopbackHost#connectionsOpened()}), each answered once, in order, byte for byte; a worker that dies
 * mid-pipeline costs at most the one request it had that cannot be sent twice; a client that leaves mid-pipeline
 * stops the pipeline behind it, and nothing of it runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackPipeliningTest
{
    private static final String QUEUE = "lb";
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback(QUEUE, DeliveryHandler.class)
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int DEPTH = 16;
    private static final int ROUNDS = 3;
    private static final int LARGE_BODY_LENGTH = 200 * 1024;

    @TempDir
    Path tempDir;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldCarryPipelinedMixedRequestsInOrderOverOneWorkerConnection() throws Exception
    {
        listener = LISTENERS.start("lb-pipeline", CONFIG);
        assertEquals(200, listener.awaitOk("/lb/", READY_TIMEOUT_MS).status());
        final LoopbackHost host = (LoopbackHost)listener.listener().host(QUEUE);
        final int port = listener.port();
        final long before = host.connectionsOpened();

        try (RawHttpClient client = new RawHttpClient(port))
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final List<byte[]> expected = new ArrayList<>();
                final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                for (int i = 0; i < DEPTH; i++)
                {
                    pipeline.writeBytes(mixedRequest(port, round, i, expected));
                }
                client.write(pipeline.toByteArray());

                for (int i = 0; i < DEPTH; i++)
                {
                    final RawHttpClient.Response response = client.readResponse(false);
                    assertEquals(200, response.status(), "request " + i + ": " + response);
                    assertArrayEquals(expected.get(i), response.body(), "round " + round + " request " + i);
                }
            }
        }

        assertTrue(host.connectionsOpened() - before <= 1,
            "one worker connection for the client connection's pipelines, not one per request: " +
            (host.connectionsOpened() - before));
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (int round = 0; round < ROUNDS; round++)
        {
            for (int i = 0; i < DEPTH; i++)
            {
                final String key = (i % 2 == 0 ? "GET " : "POST ") + id(round, i);
                assertEquals(1, executions.getOrDefault(key, 0), key);
            }
        }
    }

    @Test
    void shouldAnswerEachPipelinedRequestOnceWhenTheWorkerDiesMidPipeline() throws Exception
    {
        listener = LISTENERS.start("lb-pipeline-crash", CONFIG);
        assertEquals(200, listener.awaitOk("/lb/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor(QUEUE);
        final int port = listener.port();
        final Path stall = tempDir.resolve("stall");

        try (RawHttpClient client = new RawHttpClient(port))
        {
            final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(RawHttpClient.request(
                "GET", "/lb/stall?marker=" + stall + "&stalls=1", "127.0.0.1:" + port, "X-Id: stalled"));
            for (int i = 1; i < DEPTH; i++)
            {
                pipeline.writeBytes(i % 2 == 0 ? get(port, "get-" + i) : echo(port, "post-" + i, body(i)));
            }
            client.write(pipeline.toByteArray());
            DeliveryHandler.awaitMarker(stall, "1");

            final long firstPid = supervisor.pid(0);
            WorkerSignals.kill(firstPid);

            final RawHttpClient.Response stalled = client.readResponse(false);
            assertEquals(200, stalled.status(), stalled::toString);
            assertEquals(DeliveryHandler.RECOVERED, stalled.bodyText(), "the stalled GET is sent again, once");
            for (int i = 1; i < DEPTH; i++)
            {
                final RawHttpClient.Response response = client.readResponse(false);
                assertEquals(200, response.status(), "request " + i + ": " + response);
                assertArrayEquals(i % 2 == 0 ? DeliveryHandler.HELLO.getBytes(StandardCharsets.US_ASCII) : body(i),
                    response.body(), "request " + i);
            }
        }

        assertEquals("2", Files.readString(stall).trim(), "the stalled GET ran in the dead worker and once again");
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (int i = 1; i < DEPTH; i++)
        {
            final String key = (i % 2 == 0 ? "GET get-" : "POST post-") + i;
            assertEquals(1, executions.getOrDefault(key, 0), "each request behind runs once: " + key);
        }
    }

    @Test
    void shouldStopThePipelineBehindWhenTheClientClosesMidPipeline() throws Exception
    {
        listener = LISTENERS.start("lb-pipeline-close", CONFIG);
        assertEquals(200, listener.awaitOk("/lb/", READY_TIMEOUT_MS).status());
        final WorkerSupervisor supervisor = listener.supervisor(QUEUE);
        final long pid = supervisor.pid(0);
        final int port = listener.port();
        final Path stall = tempDir.resolve("stall");

        final RawHttpClient leaving = new RawHttpClient(port);
        final ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        pipeline.writeBytes(RawHttpClient.request(
            "GET", "/lb/stall?marker=" + stall + "&stalls=1000", "127.0.0.1:" + port, "X-Id: stalled"));
        for (int i = 1; i < DEPTH; i++)
        {
            pipeline.writeBytes(i % 2 == 0 ? get(port, "left-get-" + i) : echo(port, "left-post-" + i, body(i)));
        }
        leaving.write(pipeline.toByteArray());
        DeliveryHandler.awaitMarker(stall, "1");
        leaving.close();

        awaitLogLine("abort stalled");
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final List<byte[]> expected = new ArrayList<>();
            final ByteArrayOutputStream next = new ByteArrayOutputStream();
            for (int i = 0; i < DEPTH; i++)
            {
                next.writeBytes(mixedRequest(port, 0, i, expected));
            }
            client.write(next.toByteArray());
            for (int i = 0; i < DEPTH; i++)
            {
                final RawHttpClient.Response response = client.readResponse(false);
                assertEquals(200, response.status(), "request " + i + ": " + response);
                assertArrayEquals(expected.get(i), response.body(), "request " + i);
            }
        }

        assertEquals(pid, supervisor.pid(0), "the worker was not replaced");
        final Map<String, Integer> executions = DeliveryHandler.executions(workerLog());
        for (final String key : executions.keySet())
        {
            assertTrue(!key.contains(" left-"), "a request behind the one the client left ran: " + key);
        }
        assertEquals(1, executions.getOrDefault("GET stalled", 0));
    }

    /**
     * Request {@code i} of a round: a GET, a POST echo with a length body, a slow GET, a chunked POST echo, a POST
     * echo with a body larger than the listener holds for a request not yet written; each named by an X-Id.
     */
    private static byte[] mixedRequest(final int port, final int round, final int i, final List<byte[]> expected)
    {
        final String id = id(round, i);
        switch (i % 8)
        {
            case 0, 4 ->
            {
                expected.add(DeliveryHandler.HELLO.getBytes(StandardCharsets.US_ASCII));
                return get(port, id);
            }
            case 2, 6 ->
            {
                expected.add(DeliveryHandler.HELLO.getBytes(StandardCharsets.US_ASCII));
                return RawHttpClient.request("GET", "/lb/?hold=" + (10 + i), "127.0.0.1:" + port, "X-Id: " + id);
            }
            case 3 ->
            {
                final byte[] body = body(round * DEPTH + i);
                expected.add(body);
                return RawHttpClient.concat(
                    RawHttpClient.request(
                        "POST", "/lb/echo?hold=20", "127.0.0.1:" + port, "X-Id: " + id,
                        "Content-Type: application/octet-stream", "Transfer-Encoding: chunked"),
                    RawHttpClient.chunked(body, new Random(i), 300));
            }
            case 7 ->
            {
                final byte[] body = new byte[LARGE_BODY_LENGTH];
                new Random(round * DEPTH + i).nextBytes(body);
                expected.add(body);
                return echo(port, id, body);
            }
            default ->
            {
                final byte[] body = body(round * DEPTH + i);
                expected.add(body);
                return echo(port, id, body);
            }
        }
    }

    private static String id(final int round, final int i)
    {
        return "r" + round + "-" + i;
    }

    private static byte[] body(final int seed)
    {
        final byte[] body = new byte[100 + seed * 37];
        new Random(seed).nextBytes(body);
        return body;
    }

    private static byte[] get(final int port, final String id)
    {
        return RawHttpClient.request("GET", "/lb/", "127.0.0.1:" + port, "X-Id: " + id);
    }

    private static byte[] echo(final int port, final String id, final byte[] body)
    {
        return RawHttpClient.concat(
            RawHttpClient.request(
                "POST", "/lb/echo", "127.0.0.1:" + port, "X-Id: " + id,
                "Content-Type: application/octet-stream", "Content-Length: " + body.length),
            body);
    }

    private void awaitLogLine(final String line) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (Files.exists(workerLog()) &&
                Files.readAllLines(workerLog(), StandardCharsets.ISO_8859_1).contains(line))
            {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the worker did not log: " + line);
    }

    private Path workerLog()
    {
        return listener.logDir().resolve(QUEUE + ".log");
    }
}
