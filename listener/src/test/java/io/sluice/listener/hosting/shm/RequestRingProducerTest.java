package io.sluice.listener.hosting.shm;

import io.sluice.dispatch.shm.RequestRingReader;
import org.agrona.BitUtil;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RequestRingProducer} on a real ring buffer, with Agrona's own consumer on the same bytes and the worker's
 * misbehaviour reproduced by plain stores into the trailer: the producer writes exactly what Agrona's producer writes,
 * never trusts the tail or head cache found in the trailer, accepts only a head a consumer following the protocol
 * could have stored, and always publishes the length it chose.
 */
class RequestRingProducerTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int LENGTH = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    private static final int TAIL = CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET;
    private static final int HEAD_CACHE = CAPACITY + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET;
    private static final int HEAD = CAPACITY + RingBufferDescriptor.HEAD_POSITION_OFFSET;
    private static final int TYPE = 2;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
    private final ManyToOneRingBuffer consumer = new ManyToOneRingBuffer(buffer);
    private RequestRingProducer producer;

    @BeforeEach
    void before()
    {
        producer = new RequestRingProducer(buffer, new PublishedRecords(CAPACITY, 0));
    }

    @Test
    void shouldWriteExactlyWhatAgronasProducerWrites()
    {
        final UnsafeBuffer agronaBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
        final ManyToOneRingBuffer agrona = new ManyToOneRingBuffer(agronaBuffer);
        final ManyToOneRingBuffer agronaConsumer = new ManyToOneRingBuffer(agronaBuffer);
        final Random random = new Random(11);
        for (int step = 0; step < 20_000; step++)
        {
            if (random.nextInt(3) == 0)
            {
                final int records = 1 + random.nextInt(4);
                assertEquals(take(agronaConsumer, records), take(consumer, records), "step " + step);
            }
            else
            {
                final int length = random.nextInt(4) == 0 ? random.nextInt(CAPACITY / 8 + 1) : random.nextInt(200);
                final int type = 1 + random.nextInt(3);
                final int expected = agrona.tryClaim(type, length);
                final int actual = producer.tryClaim(type, length);
                assertEquals(expected, actual, "step " + step);
                if (actual > 0)
                {
                    final byte fill = (byte)(1 + random.nextInt(255));
                    buffer.setMemory(actual, length, fill);
                    agronaBuffer.setMemory(expected, length, fill);
                    if (random.nextInt(10) == 0)
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
            }
            assertTrue(buffer.compareTo(agronaBuffer) == 0, "the same bytes, trailer included, at step " + step);
        }
        assertNull(producer.violation());
    }

    /**
     * The Java worker on a ring zeroed ahead zeroes only the headers of the records it takes, so the message bytes of
     * earlier laps stay in the ring, filled here with bytes that read as a positive length. Whatever the lengths, the
     * padding and the reads, the consumer finds exactly the records committed, in order, and never a stale one: the
     * producer's zeroing ahead keeps the tail's header at 0.
     */
    @Test
    void shouldShowAConsumerThatZeroesOnlyHeadersExactlyTheRecordsCommitted()
    {
        final RequestRingReader reader = new RequestRingReader(consumer, true);
        final ArrayDeque<String> committed = new ArrayDeque<>();
        final Random random = new Random(23);
        long taken = 0;
        for (int step = 0; step < 50_000; step++)
        {
            if (random.nextInt(3) == 0)
            {
                final int limit = 1 + random.nextInt(4);
                final boolean breakEach = random.nextBoolean();
                reader.read(
                    (msgTypeId, buffer, index, length) ->
                    {
                        assertEquals(TYPE, msgTypeId);
                        assertEquals(committed.pollFirst(), buffer.getStringWithoutLengthAscii(index, length));
                        return breakEach ?
                            ControlledMessageHandler.Action.BREAK : ControlledMessageHandler.Action.COMMIT;
                    },
                    limit);
                assertTrue(producer.check(), producer.violation());
                taken = consumer.consumerPosition();
            }
            else
            {
                claimRandom(random, committed);
            }
        }
        while (!committed.isEmpty())
        {
            final int read = reader.read(
                (msgTypeId, buffer, index, length) ->
                {
                    assertEquals(committed.pollFirst(), buffer.getStringWithoutLengthAscii(index, length));
                    return ControlledMessageHandler.Action.COMMIT;
                },
                64);
            assertTrue(read > 0 || consumer.consumerPosition() > taken, "the consumer moves on");
            taken = consumer.consumerPosition();
        }
        assertEquals(0, reader.read((msgTypeId, buffer, index, length) -> ControlledMessageHandler.Action.COMMIT, 64));
        assertEquals(producer.tail(), consumer.consumerPosition());
        assertTrue(producer.tail() > 20L * CAPACITY, "many laps: " + producer.tail());
    }

    /**
     * Workers killed while taking records off a ring zeroed ahead: each dies after zeroing the headers of a random
     * number of the records it read (the last one perhaps only its length word), before it stores the head; the
     * listener repairs the ring from its own account of the records and resets it, and the next worker (zeroing only
     * headers, or everything as Agrona does) goes on. Over many laps of random sizes, the records found are exactly
     * those committed and not taken by a dead worker, in order: stale body bytes never read as a record header.
     */
    @Test
    void shouldRepairAfterWorkersKilledWhileZeroingOnlyHeaders()
    {
        final PublishedRecords records = new PublishedRecords(CAPACITY, 0);
        producer = new RequestRingProducer(buffer, records);
        final RequestRingReader headersOnly = new RequestRingReader(consumer, true);
        final RequestRingReader agrona = new RequestRingReader(consumer, false);
        final ArrayDeque<String> committed = new ArrayDeque<>();
        final Random random = new Random(29);
        final ControlledMessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            assertEquals(TYPE, msgTypeId);
            assertEquals(committed.pollFirst(), buffer.getStringWithoutLengthAscii(index, length));
            return ControlledMessageHandler.Action.COMMIT;
        };
        int crashes = 0;
        for (int step = 0; step < 60_000; step++)
        {
            final int action = random.nextInt(8);
            if (action < 2)
            {
                (random.nextBoolean() ? headersOnly : agrona).read(handler, 1 + random.nextInt(4));
                assertTrue(producer.check(), producer.violation());
            }
            else if (action == 2 && random.nextInt(8) == 0)
            {
                killWhileTaking(random, committed);
                final long head = buffer.getLongVolatile(HEAD);
                producer.reset(records.repair(buffer, head, producer.tail()));
                crashes++;
            }
            else
            {
                claimRandom(random, committed);
            }
        }
        while (!committed.isEmpty())
        {
            final long before = consumer.consumerPosition();
            final int read = headersOnly.read(handler, 64);
            assertTrue(read > 0 || consumer.consumerPosition() > before, "the consumer moves on");
        }
        assertEquals(0, headersOnly.read(handler, 64));
        assertEquals(producer.tail(), consumer.consumerPosition());
        assertTrue(crashes > 100, "crashes: " + crashes);
        assertTrue(producer.tail() > 20L * CAPACITY, "many laps: " + producer.tail());
    }

    /**
     * A headers-only consumer killed mid-take: it zeroed the headers of some of the records from the head on (lowest
     * first, within what one read takes: up to the end of the buffer), perhaps the length word of one more, and never
     * stored the head. The messages of the records it took are removed from {@code committed}.
     */
    private void killWhileTaking(final Random random, final ArrayDeque<String> committed)
    {
        final long head = buffer.getLongVolatile(HEAD);
        final int headIndex = (int)head & (CAPACITY - 1);
        final int limit = (int)Math.min(producer.tail() - head, CAPACITY - headIndex);
        int offset = 0;
        int toTake = random.nextInt(6);
        while (offset < limit)
        {
            final int index = headIndex + offset;
            final int recordLength = buffer.getInt(RecordDescriptor.lengthOffset(index));
            if (recordLength <= 0 || 0 == toTake)
            {
                if (recordLength > 0 && random.nextBoolean())
                {
                    // killed halfway through the header: only the length word is zero
                    takeMessage(buffer.getInt(RecordDescriptor.typeOffset(index)), committed);
                    buffer.putInt(RecordDescriptor.lengthOffset(index), 0);
                }
                break;
            }
            takeMessage(buffer.getInt(RecordDescriptor.typeOffset(index)), committed);
            buffer.putLong(index, 0L);
            offset += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
            toTake--;
        }
    }

    private static void takeMessage(final int msgTypeId, final ArrayDeque<String> committed)
    {
        if (RingBuffer.PADDING_MSG_TYPE_ID != msgTypeId)
        {
            committed.pollFirst();
        }
    }

    @Test
    void shouldClaimNothingWhenTheWorkerWroteTheTail()
    {
        assertTrue(commit(100));
        final long tail = producer.tail();
        buffer.putLongVolatile(TAIL, tail + 4096);
        final byte[] before = bytes();

        assertEquals(RequestRingProducer.BROKEN, producer.tryClaim(TYPE, 100));

        assertArrayEquals(before, bytes(), "nothing written");
        assertTrue(producer.violation().contains("tail position"), producer.violation());
        assertEquals(tail, producer.tail());
        assertFalse(producer.check());
    }

    @Test
    void shouldClaimNothingWhenTheWorkerWroteTheHeadCache()
    {
        assertTrue(commit(100));
        buffer.putLongVolatile(HEAD_CACHE, 0x5151_5151_5151L);
        final byte[] before = bytes();

        assertEquals(RequestRingProducer.BROKEN, producer.tryClaim(TYPE, 100));

        assertArrayEquals(before, bytes(), "nothing written");
        assertTrue(producer.violation().contains("head cache position"), producer.violation());
    }

    /**
     * Agrona's producer takes the head cache from the trailer: a worker's garbage there lets it claim room over
     * records the worker has not taken (what the listener did before it kept its own copy). The listener's producer
     * claims nothing.
     */
    @Test
    void shouldNeverClaimOverRecordsNotTakenWhateverTheTrailerSays()
    {
        while (commit(1000))
        {
            // fill the ring: the worker takes nothing
        }
        final long tail = producer.tail();
        assertEquals(0, consumer.consumerPosition());
        assertTrue(CAPACITY - tail < 1008, "full: " + tail);
        // a head cache that says everything was taken
        buffer.putLongVolatile(HEAD_CACHE, tail);

        assertEquals(RequestRingProducer.BROKEN, producer.tryClaim(TYPE, 1000));
        assertTrue(new ManyToOneRingBuffer(buffer).tryClaim(TYPE, 1000) > 0, "Agrona claims over records not taken");
    }

    @Test
    void shouldFailAHeadPastTheTail()
    {
        assertTrue(commit(100));
        buffer.putLongVolatile(HEAD, producer.tail() + 64);

        assertFalse(producer.check());
        assertTrue(producer.violation().contains("head position"), producer.violation());
        assertEquals(RequestRingProducer.BROKEN, producer.tryClaim(TYPE, 100));
    }

    @Test
    void shouldFailAHeadBehindTheHeadSeenLast()
    {
        assertTrue(commit(100));
        assertTrue(commit(100));
        assertEquals(1, take(consumer, 1).size());
        assertTrue(producer.check());
        final long taken = producer.knownHead();
        assertEquals(consumer.consumerPosition(), taken);

        buffer.putLongVolatile(HEAD, 0);

        assertFalse(producer.check());
        assertTrue(producer.violation().contains("head position of 0"), producer.violation());
    }

    @Test
    void shouldFailAnUnalignedHead()
    {
        assertTrue(commit(100));
        buffer.putLongVolatile(HEAD, 4);

        assertFalse(producer.check());
    }

    @Test
    void shouldFailAHeadInsideARecord()
    {
        assertTrue(commit(100));
        assertTrue(commit(100));
        buffer.putLongVolatile(HEAD, 16);

        assertFalse(producer.check());
    }

    @Test
    void shouldAcceptEveryHeadAConsumerStores()
    {
        final Random random = new Random(5);
        for (int round = 0; round < 5_000; round++)
        {
            commit(random.nextInt(3000));
            take(consumer, random.nextInt(3));
            assertTrue(producer.check(), producer.violation());
            assertEquals(consumer.consumerPosition(), producer.knownHead());
        }
        take(consumer, Integer.MAX_VALUE);
        assertTrue(producer.check());
        assertEquals(producer.tail(), producer.knownHead());
    }

    /**
     * Agrona's commit reads the claimed record's length back from the ring and throws when it is no longer negative;
     * the worker can write it. The producer publishes the length it chose and never reads it back.
     */
    @Test
    void shouldPublishTheLengthItChoseWhateverTheWorkerWroteOverTheClaim()
    {
        final int index = producer.tryClaim(TYPE, 5);
        buffer.putStringWithoutLengthAscii(index, "hello");
        buffer.putIntVolatile(index - RecordDescriptor.HEADER_LENGTH, 12345);

        assertEquals(0, producer.commit(index));

        assertEquals(List.of("hello"), take(consumer, 1));
    }

    @Test
    void shouldTurnAClaimLeftOpenIntoPaddingTheConsumerSkips()
    {
        final int index = producer.tryClaim(TYPE, 50);
        assertTrue(index > 0);
        assertTrue(producer.isClaimOpen());

        assertTrue(commit(3));

        assertFalse(producer.isClaimOpen());
        assertEquals(List.of("aaa"), take(consumer, 2));
        assertEquals(producer.tail(), consumer.consumerPosition());
    }

    @Test
    void shouldClaimAgainFromTheResetTrailerAfterABreak()
    {
        assertTrue(commit(100));
        assertTrue(commit(200));
        buffer.putLongVolatile(TAIL, 999);
        buffer.setMemory(CAPACITY - 64, 64, (byte)7);
        assertFalse(producer.check());
        final long tail = producer.tail();

        producer.reset(tail);

        assertNull(producer.violation());
        assertEquals(tail, buffer.getLongVolatile(TAIL));
        assertEquals(tail, buffer.getLongVolatile(HEAD_CACHE));
        assertEquals(tail, buffer.getLongVolatile(HEAD));
        for (int i = 0; i < CAPACITY; i += 8)
        {
            assertEquals(0, buffer.getLong(i), "the free part is zeroed: " + i);
        }
        assertTrue(commit(4));
        assertEquals(List.of("aaaa"), take(consumer, 1));
    }

    /**
     * Claim, fill with 'a' and commit a message of {@code length} bytes.
     */
    private boolean commit(final int length)
    {
        final int index = producer.tryClaim(TYPE, length);
        if (index == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            return false;
        }
        assertTrue(index > 0, "claimed: " + index);
        buffer.setMemory(index, length, (byte)'a');
        final long position = producer.commit(index);
        assertEquals(position + BitUtil.align(length + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT),
            producer.tail());
        return true;
    }

    /**
     * Take up to {@code records} messages as the Java worker does (controlledRead, commit after each).
     */
    private static List<String> take(final ManyToOneRingBuffer ring, final int records)
    {
        final List<String> taken = new ArrayList<>();
        int reads = 0;
        while (taken.size() < records && reads++ < 3)
        {
            ring.controlledRead(
                (msgTypeId, buffer, index, length) ->
                {
                    taken.add(buffer.getStringWithoutLengthAscii(index, length));
                    return taken.size() < records ?
                        ControlledMessageHandler.Action.COMMIT : ControlledMessageHandler.Action.BREAK;
                });
        }
        return taken;
    }

    private byte[] bytes()
    {
        final byte[] bytes = new byte[LENGTH];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Claim a record of a random size (a quarter of them up to the largest message) and, when the ring had room,
     * fill it with one printable byte, whose int value is a large positive length, commit it and remember it.
     */
    private void claimRandom(final Random random, final ArrayDeque<String> committed)
    {
        final int length = random.nextInt(4) == 0 ? random.nextInt(CAPACITY / 8 + 1) : random.nextInt(300);
        final int index = producer.tryClaim(TYPE, length);
        if (index > 0)
        {
            final byte fill = (byte)('A' + random.nextInt(26));
            buffer.setMemory(index, length, fill);
            producer.commit(index);
            committed.addLast(String.valueOf((char)fill).repeat(length));
        }
    }
}
