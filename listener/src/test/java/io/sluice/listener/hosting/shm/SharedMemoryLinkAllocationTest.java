package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's encoding into the request ring allocates nothing per request once warm beyond what Netty's headers
 * make it: body chunks from heap and direct buffers ({@link SharedMemoryLink#offerBody}) and request heads
 * ({@link SharedMemoryLink#openRequest}) written into a real ring file, which a consumer drains. Measured with
 * the thread's allocated-bytes counter ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) over
 * many chunks after a warm-up, so that the JIT has compiled the path.
 */
class SharedMemoryLinkAllocationTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int SLOT = 3;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int CHUNKS_PER_ROUND = 10_000;
    private static final int BATCH = 8;
    private static final long ALLOWED_BYTES_PER_CHUNK = 1;
    private static final int BODY_LENGTH = 300;
    /**
     * Netty's headers offer no allocation-free walk: one iterator per request head (24 bytes with compressed
     * references).
     */
    private static final long ALLOWED_BYTES_PER_HEAD = 32;

    @TempDir
    Path tempDir;

    private RingFile rings;
    private ManyToOneRingBuffer consumer;
    private SharedMemoryLink link;
    private SharedMemoryRequest request;
    private ByteBuf heapBody;
    private ByteBuf directBody;
    private final CountingDrain drain = new CountingDrain();

    @BeforeEach
    void before() throws IOException
    {
        rings = new RingFile(tempDir, CAPACITY);
        consumer = rings.requestRing;
        link = new SharedMemoryLink(null, 0, rings.listenerMapping);
        request = new SharedMemoryRequest(null, SLOT);
        // the buffers themselves, not the leak detector's wrappers, which record every access the tests make
        heapBody = unwrapped(Unpooled.buffer(BODY_LENGTH).writeZero(BODY_LENGTH));
        directBody = unwrapped(Unpooled.directBuffer(BODY_LENGTH).writeZero(BODY_LENGTH));
    }

    @AfterEach
    void after()
    {
        heapBody.release();
        directBody.release();
        rings.close();
    }

    @Test
    void shouldNotAllocatePerBodyChunkOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            run(CHUNKS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        run(CHUNKS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_CHUNK * CHUNKS_PER_ROUND,
            "allocated " + allocated + " bytes over " + CHUNKS_PER_ROUND + " chunks");
    }

    @Test
    void shouldAllocateNoMoreThanNettysHeaderIteratorPerRequestHeadOnceWarm()
    {
        final HttpRequest http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/shm/hello");
        http.headers().add("host", "localhost").add("user-agent", "wrk").add("accept", "*/*");
        request.begin(EncodingExchange.create());
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            runHeads(http, CHUNKS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        runHeads(http, CHUNKS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_HEAD * CHUNKS_PER_ROUND,
            "allocated " + allocated + " bytes over " + CHUNKS_PER_ROUND + " request heads");
    }

    @Test
    void shouldAllocateNoMoreThanNettysHeaderIteratorPerRequestWithAnInlineBodyOnceWarm()
    {
        link.workerFeatures(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        final HttpRequest http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/shm/echo");
        http.headers().add("host", "localhost").add("content-length", Integer.toString(BODY_LENGTH));
        request.begin(EncodingExchange.create());
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            runInlineBodies(http, CHUNKS_PER_ROUND);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        runInlineBodies(http, CHUNKS_PER_ROUND);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(
            allocated <= ALLOWED_BYTES_PER_HEAD * CHUNKS_PER_ROUND,
            "allocated " + allocated + " bytes over " + CHUNKS_PER_ROUND + " request heads with an inline body");
    }

    /**
     * Each request its head, then its whole body (from a heap or a direct buffer): one record, no chunk.
     */
    private void runInlineBodies(final HttpRequest http, final int requests)
    {
        final long headsBefore = drain.heads;
        final long chunksBefore = drain.chunks;
        for (int sent = 0; sent < requests; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                final ByteBuf body = (i & 1) == 0 ? heapBody : directBody;
                body.readerIndex(0);
                assertTrue(link.openRequest(request, http, BODY_LENGTH));
                assertTrue(link.offerBody(request, body, true));
            }
            while (consumer.consumerPosition() < consumer.producerPosition())
            {
                // a read stops at the end of the ring's buffer
                consumer.read(drain);
            }
        }
        assertEquals(requests, drain.heads - headsBefore);
        assertEquals(0, drain.chunks - chunksBefore);
    }

    private void runHeads(final HttpRequest http, final int heads)
    {
        final long drainedBefore = drain.heads;
        for (int sent = 0; sent < heads; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                assertTrue(link.openRequest(request, http, 0));
            }
            while (consumer.read(drain) > 0)
            {
                // a read stops at the end of the ring's buffer
            }
        }
        assertEquals(heads, drain.heads - drainedBefore);
    }

    private void run(final int chunks)
    {
        final long drainedBefore = drain.chunks;
        for (int sent = 0; sent < chunks; sent += BATCH)
        {
            for (int i = 0; i < BATCH; i++)
            {
                final ByteBuf body = (i & 1) == 0 ? heapBody : directBody;
                body.readerIndex(0);
                assertTrue(link.offerBody(request, body, false));
            }
            while (consumer.read(drain) > 0)
            {
                // a read stops at the end of the ring's buffer
            }
        }
        assertEquals(chunks, drain.chunks - drainedBefore);
    }

    private static ByteBuf unwrapped(final ByteBuf buffer)
    {
        final ByteBuf inner = buffer.unwrap();
        return null == inner ? buffer : inner;
    }

    /**
     * The worker's side: counts the chunks and heads.
     */
    private static final class CountingDrain implements MessageHandler
    {
        long chunks;
        long heads;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID == msgTypeId)
            {
                chunks++;
            }
            else if (MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID == msgTypeId)
            {
                heads++;
            }
        }
    }
}
