package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import io.sluice.dispatch.shm.ResponseRingProducer;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's consumer of a response ring zeroed ahead
 * ({@link WorkerFileDescriptor#FEATURE_RESPONSE_RING_ZEROED_AHEAD}): for a worker that announced it, each record taken
 * has only its header zeroed and every answer arrives whole over laps of a ring full of old bytes; for one that did
 * not, what is taken is zeroed whole; a worker that announces it and leaves old bytes where its next header belongs
 * fails alone, its request answered 502; and once it exits its replacement is read as one without the feature. The
 * worker's records are written into a real ring file as a worker writes them.
 */
@Timeout(20)
class ResponseRingZeroedAheadTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int WINDOW = 64 * 1024;
    private static final int STALE_LENGTH = 16;
    private static final int STALE_TYPE = 77;

    @TempDir
    Path tempDir;

    private LinkOverRingFile ringFile;
    private LoopLanes lanes;
    private SharedMemoryLink link;
    private AtomicBuffer ring;
    private final ResponseHeadEncoder encoder = new ResponseHeadEncoder();
    private final RecordingExchange exchange = new RecordingExchange();

    @BeforeEach
    void before() throws IOException
    {
        ringFile = new LinkOverRingFile(tempDir, "zeroed", CAPACITY, WINDOW, 8, -1);
        lanes = ringFile.lanes;
        link = ringFile.link;
        ring = ringFile.responseRing.buffer();
    }

    @AfterEach
    void after()
    {
        ringFile.close();
    }

    @Test
    void shouldZeroOnlyTheHeadersItTakesFromAWorkerThatZeroesAheadAndReadEveryAnswerWholeOverLaps()
    {
        fillStale();
        link.workerFeatures(announced(WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD));
        final ResponseRingProducer producer = new ResponseRingProducer(ring);
        final Random random = new Random(3);
        long bytes = 0;
        for (int i = 0; i < 200; i++)
        {
            final byte[] body = body(random, 1 + random.nextInt(6000));
            final long requestId = request().requestId();
            final int index = producer.tryClaim(
                MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, ResponseHeadEncoder.length(0, body.length));
            assertTrue(index > 0, "room");
            encode(index, requestId, body);
            producer.commit(index);
            final int recordIndex = index - RecordDescriptor.HEADER_LENGTH;

            link.drain();

            assertFalse(link.isFailed(), "response " + i);
            assertArrayEquals(body, exchange.lastBody, "response " + i);
            assertEquals(0, ring.getLong(recordIndex), "the header of the record taken is zeroed");
            assertEquals(requestId, ring.getLong(index + MessageDescriptor.REQUEST_ID_OFFSET),
                "its message is left as it was, response " + i);
            bytes += body.length;
        }
        assertEquals(200, exchange.answered);
        assertTrue(bytes > 4 * CAPACITY, "laps: " + bytes);
    }

    @Test
    void shouldZeroWholeWhatItTakesFromAWorkerThatDoesNotAnnounceIt()
    {
        link.workerFeatures(announced(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE));
        final int index = writeWithAgrona(ringFile.responseRing, request().requestId(), new byte[100]);

        link.drain();

        assertEquals(1, exchange.answered);
        assertEquals(0, ring.getLong(index - RecordDescriptor.HEADER_LENGTH));
        assertEquals(0, ring.getLong(index), "the message is zeroed too");
    }

    @Test
    void shouldFailAWorkerThatAnnouncesItButLeavesOldBytesAndReadItsReplacementAsOneWithout()
    {
        final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(ringFile.workerMapping());
        link.workerFeatures(announced(WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD));
        // a lap's old bytes: a body chunk for the request still waiting, before its head, where the next header goes
        final SharedMemoryRequest answered = request();
        final SharedMemoryRequest waiting = request();
        final byte[] body = new byte[40];
        final int index = writeWithAgrona(ringFile.responseRing, answered.requestId(), body);
        final int next =
            index + BitUtil.align(ResponseHeadEncoder.length(0, body.length), RecordDescriptor.ALIGNMENT);
        final int chunk = RecordDescriptor.encodedMsgOffset(next);
        ring.putInt(RecordDescriptor.typeOffset(next), MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID);
        BodyChunkFlyweight.encode(ring, chunk, waiting.requestId(), 0, 8);
        ring.putInt(RecordDescriptor.lengthOffset(next), RecordDescriptor.HEADER_LENGTH + BodyChunkFlyweight.length(8));

        link.drain();

        assertEquals(1, exchange.answered, "the worker's own record was read");
        assertTrue(link.isFailed(), "the old bytes, past the tail, failed the worker, not the listener");
        assertEquals(List.of(), exchange.errors, "before any of them was used");

        assertSame(exchange, waiting.exchange(), "the request they named is left to the worker's exit, untouched");

        link.workerExited();

        assertEquals(0, header.getIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET), "features cleared");
        assertFalse(link.isFailed());
        // a replacement that announces nothing: what it writes is zeroed whole once taken
        link.workerFeatures(header.getIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET));
        final int again = writeWithAgrona(ringFile.responseRing, request().requestId(), new byte[100]);
        link.drain();
        assertEquals(2, exchange.answered);
        assertEquals(0, ring.getLong(again), "the replacement's message is zeroed");
    }

    @Test
    void shouldNeverHandOnOldBytesPastTheTailThatReadAsAWholeAnswer()
    {
        link.workerFeatures(announced(WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD));
        final SharedMemoryRequest answered = request();
        final SharedMemoryRequest waiting = request();
        final int index = writeWithAgrona(ringFile.responseRing, answered.requestId(), new byte[40]);
        // an earlier lap's bytes where the next header belongs, reading as a whole 200 for the request still waiting:
        // the worker announced the ring zeroed ahead and did not zero there
        final byte[] stale = "not this client's answer".getBytes(StandardCharsets.US_ASCII);
        final int next = index + BitUtil.align(ResponseHeadEncoder.length(0, 40), RecordDescriptor.ALIGNMENT);
        ring.putInt(RecordDescriptor.typeOffset(next), MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID);
        encode(RecordDescriptor.encodedMsgOffset(next), waiting.requestId(), stale);
        ring.putIntRelease(RecordDescriptor.lengthOffset(next),
            RecordDescriptor.HEADER_LENGTH + ResponseHeadEncoder.length(0, stale.length));

        link.drain();

        assertEquals(1, exchange.answered, "only the record below the tail reached a client");
        assertTrue(link.isFailed(), "the record past the tail failed the worker");
        assertEquals(40, exchange.lastBody.length);
        assertEquals(List.of(), exchange.errors);
        assertSame(exchange, waiting.exchange(), "the request they named is left to the worker's exit, untouched");
    }

    private int announced(final int features)
    {
        WorkerFileDescriptor.headerBuffer(ringFile.workerMapping())
            .putIntVolatile(WorkerFileDescriptor.WORKER_FEATURES_OFFSET, features);
        return features;
    }

    private SharedMemoryRequest request()
    {
        final SharedMemoryRequest request = lanes.slots().acquire(exchange, 0);
        request.assign(link, false, WINDOW);
        return request;
    }

    private int writeWithAgrona(final ManyToOneRingBuffer responseRing, final long requestId, final byte[] body)
    {
        final int index = responseRing.tryClaim(
            MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, ResponseHeadEncoder.length(0, body.length));
        assertTrue(index > 0, "room");
        encode(index, requestId, body);
        responseRing.commit(index);
        return index;
    }

    private void encode(final int index, final long requestId, final byte[] body)
    {
        encoder.wrap(ring, index)
            .requestId(requestId)
            .status(200)
            .contentLength(body.length)
            .flags(MessageDescriptor.LAST_FLAG)
            .body(new UnsafeBuffer(body), 0, body.length);
    }

    private static byte[] body(final Random random, final int length)
    {
        final byte[] body = new byte[length];
        random.nextBytes(body);
        return body;
    }

    /**
     * Old bytes in the whole data part but the header at the tail (0), each 8 bytes a record header of an unknown
     * type: as laps of a ring whose consumer zeroed only headers may leave it.
     */
    private void fillStale()
    {
        for (int i = 8; i < CAPACITY; i += 8)
        {
            ring.putInt(i, STALE_LENGTH);
            ring.putInt(i + 4, STALE_TYPE);
        }
    }

    /**
     * An exchange that takes each answer in one head with its body inline, and records the errors asked of it.
     */
    private static final class RecordingExchange extends DrainTestExchange
    {
        final List<Integer> errors = new ArrayList<>();
        int answered;
        byte[] lastBody;

        public boolean isHeadSent()
        {
            return false;
        }

        public boolean isDone()
        {
            return false;
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
            lastBody = new byte[bodyLength];
            inlineBody.getBytes(bodyOffset, lastBody);
            answered++;
            return true;
        }

        public void body(final DirectBuffer src, final int offset, final int length, final boolean last)
        {
            throw new IllegalStateException("no body chunk expected: " + length + " bytes at " + offset);
        }

        public void body(final ByteBuf content, final boolean last)
        {
            content.release();
            throw new IllegalStateException("no body chunk expected");
        }

        public void sendError(final int status, final String message)
        {
            errors.add(status);
        }
    }
}
