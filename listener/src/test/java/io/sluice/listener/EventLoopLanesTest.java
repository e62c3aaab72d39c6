package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared-memory queue on a listener with four event loops: each worker serves one lane per loop (its own ring file
 * and doorbell), and requests arriving on every loop, over many concurrent connections, all get exactly one answer,
 * their own; each lane of each worker carries its share; large bodies stream both ways, under flow control, on
 * every loop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLoopLanesTest
{
    private static final int LOOPS = 4;
    private static final int WORKERS = 2;
    private static final int CONNECTIONS = 64;
    private static final int REQUESTS_PER_CONNECTION = 40;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int LARGE_BODY_BYTES = 1024 * 1024;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("lanes", TestConfig.listener()
        .listener("eventLoops", LOOPS)
        .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
            .worker("processes", WORKERS)
            .worker("shutdownTimeLimit", "1s"))
        .yaml());

    @Test
    void shouldAnswerEveryRequestOnEveryLoopExactlyOnce() throws Exception
    {
        final TestListener listener = LISTENER.get();
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");
        assertEquals(LOOPS, host.laneCount());
        awaitAllAttached(listener);
        final long[] before = laneRequestCounts(listener);

        final Map<String, Integer> answers = new ConcurrentHashMap<>();
        final AtomicLong wrong = new AtomicLong();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final int port = listener.port();
        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++)
        {
            final int client = c;
            clients.add(new Thread(() ->
            {
                try (RawHttpClient connection = new RawHttpClient(port))
                {
                    for (int r = 0; r < REQUESTS_PER_CONNECTION; r++)
                    {
                        final String id = client + "-" + r;
                        final byte[] body = ("body of " + id).getBytes(StandardCharsets.US_ASCII);
                        final RawHttpClient.Response response = connection.send(RawHttpClient.concat(
                            RawHttpClient.ascii("POST /shm/echo HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" +
                                "X-Id: " + id + "\r\nContent-Length: " + body.length + "\r\n\r\n"),
                            body));
                        answers.merge(id, 1, Integer::sum);
                        if (200 != response.status() || !("body of " + id).equals(response.bodyText()))
                        {
                            wrong.incrementAndGet();
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "lanes-client-" + c));
        }
        clients.forEach(Thread::start);
        for (final Thread client : clients)
        {
            client.join();
        }

        assertEquals(List.of(), failures, "requests without an answer");
        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, answers.size());
        answers.forEach((id, count) -> assertEquals(1, count, "answers to " + id));
        assertEquals(0, wrong.get(), "answers that were not 200 with their own request's body");
        final Map<String, Integer> executions = DeliveryHandler.executions(listener.logDir().resolve("shm.log"));
        for (final String id : answers.keySet())
        {
            assertEquals(1, executions.getOrDefault("POST " + id, 0), "executions of " + id);
        }

        final long[] after = laneRequestCounts(listener);
        long taken = 0;
        for (int lane = 0; lane < LOOPS; lane++)
        {
            long laneTaken = 0;
            for (int worker = 0; worker < WORKERS; worker++)
            {
                laneTaken += after[worker * LOOPS + lane] - before[worker * LOOPS + lane];
            }
            assertTrue(laneTaken > 0, "lane " + lane + " carried no request");
            taken += laneTaken;
        }
        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, taken, "request heads the workers took, over all lanes");
        for (int worker = 0; worker < WORKERS; worker++)
        {
            long workerTaken = 0;
            for (int lane = 0; lane < LOOPS; lane++)
            {
                workerTaken += after[worker * LOOPS + lane] - before[worker * LOOPS + lane];
            }
            assertTrue(workerTaken > 0, "worker " + worker + " was never chosen");
        }
        assertEquals(0, host.failedWorkerCount());
    }

    @Test
    void shouldStreamLargeBodiesBothWaysOnEveryLoop() throws Exception
    {
        final TestListener listener = LISTENER.get();
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final int port = listener.port();
        final int clientCount = 2 * LOOPS;
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong echoed = new AtomicLong();
        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < clientCount; c++)
        {
            final int client = c;
            clients.add(new Thread(() ->
            {
                // several ring messages each way (capacity / 8 per chunk) and past the response window
                final byte[] body = new byte[LARGE_BODY_BYTES + client];
                new Random(client).nextBytes(body);
                try (RawHttpClient connection = new RawHttpClient(port))
                {
                    final RawHttpClient.Response response = connection.sendWhileReading(
                        RawHttpClient.post("/shm/stream", port, "application/octet-stream", body));
                    if (200 == response.status() && Arrays.equals(body, response.body()))
                    {
                        echoed.incrementAndGet();
                    }
                    else
                    {
                        failures.add(new AssertionError("client " + client + ": status " + response.status() +
                            ", " + response.body().length + " of " + body.length + " bytes"));
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "lanes-stream-" + c));
        }
        clients.forEach(Thread::start);
        for (final Thread client : clients)
        {
            client.join();
        }

        assertEquals(List.of(), failures);
        assertEquals(clientCount, echoed.get(), "bodies echoed byte for byte");
    }

    /**
     * The first answer proves one worker attached; probe until each worker has taken a request (equal loads take
     * turns, so once both are attached the probes reach both).
     */
    private static void awaitAllAttached(final TestListener listener) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true)
        {
            final long[] counts = laneRequestCounts(listener);
            int workersServing = 0;
            for (int worker = 0; worker < WORKERS; worker++)
            {
                long taken = 0;
                for (int lane = 0; lane < LOOPS; lane++)
                {
                    taken += counts[worker * LOOPS + lane];
                }
                workersServing += taken > 0 ? 1 : 0;
            }
            if (workersServing == WORKERS)
            {
                return;
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "not every worker attached in time");
            try (RawHttpClient client = new RawHttpClient(listener.port()))
            {
                assertEquals(200, client.send(RawHttpClient.get("/shm/", listener.port())).status());
            }
            Thread.sleep(10);
        }
    }

    /**
     * @return each lane's count of request heads its worker took (the worker keeps it at offset 384 of the lane's
     * header), worker-major.
     */
    private static long[] laneRequestCounts(final TestListener listener)
    {
        final long[] counts = new long[WORKERS * LOOPS];
        for (int worker = 0; worker < WORKERS; worker++)
        {
            for (int lane = 0; lane < LOOPS; lane++)
            {
                final MappedByteBuffer mapped = IoUtil.mapExistingFile(
                    workerDir(listener, worker).resolve(WorkerFileDescriptor.ringsFileName(lane)).toFile(), "lane");
                try
                {
                    counts[worker * LOOPS + lane] = new UnsafeBuffer(mapped, 0, WorkerFileDescriptor.HEADER_LENGTH)
                        .getLongVolatile(WorkerFileDescriptor.WORKER_REQUESTS_OFFSET);
                }
                finally
                {
                    IoUtil.unmap(mapped);
                }
            }
        }
        return counts;
    }

    private static Path workerDir(final TestListener listener, final int worker)
    {
        return listener.shmDir().resolve(SharedMemoryFiles.workerDirectoryName("shm", worker));
    }
}
