package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's end of the credit queue ({@link CreditQueueWriter}) against a worker that writes anything into the
 * header at any time, as a worker in another language may: heads behind the last one read, past the tail, negative,
 * torn (halves of two values), moved back to replay grants, and garbage in the tail and the entries. The writer must
 * never throw, never write outside the tail position and the entries, keep its tail by its own count, and once it has
 * seen a head that breaks the rules send every later grant of that worker into the request ring.
 */
class CreditQueueHostileWorkerTest
{
    private static final int ROUNDS = 100;
    private static final int STEPS = 2_000;

    private final UnsafeBuffer header =
        new UnsafeBuffer(ByteBuffer.allocateDirect(WorkerFileDescriptor.HEADER_LENGTH));
    private final CreditQueueWriter writer = new CreditQueueWriter(header);

    @Test
    void shouldWriteOnlyItsTailAndEntriesAndCountByItselfWhateverTheWorkerStores()
    {
        final SplittableRandom random = new SplittableRandom(0x5111CEL);
        for (int round = 0; round < ROUNDS; round++)
        {
            header.setMemory(0, WorkerFileDescriptor.HEADER_LENGTH, (byte)0);
            // the listener's own fields, which the writer must leave alone
            header.putLong(WorkerFileDescriptor.LISTENER_HEARTBEAT_OFFSET, 0x0102030405060708L);
            header.putInt(WorkerFileDescriptor.LISTENER_FEATURES_OFFSET, 1);
            writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
            long accepted = 0;
            boolean broken = false;
            for (int step = 0; step < STEPS; step++)
            {
                final int action = random.nextInt(10);
                if (action < 5)
                {
                    final byte[] before = snapshotOutsideQueue();
                    final boolean written = writer.offer(random.nextLong(), 1 + random.nextInt(1 << 20));
                    assertArrayEquals(before, snapshotOutsideQueue(), "the writer touched only its tail and entries");
                    if (written)
                    {
                        accepted++;
                        assertFalse(broken, "no grant into the queue of a worker that broke its rules");
                        assertEquals(accepted, header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET),
                            "the tail is the writer's own count, whatever the worker stored there");
                    }
                    else
                    {
                        // refused by a writer that still uses the queue: the head it just read leaves no room
                        assertTrue(!writer.isEnabled() || accepted -
                            header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET) >= capacity(),
                            "a grant refused only when the queue is full or given up");
                    }
                    broken |= !writer.isEnabled();
                }
                else if (action < 7)
                {
                    // an honest take
                    header.putLongRelease(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, accepted);
                }
                else if (action < 8)
                {
                    final long head = hostileHead(random, accepted);
                    header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, head);
                }
                else if (action < 9)
                {
                    header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET, random.nextLong());
                }
                else
                {
                    header.putLong(CreditQueueWriter.entryOffset(random.nextLong()), random.nextLong());
                    header.putLong(CreditQueueWriter.entryOffset(random.nextLong()) + Long.BYTES, random.nextLong());
                }
            }
        }
    }

    @Test
    void shouldGiveUpTheQueueForEveryHeadOutsideWhatItWrote()
    {
        final long[] heads = {-1, Long.MIN_VALUE, Long.MAX_VALUE, 129, 1L << 32, 0xFFFF_FFFFL, 0x1_0000_0000L + 128};
        for (final long head : heads)
        {
            writer.reset();
            writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
            fill();
            header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, head);
            assertFalse(writer.offer(1, 1), "head " + head);
            assertFalse(writer.isEnabled(), "head " + head);
            // nor does an honest head afterwards bring the queue back for this worker
            header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, capacity());
            assertFalse(writer.offer(1, 1), "head " + head);
            assertEquals(capacity(), header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET));
        }
    }

    @Test
    void shouldGiveUpTheQueueWhenTheWorkerMovesItsHeadBackToReplayGrants()
    {
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        final List<Long> taken = new ArrayList<>();
        fill();
        assertEquals(capacity(), reader.poll((id, grant) -> taken.add(id)));
        fill();
        // replay: the head moved back one lap, so that the worker reads the same entries again
        header.putLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_HEAD_OFFSET, 0);
        assertFalse(writer.offer(1, 1));
        assertFalse(writer.isEnabled(), "from now on the worker gets its grants in the request ring");
        assertEquals(2L * capacity(), header.getLongVolatile(WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET));
    }

    @Test
    void shouldHandAnHonestReaderEveryAcceptedGrantOnceInOrderWhateverTheTiming()
    {
        final SplittableRandom random = new SplittableRandom(7);
        writer.workerAttached(WorkerFileDescriptor.FEATURE_CREDIT_QUEUE);
        final CreditQueueReader reader = new CreditQueueReader(header);
        final List<Long> offered = new ArrayList<>();
        final List<Long> taken = new ArrayList<>();
        for (int step = 0; step < 100_000; step++)
        {
            if (random.nextInt(3) == 0)
            {
                reader.poll((id, grant) ->
                {
                    taken.add(id);
                    assertEquals((int)(id & 0xFFFF) + 1, grant);
                });
            }
            else
            {
                final long id = step;
                if (writer.offer(id, (int)(id & 0xFFFF) + 1))
                {
                    offered.add(id);
                }
            }
        }
        reader.poll((id, grant) -> taken.add(id));
        assertTrue(writer.isEnabled(), "an honest reader keeps the queue");
        assertEquals(offered, taken);
    }

    private void fill()
    {
        for (int i = 0; i < capacity(); i++)
        {
            assertTrue(writer.offer(i, 1));
        }
    }

    private static long hostileHead(final SplittableRandom random, final long accepted)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return accepted + 1 + random.nextInt(1000);
            case 1:
                return -1 - random.nextInt(1000);
            case 2:
                // torn: the high half of one value, the low half of another
                return (random.nextLong() & 0xFFFF_FFFF_0000_0000L) | (accepted & 0xFFFF_FFFFL);
            case 3:
                return Math.max(0, accepted - random.nextInt(300));
            case 4:
                return random.nextLong();
            default:
                return accepted;
        }
    }

    private static int capacity()
    {
        return WorkerFileDescriptor.CREDIT_QUEUE_CAPACITY;
    }

    private byte[] snapshotOutsideQueue()
    {
        final byte[] bytes = new byte[WorkerFileDescriptor.CREDIT_QUEUE_ENTRIES_OFFSET];
        header.getBytes(0, bytes);
        // the tail position is the writer's to write
        for (int i = 0; i < Long.BYTES; i++)
        {
            bytes[WorkerFileDescriptor.CREDIT_QUEUE_TAIL_OFFSET + i] = 0;
        }
        return bytes;
    }
}
