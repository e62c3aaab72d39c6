package io.sluice.listener;

import io.netty.util.ResourceLeakDetector;
import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's event loops allocate no more per shared-memory request than per in-process request: the same
 * hello-world GET, served by the same handler in the listener's JVM and in a worker process, is sent over real
 * sockets, pipelined, and the bytes the listener's event-loop threads allocated
 * ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) are counted over many requests after a
 * warm-up. The in-process figure includes the handler's own allocation, which the shared-memory figure does not (the
 * handler runs in the worker), so the shared-memory path's checks, bookkeeping and copying allocate nothing beyond what
 * both paths share (Netty's request decoding and response buffers). Netty's leak detection runs at its default,
 * sampling level meanwhile, as in production: the tests' paranoid level allocates a record per buffer access.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLoopAllocationTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .yaml();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int PIPELINE_DEPTH = 16;
    private static final int WARM_UP_ROUNDS = 6;
    private static final int REQUESTS_PER_ROUND = 20_000;
    private static final String EVENT_LOOP_THREAD = "EventLoop";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private static ResourceLeakDetector.Level leakDetection;

    @BeforeAll
    static void leakDetectionAsInProduction()
    {
        leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterAll
    static void leakDetectionBack()
    {
        ResourceLeakDetector.setLevel(leakDetection);
    }

    @Test
    void shouldAllocateNoMoreOnTheEventLoopsPerSharedMemoryRequestThanPerInProcessRequest() throws Exception
    {
        final Set<Long> threadsBefore = liveThreadIds();
        final TestListener listener = LISTENERS.start("alloc", CONFIG);
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/", "/shm/");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        try (PipelinedClient inProcess = new PipelinedClient(listener.port(), "/inproc/");
            PipelinedClient sharedMemory = new PipelinedClient(listener.port(), "/shm/"))
        {
            for (int i = 0; i < WARM_UP_ROUNDS; i++)
            {
                inProcess.run(REQUESTS_PER_ROUND);
                sharedMemory.run(REQUESTS_PER_ROUND);
            }
            final long[] loops = eventLoopThreads(threadsBefore);
            assertTrue(loops.length > 0, "the listener's event-loop threads");

            final long inProcessBytes = allocatedPerRequest(threads, loops, inProcess);
            final long sharedMemoryBytes = allocatedPerRequest(threads, loops, sharedMemory);
            System.out.printf(
                "event-loop bytes allocated per request: in-process %d, shared memory %d (%d loop threads)%n",
                inProcessBytes, sharedMemoryBytes, loops.length);
            assertTrue(
                sharedMemoryBytes <= inProcessBytes,
                "shared memory allocates " + sharedMemoryBytes + " bytes per request on the event loops, in-process " +
                inProcessBytes);
        }
    }

    static long allocatedPerRequest(
        final com.sun.management.ThreadMXBean threads, final long[] loops, final PipelinedClient client)
        throws IOException
    {
        final long before = sum(threads.getThreadAllocatedBytes(loops));
        client.run(REQUESTS_PER_ROUND);
        final long allocated = sum(threads.getThreadAllocatedBytes(loops)) - before;
        return allocated / REQUESTS_PER_ROUND;
    }

    private static long sum(final long[] values)
    {
        long sum = 0;
        for (final long value : values)
        {
            sum += Math.max(0, value);
        }
        return sum;
    }

    static Set<Long> liveThreadIds()
    {
        final Set<Long> ids = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            ids.add(thread.getId());
        }
        return ids;
    }

    static long[] eventLoopThreads(final Set<Long> threadsBefore)
    {
        final List<Long> ids = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (!threadsBefore.contains(thread.getId()) && thread.getName().contains(EVENT_LOOP_THREAD))
            {
                ids.add(thread.getId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * One keep-alive connection sending GETs {@value #PIPELINE_DEPTH} at a time and reading their responses, each the
     * length of the first one (the hello answer's length does not change: its Date header is fixed-width).
     */
    static final class PipelinedClient implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] requests;
        private final byte[] responses;
        private final int responseLength;

        PipelinedClient(final int port, final String path) throws IOException
        {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            final byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
            requests = new byte[request.length * PIPELINE_DEPTH];
            for (int i = 0; i < PIPELINE_DEPTH; i++)
            {
                System.arraycopy(request, 0, requests, i * request.length, request.length);
            }
            out.write(request);
            responseLength = firstResponseLength();
            responses = new byte[responseLength * PIPELINE_DEPTH];
        }

        private int firstResponseLength() throws IOException
        {
            final byte[] buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                final int read = in.read(buffer, length, buffer.length - length);
                assertTrue(read > 0, "the connection closed before the first response");
                length += read;
                final String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
                final int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd < 0)
                {
                    continue;
                }
                assertTrue(text.startsWith("HTTP/1.1 200 "), text);
                final String lower = text.substring(0, headEnd).toLowerCase();
                final int at = lower.indexOf("content-length: ");
                assertTrue(at > 0, text);
                final int contentLength = Integer.parseInt(
                    lower.substring(at + "content-length: ".length(), lower.indexOf("\r\n", at)).trim());
                final int total = headEnd + 4 + contentLength;
                if (length >= total)
                {
                    assertEquals(total, length, "nothing after the first response");
                    return total;
                }
            }
        }

        void run(final int requestCount) throws IOException
        {
            for (int sent = 0; sent < requestCount; sent += PIPELINE_DEPTH)
            {
                out.write(requests);
                int read = 0;
                while (read < responses.length)
                {
                    final int n = in.read(responses, read, responses.length - read);
                    assertTrue(n > 0, "the connection closed");
                    read += n;
                }
                assertEquals('H', responses[0]);
                assertEquals('H', responses[responseLength * (PIPELINE_DEPTH - 1)]);
            }
        }

        public void close() throws IOException
        {
            socket.close();
        }
    }
}
