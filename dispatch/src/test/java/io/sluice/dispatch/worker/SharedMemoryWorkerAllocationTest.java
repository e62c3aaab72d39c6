package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's read/publish cycle allocates nothing per request once warm: a request head read off the ring, handed to
 * a handler that reads its method, header count and length and answers inline with a small body and a response header,
 * and the response drained by the listener's side. Measured with the thread's allocated-bytes counter
 * ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) over many requests after a warm-up, so that
 * the JIT has compiled (and escape-analysed) the path.
 */
class SharedMemoryWorkerAllocationTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int REQUESTS_PER_ROUND = 10_000;
    private static final int BATCH = 8;
    private static final long ALLOWED_BYTES_PER_REQUEST = 1;
    private static final String TARGET = "/hello";
    private static final String REMOTE_ADDRESS = "127.0.0.1";
    private static final String HEADER_NAME = "host";
    private static final String HEADER_VALUE = "localhost";
    private static final UnsafeBuffer BODY = new UnsafeBuffer("hello".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private SharedMemoryWorker worker;
    private final RequestHeadEncoder encoder = new RequestHeadEncoder();
    private final CountingDrain drain = new CountingDrain();
    private long nextRequestId = 1;

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        worker = new SharedMemoryWorker(
            new InlineHandler(), rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null);
    }

    @AfterEach
    void after()
    {
        rings.close();
    }

    @Test
    void shouldNotAllocatePerRequestOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            run(REQUESTS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        run(REQUESTS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_REQUEST * REQUESTS_PER_ROUND,
            "allocated " + allocated + " bytes over " + REQUESTS_PER_ROUND + " requests");
    }

    private void run(final int requests)
    {
        final long answeredBefore = drain.responses;
        for (int sent = 0; sent < requests; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                writeHead(nextRequestId++);
            }
            while (worker.doWork() > 0)
            {
                // take the batch
            }
            rings.responses.read(drain);
        }
        assertEquals(requests, drain.responses - answeredBefore);
    }

    private void writeHead(final long requestId)
    {
        final int length = RequestHeadEncoder.length(
            3, TARGET.length(), REMOTE_ADDRESS.length(),
            MessageDescriptor.headerEntryLength(HEADER_NAME.length(), HEADER_VALUE.length()));
        final ManyToOneRingBuffer ring = rings.requests;
        final int index = ring.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
        assertTrue(index > 0);
        encoder.wrap(ring.buffer(), index)
            .requestId(requestId)
            .admittedAtNs(0)
            .contentLength(-1)
            .remotePort(1234)
            .method("GET")
            .target(TARGET)
            .remoteAddress(REMOTE_ADDRESS)
            .header(HEADER_NAME, HEADER_VALUE);
        ring.commit(index);
    }

    /**
     * Reads what a typical handler reads, and answers inline.
     */
    private static final class InlineHandler implements Handler
    {
        public void onRequest(final Exchange exchange)
        {
            // the text accessors (target, header values) make strings: allocation the handler asks for
            if (!"GET".equals(exchange.method()) || 1 != exchange.headerCount() || -1 != exchange.contentLength())
            {
                throw new IllegalStateException("request not as sent");
            }
            exchange.responseHeader("x-kind", "hello");
            exchange.respond(200, "text/plain", BODY, 0, BODY.capacity());
        }
    }

    /**
     * The listener's side: counts the answers.
     */
    private static final class CountingDrain implements MessageHandler
    {
        long responses;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID == msgTypeId)
            {
                responses++;
            }
        }
    }
}
