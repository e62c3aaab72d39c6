package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credit queue ({@link WorkerFileDescriptor#FEATURE_CREDIT_QUEUE}): {@link CreditQueueWriter} and
 * {@link CreditQueueReader} over a header, the layout as documented (positions at 512 and 640, 128 entries of 16 bytes
 * at 2048), room, order, and a worker that breaks the head's rules losing the queue.
 */
class CreditQueueTest
{
    private final UnsafeBuffer header =
        new UnsafeBuffer(ByteBuffer.allocateDirect(WorkerFileDescriptor.HEADER_LENGTH));
    private final CreditQueueWriter writer = new CreditQueueWriter(header);
    private final List<String> taken = new ArrayList<>();
    private final CreditQueueReader.GrantHandler handler = (id, grant) -> taken.add(id + ":" + grant);

    @Test
    void shouldPinTheDocumentedLayout()
    {
        assertEquals(512, WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET);
        assertEquals(640, WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET);
        assertEquals(2048, WorkerFileDescriptor.CREDIT_QUEUE_ENTRIES_OFFSET);
        assertEquals(128, WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY);
        assertEquals(16, WorkerFileDescriptor.CREDIT_QUEUE_ENTRY_LENGTH);
        assertEquals(4, WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        assertEquals(WorkerFileDescriptor.HEADER_LENGTH, WorkerFileDescriptor.CREDIT_QUEUE_ENTRIES_OFFSET +
            WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY * WorkerFileDescriptor.CREDIT_QUEUE_ENTRY_LENGTH);

        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        assertTrue(writer.offer(0x1_0000_0007L, 65536));
        assertTrue(writer.offer(42, 1));
        // as a worker in another language reads it: raw loads at the documented offsets
        assertEquals(2, header.getLongVolatile(512));
        assertEquals(0x1_0000_0007L, header.getLong(2048));
        assertEquals(65536, header.getInt(2048 + 8));
        assertEquals(0, header.getInt(2048 + 12));
        assertEquals(42, header.getLong(2048 + 16));
        assertEquals(1, header.getInt(2048 + 16 + 8));
    }

    @Test
    void shouldHandGrantsToTheReaderInOrderAndFreeTheirEntries()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        assertEquals(0, reader.poll(handler));
        assertTrue(writer.offer(7, 100));
        assertTrue(writer.offer(8, 200));
        assertEquals(2, reader.poll(handler));
        assertEquals(List.of("7:100", "8:200"), taken);
        assertEquals(2, header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET));
        assertEquals(0, reader.poll(handler));
    }

    @Test
    void shouldRefuseGrantsWhenFullUntilTheReaderTakesThem()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            assertTrue(writer.offer(i, i + 1), "entry " + i);
        }
        assertFalse(writer.offer(1000, 1), "full: the grant goes into the request ring");
        assertEquals(WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY, reader.poll(handler));
        assertTrue(writer.offer(1000, 5), "room again, on the next lap");
        assertEquals(1, reader.poll(handler));
        assertEquals("1000:5", taken.get(taken.size() - 1));
        assertEquals(WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY + 1, taken.size());
        assertTrue(writer.isEnabled());
    }

    @Test
    void shouldNotTakeAGrantTwiceWhenTheHandlerPollsAgain()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        writer.offer(1, 10);
        writer.offer(2, 20);
        writer.offer(3, 30);
        final CreditQueueReader.GrantHandler nested = (id, grant) ->
        {
            taken.add(id + ":" + grant);
            if (1 == id)
            {
                reader.poll(handler);
            }
        };
        assertEquals(1, reader.poll(nested));
        assertEquals(List.of("1:10", "2:20", "3:30"), taken);
    }

    @Test
    void shouldNotUseTheQueueForAWorkerThatDidNotAnnounceIt()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY);
        assertFalse(writer.offer(1, 10));
        assertEquals(0, header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET));
    }

    @Test
    void shouldStopUsingTheQueueWhenTheWorkerStoresAHeadPastTheTail()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            writer.offer(i, 1);
        }
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, 1_000_000);
        assertFalse(writer.offer(1, 1));
        assertFalse(writer.isEnabled());
        // nor does a later, plausible head bring it back for this worker
        header.putLongVolatile(
            WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY);
        assertFalse(writer.offer(1, 1));
    }

    @Test
    void shouldStopUsingTheQueueWhenTheWorkerMovesItsHeadBack()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            writer.offer(i, 1);
        }
        reader.poll(handler);
        for (int i = 0; i < WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY; i++)
        {
            assertTrue(writer.offer(i, 1));
        }
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, 3);
        assertFalse(writer.offer(1, 1));
        assertFalse(writer.isEnabled());
    }

    @Test
    void shouldZeroThePositionsForTheReplacementWorker()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        writer.offer(1, 1);
        reader.poll(handler);
        writer.reset();
        assertFalse(writer.isEnabled());
        assertEquals(0, header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET));
        assertEquals(0, header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET));
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader replacement = new CreditQueueReader(header);
        assertTrue(writer.offer(9, 90));
        assertEquals(1, replacement.poll(handler));
        assertEquals("9:90", taken.get(taken.size() - 1));
    }

    @Test
    void shouldIgnoreATailTheWriterCouldNotHaveStored()
    {
        final CreditQueueReader reader = new CreditQueueReader(header);
        header.putLongVolatile(
            WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET, WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY + 1);
        assertEquals(0, reader.poll(handler));
        assertTrue(taken.isEmpty());
    }
}
