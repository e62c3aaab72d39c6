package io.sluice.dispatch.shm;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full request ring refuses claims and keeps every committed record until the consumer has read it.
 */
@Timeout(10)
class RingBackPressureTest
{
    private static final int CAPACITY = 64 * 1024;

    @TempDir
    Path tempDir;

    private MappedWorkerFile listener;
    private MappedWorkerFile worker;
    private MessageScript producer;
    private MessageScript.Verifier verifier;

    @BeforeEach
    void before() throws IOException
    {
        listener = MappedWorkerFile.create(tempDir, CAPACITY, CAPACITY);
        worker = MappedWorkerFile.attach(listener.file);
        producer = new MessageScript(listener.requestRing.maxMsgLength(), false);
        verifier = new MessageScript.Verifier(new MessageScript(worker.requestRing.maxMsgLength(), false));
    }

    @AfterEach
    void after()
    {
        worker.close();
        listener.close();
    }

    @Test
    void shouldRefuseClaimWithoutOverwritingWhenRingIsFull()
    {
        final ManyToOneRingBuffer ring = listener.requestRing;
        final long written = fill(ring, 0);
        final long tail = ring.producerPosition();

        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, ring.tryClaim(producer.msgTypeId(), producer.length()));
        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, ring.tryClaim(producer.msgTypeId(), producer.length()));
        assertEquals(tail, ring.producerPosition());
        assertEquals(0L, worker.requestRing.consumerPosition());
        assertTrue(CAPACITY - ring.size() < recordLength(producer.length()),
            "refused with " + (CAPACITY - ring.size()) + " bytes free for a " + producer.length() + " byte message");

        assertEquals(written, drain());
        assertEquals(written, verifier.next());
        assertEquals(tail, worker.requestRing.consumerPosition());
        assertTrue(producer.offer(ring, written));
    }

    @Test
    void shouldRefuseClaimWithoutOverwritingWhenFullRingWrapsAround()
    {
        final ManyToOneRingBuffer ring = listener.requestRing;
        long seq = 0;
        while (ring.producerPosition() < 2L * CAPACITY + CAPACITY / 3)
        {
            assertTrue(producer.offer(ring, seq++));
            drain();
        }
        final long start = ring.producerPosition();

        final long written = fill(ring, seq) - seq;

        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, ring.tryClaim(producer.msgTypeId(), producer.length()));
        assertTrue(ring.producerPosition() - start > CAPACITY - recordLength(producer.length()) * 2L,
            "filled only " + (ring.producerPosition() - start));
        assertEquals(written, drain());
        assertEquals(ring.producerPosition(), worker.requestRing.consumerPosition());
    }

    @Test
    void shouldLoseNothingWhenProducerRefillsAfterEveryPartialDrain()
    {
        final ManyToOneRingBuffer ring = listener.requestRing;
        long seq = 0;
        int partial = 1;

        for (int round = 0; round < 300; round++)
        {
            seq = fill(ring, seq);
            assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, ring.tryClaim(producer.msgTypeId(), producer.length()));
            partial = partial % 7 + 1;
            worker.requestRing.controlledRead(verifier, partial);
        }
        drain();

        assertEquals(seq, verifier.next());
        assertEquals(ring.producerPosition(), worker.requestRing.consumerPosition());
        assertTrue(ring.producerPosition() > 20L * CAPACITY, "wrapped only " + ring.producerPosition() / CAPACITY);
    }

    private long fill(final ManyToOneRingBuffer ring, final long from)
    {
        long seq = from;
        while (producer.offer(ring, seq))
        {
            seq++;
        }
        return seq;
    }

    private long drain()
    {
        // a read stops at the end of the buffer, so a wrapped ring (padding record) needs another read
        long total = 0;
        while (worker.requestRing.consumerPosition() < listener.requestRing.producerPosition())
        {
            total += worker.requestRing.controlledRead(verifier);
        }
        return total;
    }

    private static int recordLength(final int messageLength)
    {
        return BitUtil.align(messageLength + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
    }
}
