package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
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
 * and the response drained by the listener's side; and the same with a request body chunk echoed as a streamed
 * response. Measured with the thread's allocated-bytes counter
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
    private static final UnsafeBuffer INLINE_BODY = new UnsafeBuffer(new byte[1024]);

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private SharedMemoryWorker worker;
    private SharedMemoryWorker echoWorker;
    private final RequestHeadEncoder encoder = new RequestHeadEncoder();
    private final CountingDrain drain = new CountingDrain();
    private long nextRequestId = 1;

    @BeforeEach
    void before() throws IOException
    {
        rings = ListenerRings.create(tempDir.resolve("queue-0"), CAPACITY);
        worker = new SharedMemoryWorker(
            new InlineHandler(), rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null);
        echoWorker = new SharedMemoryWorker(
            new StreamingEcho(), rings.header, rings.workerRequestRing(), rings.workerResponseRing(), null);
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

    @Test
    void shouldNotAllocatePerRequestWithABodyOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            runWithBody(REQUESTS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        runWithBody(REQUESTS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_REQUEST * REQUESTS_PER_ROUND,
            "allocated " + allocated + " bytes over " + REQUESTS_PER_ROUND + " requests with a body");
    }

    @Test
    void shouldNotAllocatePerRequestWithAnInlineBodyOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            runWithInlineBody(REQUESTS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        runWithInlineBody(REQUESTS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_REQUEST * REQUESTS_PER_ROUND,
            "allocated " + allocated + " bytes over " + REQUESTS_PER_ROUND + " requests with an inline body");
    }

    /**
     * Each request one head carrying a 1 KiB body inline (more than the exchange's first copy buffer); the echo
     * answers it whole.
     */
    private void runWithInlineBody(final int requests)
    {
        final long answeredBefore = drain.completed;
        for (int sent = 0; sent < requests; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                writeHeadWithInlineBody(nextRequestId++);
            }
            while (rings.requests.consumerPosition() < rings.requests.producerPosition())
            {
                // take the batch (a read that meets the padding at the end of the ring's buffer takes nothing else)
                echoWorker.doWork();
            }
            while (rings.responses.consumerPosition() < rings.responses.producerPosition())
            {
                // a read stops at the end of the ring's buffer (after its padding)
                rings.responses.read(drain);
            }
        }
        assertEquals(requests, drain.completed - answeredBefore);
    }

    private void writeHeadWithInlineBody(final long requestId)
    {
        final int length = RequestHeadEncoder.length(
            4, TARGET.length(), REMOTE_ADDRESS.length(),
            MessageDescriptor.headerEntryLength(HEADER_NAME.length(), HEADER_VALUE.length()));
        final ManyToOneRingBuffer ring = rings.requests;
        final int index = ring.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length + INLINE_BODY.capacity());
        assertTrue(index > 0);
        encoder.wrap(ring.buffer(), index)
            .requestId(requestId)
            .admittedAtNs(0)
            .contentLength(INLINE_BODY.capacity())
            .remotePort(1234)
            .method("POST")
            .target(TARGET)
            .remoteAddress(REMOTE_ADDRESS)
            .header(HEADER_NAME, HEADER_VALUE)
            .inlineBody();
        ring.buffer().putBytes(index + length, INLINE_BODY, 0, INLINE_BODY.capacity());
        ring.commit(index);
    }

    /**
     * Each request a head and a body chunk; the echo streams its answer (its head, held for the body, goes with the
     * chunk as one complete message).
     */
    private void runWithBody(final int requests)
    {
        final long answeredBefore = drain.completed;
        for (int sent = 0; sent < requests; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                final long requestId = nextRequestId++;
                writeHead(requestId, BODY.capacity());
                writeBody(requestId);
            }
            while (echoWorker.doWork() > 0)
            {
                // take the batch
            }
            rings.responses.read(drain);
        }
        assertEquals(requests, drain.completed - answeredBefore);
    }

    private void writeBody(final long requestId)
    {
        final ManyToOneRingBuffer ring = rings.requests;
        final int index = ring.tryClaim(
            MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(BODY.capacity()));
        assertTrue(index > 0);
        BodyChunkFlyweight.encode(ring.buffer(), index, requestId, MessageDescriptor.LAST_FLAG, BODY.capacity());
        ring.buffer().putBytes(BodyChunkFlyweight.dataOffset(index), BODY, 0, BODY.capacity());
        ring.commit(index);
    }

    private void run(final int requests)
    {
        final long answeredBefore = drain.responses;
        for (int sent = 0; sent < requests; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                writeHead(nextRequestId++, -1);
            }
            while (worker.doWork() > 0)
            {
                // take the batch
            }
            rings.responses.read(drain);
        }
        assertEquals(requests, drain.responses - answeredBefore);
    }

    private void writeHead(final long requestId, final long contentLength)
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
            .contentLength(contentLength)
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
     * Answers with a head when the request arrives, and echoes its body as the last chunk of the response.
     */
    private static final class StreamingEcho implements Handler
    {
        public void onRequest(final Exchange exchange)
        {
            exchange.sendHead(200, "application/octet-stream", exchange.contentLength());
        }

        public void onBody(
            final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
        {
            exchange.sendBody(buffer, offset, length, last);
        }
    }

    /**
     * The listener's side: counts the answers and the last body chunks.
     */
    private static final class CountingDrain implements MessageHandler
    {
        long responses;
        long lastChunks;
        long completed;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID == msgTypeId)
            {
                responses++;
                if ((buffer.getInt(index + ResponseHeadEncoder.FLAGS_OFFSET) & MessageDescriptor.LAST_FLAG) != 0)
                {
                    completed++;
                }
            }
            else if (MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID == msgTypeId &&
                (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0)
            {
                lastChunks++;
                completed++;
            }
        }
    }
}
