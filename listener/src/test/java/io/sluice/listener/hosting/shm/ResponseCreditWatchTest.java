package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import io.sluice.listener.queue.FlushListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the listener watches a response for credit: a drain of the response ring that puts half a window or more
 * outstanding watches the response once, at its end, at every body byte the drain handed on, so that the grant that
 * follows covers all of them; and a response that completes within the drain is not watched at all. The worker's
 * records are written into a real ring file as a worker writes them; the exchange records what it is asked.
 */
@Timeout(20)
class ResponseCreditWatchTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 4096;
    private static final int CHUNK = 1000;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private ManyToOneRingBuffer responseRing;
    private LoopLanes lanes;
    private SharedMemoryLink link;
    private final ResponseHeadEncoder encoder = new ResponseHeadEncoder();
    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK]);
    private final RecordingExchange exchange = new RecordingExchange();

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "watch", CAPACITY, WINDOW, 8, -1);
        responseRing = ringFile.responseRing;
        lanes = ringFile.lanes;
        link = ringFile.link;
    }

    @AfterEach
    void after()
    {
        ringFile.close();
    }

    @Test
    void shouldWatchOnceAtTheEndOfTheDrainAtEveryByteItHandedOn()
    {
        final SharedMemoryRequest request = lanes.slots().acquire(exchange, 0);
        request.assign(link, false, WINDOW);
        writeHead(request.requestId());
        // the third chunk puts half a window outstanding; the fourth comes in the same drain
        for (int i = 0; i < 4; i++)
        {
            writeChunk(request.requestId(), false);
        }

        link.drain();

        assertEquals(4 * CHUNK, exchange.bodyBytes, "every chunk reached the exchange");
        assertEquals(List.of(request.requestId()), exchange.watchTokens, "one watch for the drain");
        assertEquals(4 * CHUNK, request.credit.watchMark(), "at every byte the drain handed on, not at the third");
        assertFalse(request.credit.shouldWatch(), "one watch at a time");

        link.flushed(request);
        assertEquals(WINDOW + 4 * CHUNK, request.credit.limit(), "the grant covers the four chunks");
    }

    @Test
    void shouldNotWatchAResponseThatCompletedWithinTheDrain()
    {
        final SharedMemoryRequest request = lanes.slots().acquire(exchange, 0);
        request.assign(link, false, WINDOW);
        final int generation = request.generation();
        writeHead(request.requestId());
        for (int i = 0; i < 3; i++)
        {
            writeChunk(request.requestId(), false);
        }
        writeChunk(request.requestId(), true);

        link.drain();

        assertEquals(4 * CHUNK, exchange.bodyBytes);
        assertTrue(exchange.complete, "the last chunk completed the response");
        assertTrue(request.generation() != generation, "the slot was freed");
        assertEquals(List.of(), exchange.watchTokens, "nothing is left to grant for a response that ended");
    }

    private void writeHead(final long requestId)
    {
        final int length = ResponseHeadEncoder.length(0, 0);
        final int index = responseRing.tryClaim(MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, length);
        assertTrue(index > 0, "room for the head");
        encoder.wrap(responseRing.buffer(), index)
            .requestId(requestId)
            .status(200)
            .contentLength(MessageDescriptor.UNKNOWN_LENGTH)
            .flags(0);
        responseRing.commit(index);
    }

    private void writeChunk(final long requestId, final boolean last)
    {
        final int index = responseRing.tryClaim(
            MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(CHUNK));
        assertTrue(index > 0, "room for the chunk");
        BodyChunkFlyweight.encode(
            responseRing.buffer(), index, requestId, last ? MessageDescriptor.LAST_FLAG : 0, CHUNK);
        responseRing.buffer().putBytes(BodyChunkFlyweight.dataOffset(index), chunk, 0, CHUNK);
        responseRing.commit(index);
    }

    /**
     * An exchange that takes the head and every chunk, and records the watches asked of it.
     */
    private static final class RecordingExchange extends DrainTestExchange
    {
        final List<Long> watchTokens = new ArrayList<>();
        boolean headSent;
        boolean complete;
        long bodyBytes;

        public boolean isHeadSent()
        {
            return headSent;
        }

        public boolean isDone()
        {
            return complete;
        }

        public ByteBuf beginHead(final int status)
        {
            return Unpooled.buffer(64);
        }

        public boolean finishHead(
            final ByteBuf head,
            final int status,
            final long contentLength,
            final DirectBuffer inlineBody,
            final int bodyOffset,
            final int bodyLength,
            final boolean last)
        {
            head.release();
            headSent = true;
            complete = last;
            return true;
        }

        public void body(final DirectBuffer src, final int offset, final int length, final boolean last)
        {
            bodyBytes += length;
            complete = last;
        }

        public void body(final ByteBuf content, final boolean last)
        {
            bodyBytes += content.readableBytes();
            content.release();
            complete = last;
        }

        public void notifyWhenFlushed(final FlushListener listener, final long token)
        {
            watchTokens.add(token);
        }
    }
}
