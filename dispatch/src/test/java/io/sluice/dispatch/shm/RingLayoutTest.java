package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the ring facts docs/shared-memory-protocol.md states for workers written in other languages: the trailer
 * offsets, the record format, padding, the largest message, zeroing before the head moves, and the producer and
 * consumer sequences, by writing and reading raw bytes at the documented offsets against Agrona's ring.
 */
@Timeout(10)
class RingLayoutTest
{
    private static final int CAPACITY = 4096;
    private static final int TAIL = CAPACITY + 128;
    private static final int HEAD_CACHE = CAPACITY + 256;
    private static final int HEAD = CAPACITY + 384;
    private static final int CORRELATION = CAPACITY + 512;
    private static final int CONSUMER_HEARTBEAT = CAPACITY + 640;
    private static final int TRAILER = 768;
    private static final int PADDING = -1;
    private static final int FULL = -2;
    private static final int TYPE = 7;

    private final UnsafeBuffer bytes = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + TRAILER));
    private final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(bytes);

    @Test
    void shouldPlaceTrailerFieldsAtDocumentedOffsets()
    {
        assertEquals(128, RingBufferDescriptor.TAIL_POSITION_OFFSET);
        assertEquals(256, RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET);
        assertEquals(384, RingBufferDescriptor.HEAD_POSITION_OFFSET);
        assertEquals(512, RingBufferDescriptor.CORRELATION_COUNTER_OFFSET);
        assertEquals(640, RingBufferDescriptor.CONSUMER_HEARTBEAT_OFFSET);
        assertEquals(TRAILER, RingBufferDescriptor.TRAILER_LENGTH);
        assertEquals(8, RecordDescriptor.HEADER_LENGTH);
        assertEquals(8, RecordDescriptor.ALIGNMENT);
        assertEquals(PADDING, RingBuffer.PADDING_MSG_TYPE_ID);

        ring.consumerHeartbeatTime(11);
        assertEquals(11, bytes.getLong(CONSUMER_HEARTBEAT));
        assertEquals(0, ring.nextCorrelationId());
        assertEquals(1, bytes.getLong(CORRELATION));
    }

    @Test
    void shouldAllowMessagesOfExactlyOneEighthOfCapacity()
    {
        for (final int capacity : new int[]{ 4096, 64 * 1024, 1024 * 1024 })
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + TRAILER)));
            assertEquals(capacity / 8, ring.maxMsgLength());
            assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(TYPE, capacity / 8 + 1));
            final int index = ring.tryClaim(TYPE, capacity / 8);
            assertEquals(RecordDescriptor.HEADER_LENGTH, index);
            ring.commit(index);
            assertEquals(capacity / 8 + 8, ring.buffer().getInt(0), "record length, header included");
        }
    }

    @Test
    void shouldCountHeaderInRecordLengthAndAlignTailToEight()
    {
        assertTrue(ring.write(TYPE, new UnsafeBuffer(new byte[]{ 1, 2, 3, 4, 5 }), 0, 5));

        assertEquals(8 + 5, bytes.getInt(0));
        assertEquals(TYPE, bytes.getInt(4));
        assertEquals(5, bytes.getByte(12));
        assertEquals(16, bytes.getLong(TAIL));
        assertEquals(0, bytes.getLong(HEAD));
        assertEquals(0, bytes.getLong(HEAD_CACHE));
    }

    @Test
    void shouldMarkClaimedRecordWithNegativeLengthUntilCommitted()
    {
        final int index = ring.tryClaim(TYPE, 20);

        assertEquals(-(8 + 20), bytes.getInt(0));
        assertEquals(TYPE, bytes.getInt(4));
        assertEquals(32, bytes.getLong(TAIL));
        assertEquals(0, ring.read((msgTypeId, buffer, offset, length) -> {}), "not readable while negative");

        ring.commit(index);
        assertEquals(8 + 20, bytes.getInt(0));
        assertEquals(1, ring.read((msgTypeId, buffer, offset, length) -> {}));
    }

    @Test
    void shouldZeroConsumedBytesAndMoveHeadByAlignedLength()
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[]{ 9, 9, 9 });
        assertTrue(ring.write(TYPE, message, 0, 3));
        assertTrue(ring.write(TYPE, message, 0, 3));
        final long[] headSeenByHandler = new long[1];

        assertEquals(2, ring.read((msgTypeId, buffer, offset, length) -> headSeenByHandler[0] = bytes.getLong(HEAD)));

        assertEquals(0, headSeenByHandler[0], "the head moves after the handler returns");
        assertEquals(32, bytes.getLong(HEAD));
        for (int i = 0; i < 32; i++)
        {
            assertEquals(0, bytes.getByte(i), "byte " + i);
        }
    }

    @Test
    void shouldWritePaddingToEndAndRecordAtStartWhenRecordDoesNotFitBeforeEnd()
    {
        advanceTo(CAPACITY - 24);

        assertTrue(ring.write(TYPE, new UnsafeBuffer(new byte[40]), 0, 40));

        assertEquals(24, bytes.getInt(CAPACITY - 24), "padding record length: the bytes to the end");
        assertEquals(PADDING, bytes.getInt(CAPACITY - 20));
        assertEquals(8 + 40, bytes.getInt(0));
        assertEquals(TYPE, bytes.getInt(4));
        assertEquals(CAPACITY - 24 + 24 + 48, bytes.getLong(TAIL));

        final MessageHandler count = (msgTypeId, buffer, offset, length) -> {};
        assertEquals(0, ring.read(count), "a read stops at the end: only the padding");
        assertEquals(CAPACITY, bytes.getLong(HEAD), "but the head moved: look again");
        assertEquals(1, ring.read(count));
    }

    @Test
    void shouldPublishPaddingAndClaimNothingWhenStartOfBufferIsNotFreeEither()
    {
        assertEquals(FULL, RingBuffer.INSUFFICIENT_CAPACITY);
        for (final boolean documented : new boolean[]{ false, true })
        {
            bytes.setMemory(0, CAPACITY + TRAILER, (byte)0);
            // 40 bytes free: 24 before the end of the data area, 16 at its start (the head's index is 16)
            bytes.putLong(HEAD, CAPACITY + 16);
            bytes.putLong(HEAD_CACHE, CAPACITY + 16);
            bytes.putLong(TAIL, CAPACITY + CAPACITY - 24);

            final boolean claimed = documented ? documentedWrite(new byte[24]) : ring.tryClaim(TYPE, 24) != FULL;

            assertFalse(claimed, "a 32-byte record fits neither before the end nor at the start");
            assertEquals(24, bytes.getInt(CAPACITY - 24), "the padding record is published anyway");
            assertEquals(PADDING, bytes.getInt(CAPACITY - 20));
            assertEquals(2L * CAPACITY, bytes.getLong(TAIL), "the tail moved to the end of the data area");
            assertEquals(0, bytes.getInt(0), "nothing claimed at the start");
        }
    }

    @Test
    void shouldInteroperateWithAgronaWhenRecordsAreProducedAndConsumedAsDocumented()
    {
        final Random random = new Random(42);
        final List<byte[]> sent = new ArrayList<>();
        final List<byte[]> received = new ArrayList<>();
        final MessageHandler collect = (msgTypeId, buffer, offset, length) ->
        {
            assertEquals(TYPE, msgTypeId);
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
        };
        for (int round = 0; round < 2_000; round++)
        {
            final boolean documentedProducer = (round & 1) == 0;
            final int burst = 1 + random.nextInt(8);
            for (int i = 0; i < burst; i++)
            {
                final byte[] message = new byte[random.nextInt(CAPACITY / 8 + 1)];
                random.nextBytes(message);
                final boolean written = documentedProducer ?
                    documentedWrite(message) : ring.write(TYPE, new UnsafeBuffer(message), 0, message.length);
                if (written)
                {
                    sent.add(message);
                }
            }
            if (documentedProducer)
            {
                ring.read(collect);
            }
            else
            {
                documentedRead(collect);
            }
        }
        // at most two reads: one may stop at the end of the data area
        documentedRead(collect);
        documentedRead(collect);
        assertEquals(bytes.getLong(TAIL), bytes.getLong(HEAD));

        assertTrue(bytes.getLong(TAIL) > 50L * CAPACITY, "wrapped many times: " + bytes.getLong(TAIL));
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i);
        }
    }

    /**
     * Consume and zero records until the tail's index is {@code index}.
     */
    private void advanceTo(final int index)
    {
        final UnsafeBuffer filler = new UnsafeBuffer(new byte[CAPACITY / 8]);
        while (bytes.getLong(TAIL) < index)
        {
            final int room = index - (int)bytes.getLong(TAIL) - RecordDescriptor.HEADER_LENGTH;
            assertTrue(ring.write(TYPE, filler, 0, Math.min(room, CAPACITY / 8)));
            assertEquals(1, ring.read((msgTypeId, buffer, offset, length) -> {}));
        }
        assertEquals(index, bytes.getLong(TAIL));
        assertEquals(index, bytes.getLong(HEAD));
    }

    /**
     * The producer sequence of the protocol document, in raw loads and stores at the documented offsets.
     */
    private boolean documentedWrite(final byte[] message)
    {
        final int recordLength = 8 + message.length;
        final int required = BitUtil.align(recordLength, 8);
        long headCache = bytes.getLongAcquire(HEAD_CACHE);
        long tail;
        long newTail;
        int tailIndex;
        int writeIndex;
        int padding;
        do
        {
            tail = bytes.getLongAcquire(TAIL);
            if (required > CAPACITY - (int)(tail - headCache))
            {
                headCache = bytes.getLongAcquire(HEAD);
                if (required > CAPACITY - (int)(tail - headCache))
                {
                    return false;
                }
                bytes.putLongRelease(HEAD_CACHE, headCache);
            }
            newTail = tail + required;
            padding = 0;
            tailIndex = (int)tail & (CAPACITY - 1);
            writeIndex = tailIndex;
            final int toEnd = CAPACITY - tailIndex;
            if (required > toEnd)
            {
                int headIndex = (int)headCache & (CAPACITY - 1);
                writeIndex = 0;
                if (required > headIndex)
                {
                    headCache = bytes.getLongAcquire(HEAD);
                    headIndex = (int)headCache & (CAPACITY - 1);
                    if (required > headIndex)
                    {
                        writeIndex = FULL;
                        newTail = tail;
                    }
                    bytes.putLongRelease(HEAD_CACHE, headCache);
                }
                padding = toEnd;
                newTail += padding;
            }
        }
        while (!bytes.compareAndSetLong(TAIL, tail, newTail));

        if (padding != 0)
        {
            bytes.putIntRelease(tailIndex, -padding);
            VarHandle.releaseFence();
            bytes.putInt(tailIndex + 4, PADDING);
            bytes.putIntRelease(tailIndex, padding);
        }
        if (writeIndex == FULL)
        {
            return false;
        }
        bytes.putIntRelease(writeIndex, -recordLength);
        VarHandle.releaseFence();
        bytes.putInt(writeIndex + 4, TYPE);
        bytes.putBytes(writeIndex + 8, message);
        bytes.putIntRelease(writeIndex, recordLength);
        return true;
    }

    /**
     * The consumer sequence of the protocol document, in raw loads and stores at the documented offsets.
     *
     * @return the number of messages handled (padding is consumed but not counted).
     */
    private int documentedRead(final MessageHandler handler)
    {
        final long head = bytes.getLong(HEAD);
        final int headIndex = (int)head & (CAPACITY - 1);
        final int limit = CAPACITY - headIndex;
        int bytesRead = 0;
        int messages = 0;
        while (bytesRead < limit)
        {
            final int index = headIndex + bytesRead;
            final int length = bytes.getIntAcquire(index);
            if (length <= 0)
            {
                break;
            }
            bytesRead += BitUtil.align(length, 8);
            final int type = bytes.getInt(index + 4);
            if (type == PADDING)
            {
                continue;
            }
            handler.onMessage(type, bytes, index + 8, length - 8);
            messages++;
        }
        if (bytesRead > 0)
        {
            bytes.setMemory(headIndex, bytesRead, (byte)0);
            bytes.putLongRelease(HEAD, head + bytesRead);
        }
        return messages;
    }
}
