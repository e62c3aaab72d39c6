package io.sluice.dispatch.shm;

import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many thousand messages of varying size through 64 KiB rings, written through the listener's mapping and read
 * through a second mapping of the same file (the worker's), with bursts and drains of random length so the ring
 * wraps hundreds of times at every alignment and is sometimes full.
 */
@Timeout(10)
class RingWrapAroundTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int MESSAGES = 12_000;
    private static final int FILLER_TYPE_ID = 99;

    @TempDir
    Path tempDir;

    private MappedWorkerFile listener;
    private MappedWorkerFile worker;

    @BeforeEach
    void before() throws IOException
    {
        listener = MappedWorkerFile.create(tempDir, CAPACITY, CAPACITY);
        worker = MappedWorkerFile.attach(listener.file);
    }

    @AfterEach
    void after()
    {
        worker.close();
        listener.close();
    }

    @Test
    void shouldReadEveryRequestMessageIntactAndInOrderWhenRingWrapsManyTimes()
    {
        transfer(listener.requestRing, worker.requestRing, false);
    }

    @Test
    void shouldReadEveryResponseMessageIntactAndInOrderWhenRingWrapsManyTimes()
    {
        transfer(worker.responseRing, listener.responseRing, true);
    }

    /**
     * Agrona reads one contiguous block per call: a record committed after a wrap is not seen by a read that starts
     * at the padding before it. A consumer that arms its sleeping flag and "reads once more" must therefore treat a
     * read that advanced the consumer position as progress even when it returned 0 messages.
     */
    @Test
    void shouldNeedSecondReadWhenCommittedRecordFollowsPaddingAtEndOfBuffer()
    {
        final ManyToOneRingBuffer producerView = listener.responseRing;
        final ManyToOneRingBuffer consumerView = worker.responseRing;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[producerView.maxMsgLength()]);
        final MessageHandler ignore = (msgTypeId, buffer, index, length) -> {};
        while (producerView.producerPosition() < CAPACITY - 1000)
        {
            final int room = CAPACITY - 1000 - (int)producerView.producerPosition() - RecordDescriptor.HEADER_LENGTH;
            assertTrue(producerView.write(FILLER_TYPE_ID, payload, 0, Math.min(room, producerView.maxMsgLength())));
            assertEquals(1, consumerView.read(ignore));
        }
        assertEquals(CAPACITY - 1000, consumerView.consumerPosition());

        assertTrue(producerView.write(MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, payload, 0, 2000));

        final int[] seen = new int[1];
        final ControlledMessageHandler count = (msgTypeId, buffer, index, length) ->
        {
            seen[0]++;
            return ControlledMessageHandler.Action.COMMIT;
        };
        assertEquals(0, consumerView.controlledRead(count), "the first read only skips the padding");
        assertEquals(CAPACITY, consumerView.consumerPosition());
        assertEquals(1, consumerView.controlledRead(count));
        assertEquals(1, seen[0]);
        assertEquals(producerView.producerPosition(), consumerView.consumerPosition());
    }

    private static void transfer(
        final ManyToOneRingBuffer producerView, final ManyToOneRingBuffer consumerView, final boolean response)
    {
        final MessageScript producer = new MessageScript(producerView.maxMsgLength(), response);
        final MessageScript.Verifier verifier =
            new MessageScript.Verifier(new MessageScript(consumerView.maxMsgLength(), response));
        final Random random = new Random(0x5EED);
        long produced = 0;
        int refusals = 0;

        while (verifier.next() < MESSAGES)
        {
            final int burst = 1 + random.nextInt(48);
            for (int i = 0; i < burst && produced < MESSAGES; i++)
            {
                if (!producer.offer(producerView, produced))
                {
                    refusals++;
                    break;
                }
                produced++;
            }
            consumerView.controlledRead(verifier, 1 + random.nextInt(48));
        }

        assertEquals(MESSAGES, produced);
        assertEquals(MESSAGES, verifier.next());
        assertEquals(0, consumerView.controlledRead(verifier));
        assertEquals(producerView.producerPosition(), consumerView.consumerPosition());
        assertTrue(consumerView.consumerPosition() > 200L * CAPACITY,
            "wrapped only " + consumerView.consumerPosition() / CAPACITY + " times");
        assertTrue(refusals > 0, "the ring was never full");
    }
}
