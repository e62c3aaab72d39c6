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

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResponseRingProducer}: Agrona's bytes and positions on a ring its consumer zeroes whole; and on a ring whose
 * free part holds stale bytes everywhere (old messages made of words that read as record headers), a consumer that
 * zeroes only the headers of the records it takes never reads a stale byte, across laps, at the padded end of the
 * buffer, at a full ring, and with two threads claiming at once.
 */
@Timeout(20)
class ResponseRingProducerTest
{
    private static final int CAPACITY = 4096;
    private static final int TYPE = 5;
    private static final int STALE_TYPE = 77;
    private static final int STALE_LENGTH = 16;
    private static final int ID_LENGTH = 8;
    private static final byte TAIL_BYTE = 0x33;
    private static final MessageHandler IGNORE = (msgTypeId, buffer, index, length) ->
    {
    };

    private final UnsafeBuffer buffer = ring();
    private final ResponseRingProducer producer = new ResponseRingProducer(buffer);
    private final HeaderOnlyConsumer consumer = new HeaderOnlyConsumer(buffer);

    @Test
    void shouldWriteAgronasBytesAndPositionsOnARingItsConsumerZeroesWhole()
    {
        final UnsafeBuffer agronaBuffer = ring();
        final ManyToOneRingBuffer agrona = new ManyToOneRingBuffer(agronaBuffer);
        final ManyToOneRingBuffer agronaConsumer = new ManyToOneRingBuffer(agronaBuffer);
        final ManyToOneRingBuffer ownConsumer = new ManyToOneRingBuffer(buffer);
        final Random random = new Random(7);
        for (int step = 0; step < 2_000; step++)
        {
            final int length = random.nextInt(producer.maxMsgLength() + 1);
            final int expected = agrona.tryClaim(TYPE, length);
            final int actual = producer.tryClaim(TYPE, length);
            assertEquals(expected, actual, "step " + step);
            if (actual > 0)
            {
                agronaBuffer.setMemory(actual, length, (byte)step);
                buffer.setMemory(actual, length, (byte)step);
                if (0 == step % 7)
                {
                    agrona.abort(expected);
                    producer.abort(actual);
                }
                else
                {
                    agrona.commit(expected);
                    producer.commit(actual);
                }
            }
            if (random.nextInt(3) == 0)
            {
                final int limit = 1 + random.nextInt(6);
                assertEquals(agronaConsumer.read(IGNORE, limit), ownConsumer.read(IGNORE, limit));
            }
            assertArrayEquals(bytes(agronaBuffer), bytes(buffer), "step " + step);
        }
    }

    @Test
    void shouldNeverShowAConsumerThatZeroesOnlyHeadersAStaleByteAcrossLaps()
    {
        fillStale(buffer);
        final Random random = new Random(11);
        int produced = 0;
        int refused = 0;
        for (int step = 0; step < 20_000; step++)
        {
            if (random.nextInt(5) < 3)
            {
                if (produce(producer, 0, produced, length(random)))
                {
                    produced++;
                }
                else
                {
                    refused++;
                }
            }
            else
            {
                consumer.take(1 + random.nextInt(8));
                assertNull(consumer.failure, consumer.failure);
            }
        }
        while (consumer.received[0] < produced)
        {
            assertTrue(consumer.takeAll() > 0, "every record produced is read");
            assertNull(consumer.failure, consumer.failure);
        }
        assertEquals(produced, consumer.received[0]);
        assertTrue(produced > 10 * CAPACITY / (producer.maxMsgLength() / 2), "many laps: " + produced);
        assertTrue(refused > 0, "the ring was full at times");
        assertTrue(consumer.paddings > 0, "the end of the buffer was padded");
    }

    @Test
    void shouldPadTheEndAndZeroTheHeaderAfterTheRecordAtTheStart()
    {
        fillStale(buffer);
        // 8 records of 504 bytes: the tail at 4032, 64 bytes before the end
        for (int i = 0; i < 8; i++)
        {
            assertTrue(produce(producer, 0, i, 504 - RecordDescriptor.HEADER_LENGTH));
        }
        assertEquals(8, consumer.takeAll());
        assertEquals(0, buffer.getLong(4032), "zeroed ahead");
        assertEquals(STALE_LENGTH, buffer.getInt(104), "an old message's word, where the next record will end");

        assertTrue(produce(producer, 0, 8, 100 - RecordDescriptor.HEADER_LENGTH));

        assertEquals(RingBuffer.PADDING_MSG_TYPE_ID, buffer.getInt(RecordDescriptor.typeOffset(4032)));
        assertEquals(64, buffer.getInt(RecordDescriptor.lengthOffset(4032)), "the end is padded");
        assertEquals(100, buffer.getInt(RecordDescriptor.lengthOffset(0)), "the record at the start");
        assertEquals(0, buffer.getLong(104), "the header after it is zeroed");
        assertEquals(STALE_LENGTH, buffer.getInt(112), "nothing past it is touched");
        assertEquals(1, consumer.takeAll());
        assertEquals(1, consumer.paddings);
        assertEquals(CAPACITY + 104, consumer.head);
        assertNull(consumer.failure, consumer.failure);
    }

    @Test
    void shouldPadAloneWhenTheRecordDoesNotFitAtTheStartYet()
    {
        fillStale(buffer);
        for (int i = 0; i < 8; i++)
        {
            assertTrue(produce(producer, 0, i, 504 - RecordDescriptor.HEADER_LENGTH));
        }
        // the listener took the first record only: 504 bytes free at the start, not enough for 520
        assertEquals(1, consumer.take(1));
        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, producer.tryClaim(TYPE, producer.maxMsgLength()));
        assertEquals(RingBuffer.PADDING_MSG_TYPE_ID, buffer.getInt(RecordDescriptor.typeOffset(4032)));
        assertEquals(CAPACITY, buffer.getLong(CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET));
        assertEquals(0, buffer.getLong(0), "the header after the padding reads nothing yet");

        assertEquals(7, consumer.takeAll());
        assertEquals(CAPACITY, consumer.head);
        assertTrue(produce(producer, 0, 8, 40));
        assertEquals(1, consumer.takeAll());
        assertEquals(9, consumer.received[0]);
        assertNull(consumer.failure, consumer.failure);
    }

    @Test
    void shouldLeaveTheHeadRecordsHeaderAloneWhenTheRingIsFull()
    {
        fillStale(buffer);
        assertTrue(produce(producer, 0, 0, 100));
        assertEquals(1, consumer.takeAll());
        final int head = 112;
        // from the head at 112: 7 records of 512 and one of 400 reach the end of the buffer, 112 more fill the ring
        for (int i = 1; i <= 7; i++)
        {
            assertTrue(produce(producer, 0, i, 512 - RecordDescriptor.HEADER_LENGTH));
        }
        assertTrue(produce(producer, 0, 8, 400 - RecordDescriptor.HEADER_LENGTH));
        assertEquals(CAPACITY, buffer.getLong(CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET));
        assertTrue(produce(producer, 0, 9, head - RecordDescriptor.HEADER_LENGTH));
        assertEquals(head + CAPACITY, buffer.getLong(CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET), "full");
        assertEquals(512, buffer.getInt(RecordDescriptor.lengthOffset(head)),
            "the header at the full ring's tail is the head record's, not zeroed");
        assertEquals(TYPE, buffer.getInt(RecordDescriptor.typeOffset(head)));
        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, producer.tryClaim(TYPE, 0));

        assertEquals(9, consumer.takeAll());
        assertEquals(10, consumer.received[0]);
        assertEquals(head + CAPACITY, consumer.head);
        assertTrue(produce(producer, 0, 10, ID_LENGTH));
        assertEquals(1, consumer.takeAll());
        assertNull(consumer.failure, consumer.failure);
    }

    @Test
    void shouldKeepTheRecordsOfTwoThreadsClaimingAtOnceWhole() throws InterruptedException
    {
        fillStale(buffer);
        final int perProducer = 30_000;
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicBoolean stopped = new AtomicBoolean();
        final Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++)
        {
            final int id = p;
            producers[p] = new Thread(() ->
            {
                final Random random = new Random(100 + id);
                for (int seq = 0; seq < perProducer; seq++)
                {
                    final int length = length(random);
                    while (!produce(producer, id, seq, length))
                    {
                        if (stopped.get())
                        {
                            return;
                        }
                        Thread.yield();
                    }
                }
            }, "producer-" + p);
            producers[p].setUncaughtExceptionHandler((t, ex) -> thrown.set(ex));
            producers[p].start();
        }
        // a record lost or zeroed after its claim stops the consumer at a zero header for good: the class timeout
        // interrupts this thread, which then stops and fails on the counts rather than spin on (Thread.yield does not
        // look at the interrupt)
        while ((consumer.received[0] < perProducer || consumer.received[1] < perProducer) && null == thrown.get() &&
            null == consumer.failure && !Thread.currentThread().isInterrupted())
        {
            if (0 == consumer.take(64))
            {
                Thread.yield();
            }
        }
        // a consumer that found something wrong stops reading: the producers give up rather than wait for room
        stopped.set(true);
        for (final Thread thread : producers)
        {
            thread.join();
        }
        assertNull(thrown.get());
        assertNull(consumer.failure, consumer.failure);
        assertEquals(perProducer, consumer.received[0]);
        assertEquals(perProducer, consumer.received[1]);
        assertEquals(0, consumer.takeAll(), "nothing more");
    }

    /**
     * A message: the producer's id and its sequence number, then words that read as record headers of a stale type
     * (so that a consumer reading one where a header belongs fails), then a few bytes of {@link #TAIL_BYTE}.
     */
    private static boolean produce(final ResponseRingProducer producer, final int id, final int seq, final int length)
    {
        final int index = producer.tryClaim(TYPE, length);
        if (index < 0)
        {
            return false;
        }
        final UnsafeBuffer target = (UnsafeBuffer)producer.buffer();
        target.putInt(index, id);
        target.putInt(index + 4, seq);
        int offset = ID_LENGTH;
        for (; offset + 8 <= length; offset += 8)
        {
            target.putInt(index + offset, STALE_LENGTH);
            target.putInt(index + offset + 4, STALE_TYPE);
        }
        target.setMemory(index + offset, length - offset, TAIL_BYTE);
        producer.commit(index);
        return true;
    }

    private static int length(final Random random)
    {
        return ID_LENGTH + random.nextInt(CAPACITY / 8 - ID_LENGTH + 1);
    }

    /**
     * Stale bytes everywhere but the header at the tail (position 0), as a ring left by laps whose consumer zeroed only
     * headers: each 8 bytes read as a record header of 16 bytes of a stale type.
     */
    private static void fillStale(final UnsafeBuffer ring)
    {
        for (int i = 8; i < CAPACITY; i += 8)
        {
            ring.putInt(i, STALE_LENGTH);
            ring.putInt(i + 4, STALE_TYPE);
        }
    }

    private static UnsafeBuffer ring()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }

    private static byte[] bytes(final UnsafeBuffer ring)
    {
        final byte[] bytes = new byte[ring.capacity()];
        ring.getBytes(0, bytes);
        return bytes;
    }

    /**
     * The listener's way with a ring zeroed ahead: each record's length checked against the end of the buffer and
     * against the tail position (a published record lies below it), its header zeroed as it is taken, the head
     * stored once at the end; each message checked whole and in order per producer. The first thing wrong is kept in
     * {@link #failure} and stops the reading.
     */
    private static final class HeaderOnlyConsumer
    {
        private final UnsafeBuffer buffer;
        private final int headPositionIndex = CAPACITY + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        private final int tailPositionIndex = CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET;
        final int[] received = new int[2];
        long head;
        int paddings;
        String failure;

        HeaderOnlyConsumer(final UnsafeBuffer buffer)
        {
            this.buffer = buffer;
        }

        /**
         * @return the messages taken by reads until one moves the head no further.
         */
        int takeAll()
        {
            int messages = 0;
            long before;
            do
            {
                before = head;
                messages += take(Integer.MAX_VALUE);
            }
            while (head != before && null == failure);
            return messages;
        }

        int take(final int limit)
        {
            final int headIndex = (int)head & (CAPACITY - 1);
            final int maxBlockLength = CAPACITY - headIndex;
            int bytesRead = 0;
            int messages = 0;
            while (bytesRead < maxBlockLength && messages < limit && null == failure)
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break;
                }
                if (recordLength < RecordDescriptor.HEADER_LENGTH || recordLength > maxBlockLength - bytesRead)
                {
                    failure = "length " + recordLength + " at " + recordIndex;
                    break;
                }
                // as the listener checks: a published record (padding included) lies below the tail
                final long tail = buffer.getLongVolatile(tailPositionIndex);
                if (head + bytesRead + BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT) > tail)
                {
                    failure = "record of " + recordLength + " at " + recordIndex + " ends past the tail " + tail;
                    break;
                }
                final int type = buffer.getInt(RecordDescriptor.typeOffset(recordIndex));
                buffer.putLong(recordIndex, 0L);
                bytesRead += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                if (RingBuffer.PADDING_MSG_TYPE_ID == type)
                {
                    paddings++;
                    continue;
                }
                messages++;
                check(type, RecordDescriptor.encodedMsgOffset(recordIndex),
                    recordLength - RecordDescriptor.HEADER_LENGTH);
            }
            if (bytesRead > 0)
            {
                head += bytesRead;
                buffer.putLongRelease(headPositionIndex, head);
            }
            return messages;
        }

        private void check(final int type, final int index, final int length)
        {
            if (TYPE != type)
            {
                failure = "type " + type + " at " + index;
                return;
            }
            final int id = buffer.getInt(index);
            final int seq = buffer.getInt(index + 4);
            if (id < 0 || id > 1 || seq != received[id])
            {
                failure = "message " + id + "/" + seq + " at " + index + ", expected sequence " +
                    (id < 0 || id > 1 ? "?" : received[id]);
                return;
            }
            received[id]++;
            int offset = ID_LENGTH;
            for (; offset + 8 <= length; offset += 8)
            {
                if (buffer.getInt(index + offset) != STALE_LENGTH || buffer.getInt(index + offset + 4) != STALE_TYPE)
                {
                    failure = "message " + id + "/" + seq + " changed at " + offset;
                    return;
                }
            }
            for (; offset < length; offset++)
            {
                if (buffer.getByte(index + offset) != TAIL_BYTE)
                {
                    failure = "message " + id + "/" + seq + " changed at " + offset;
                    return;
                }
            }
        }
    }
}
