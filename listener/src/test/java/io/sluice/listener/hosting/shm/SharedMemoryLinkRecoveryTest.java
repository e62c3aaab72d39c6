package io.sluice.listener.hosting.shm;

import io.netty.buffer.Unpooled;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SharedMemoryLink#repairConsumerPosition()}: Agrona's consumer zeroes what it read (header first) and then
 * moves the head; a worker killed between the two leaves the record at the head zeroed or half-zeroed. The link moves
 * the head to the next record it published, found from its own account of where its records start, so the next
 * worker neither takes the ring for empty nor reads body bytes as a record header. The ring is a real file, written
 * by the link itself; the dead worker's half-done read is reproduced byte for byte.
 */
@Timeout(10)
class SharedMemoryLinkRecoveryTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int ALIGNMENT = RecordDescriptor.ALIGNMENT;

    @TempDir
    Path tempDir;

    private MappedByteBuffer mapped;
    private ManyToOneRingBuffer ring;
    private SharedMemoryLink link;
    private final SharedMemoryRequest request = new SharedMemoryRequest(null, 0);

    @BeforeEach
    void before() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        SharedMemoryFiles.createPrivateDirectory(dir);
        mapped = SharedMemoryFiles.createAndMap(
            dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME), WorkerFileDescriptor.fileLength(CAPACITY, CAPACITY));
        WorkerFileDescriptor.initialise(WorkerFileDescriptor.headerBuffer(mapped), CAPACITY, CAPACITY, 1, 2);
        ring = new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped));
        link = new SharedMemoryLink(null, 0, mapped);
    }

    @AfterEach
    void after()
    {
        IoUtil.unmap(mapped);
    }

    @Test
    void shouldResumeAtNextRecordWhenWorkerDiedHalfwayThroughZeroingTheHeadRecord()
    {
        assertTrue(write(3000));
        final long second = ring.producerPosition();
        assertTrue(write(3000));
        final long third = ring.producerPosition();
        assertTrue(write(500));
        assertEquals(List.of(chunkMessage(3000)), readOne());
        assertEquals(second, ring.consumerPosition());
        // the dead worker's controlledRead, after handling the second record: its header and the first 1000 bytes of
        // its body zeroed, the rest of the body not, the head not moved
        ring.buffer().setMemory((int)second, RecordDescriptor.HEADER_LENGTH + 1000, (byte)0);

        link.repairConsumerPosition();

        assertEquals(third, ring.consumerPosition());
        assertEquals(List.of(chunkMessage(500)), readAll());
        assertRingZeroedBelowHead();
    }

    @Test
    void shouldResumeAtBufferStartWhenWorkerDiedZeroingThePaddingAtBufferEnd()
    {
        // fill the ring, free it, then write records that do not fit before the end of the buffer: padding
        fillThenDrainTo(CAPACITY - 9000);
        final long padding = ring.producerPosition();
        assertTrue(write(8000));
        final long wrapped = ring.producerPosition() - BitUtil.align(RecordDescriptor.HEADER_LENGTH +
            chunkMessage(8000), ALIGNMENT);
        assertEquals(0, (int)wrapped & (CAPACITY - 1), "the record went to the start of the buffer");
        assertTrue(wrapped > padding);
        assertEquals(padding, ring.consumerPosition());
        ring.buffer().setMemory((int)padding & (CAPACITY - 1), 2 * ALIGNMENT, (byte)0);

        link.repairConsumerPosition();

        assertEquals(wrapped, ring.consumerPosition());
        assertEquals(List.of(chunkMessage(8000)), readAll());
    }

    @Test
    void shouldMoveHeadPastRecordZeroedByWorkerKilledBeforeItMovedTheHead()
    {
        assertTrue(write(100));
        final long second = ring.producerPosition();
        assertTrue(write(60));
        ring.buffer().setMemory(0, (int)second, (byte)0);

        link.repairConsumerPosition();

        assertEquals(second, ring.consumerPosition());
        assertEquals(List.of(chunkMessage(60)), readAll());
    }

    @Test
    void shouldLeaveHeadWhereItIsWhenRecordAtHeadIsIntact()
    {
        assertTrue(write(100));
        final long head = ring.consumerPosition();

        link.repairConsumerPosition();

        assertEquals(head, ring.consumerPosition());
        assertEquals(List.of(chunkMessage(100)), readAll());
    }

    @Test
    void shouldMoveHeadToTailWhenEveryRecordWasZeroed()
    {
        assertTrue(write(100));
        final long tail = ring.producerPosition();
        ring.buffer().setMemory(0, (int)tail, (byte)0);

        link.repairConsumerPosition();

        assertEquals(tail, ring.consumerPosition());
        assertEquals(List.of(), readAll());
    }

    /**
     * A head a consumer following the protocol never stores (here one inside a record and not aligned): nothing the
     * worker says about what it took is believed. Every record counts as taken (its requests are answered, or written
     * again), the data area is zeroed, and the trailer holds the listener's positions again, whatever the worker wrote.
     */
    @Test
    void shouldDiscardEveryRecordWhenTheDeadWorkerLeftAHeadThatBreaksTheProtocol()
    {
        assertTrue(write(100));
        assertTrue(write(200));
        assertTrue(write(300));
        final long tail = ring.producerPosition();
        final int capacity = ring.capacity();
        ring.buffer().putLongVolatile(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET, 4);
        ring.buffer().putLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET, tail + 4096);
        ring.buffer().putLongVolatile(capacity + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET, -1);

        link.repairConsumerPosition();

        assertEquals(tail, ring.consumerPosition());
        assertEquals(tail, ring.producerPosition());
        assertEquals(tail, ring.buffer().getLongVolatile(capacity + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET));
        assertEquals(1, link.ringRepairs());
        for (int i = 0; i < capacity; i += ALIGNMENT)
        {
            assertEquals(0, ring.buffer().getLong(i), "zeroed at " + i);
        }
        assertTrue(write(50));
        assertEquals(List.of(chunkMessage(50)), readAll());
    }

    /**
     * Many rings' worth of records of every size, through wrap-around and full rings (where Agrona may write a padding
     * record alone), with the worker killed at every kind of point while zeroing: after each repair the next worker
     * reads exactly the records it had not taken, intact and in order.
     */
    @Test
    void shouldResumeAtTheFirstRecordNotTakenWhereverTheWorkerDiedWhileZeroing()
    {
        final Random random = new Random(7);
        final ArrayDeque<long[]> written = new ArrayDeque<>();
        int repairs = 0;
        for (int round = 0; round < 1_500; round++)
        {
            final int writes = random.nextInt(6);
            for (int i = 0; i < writes; i++)
            {
                final int chunk = random.nextInt(10) == 0 ? 0 : random.nextInt(maxChunk() + 1);
                final long generation = round * 8L + i;
                request.reuseAs((int)generation);
                final long tailBefore = ring.producerPosition();
                if (write(chunk))
                {
                    final long end = ring.producerPosition();
                    final long start =
                        end - BitUtil.align(RecordDescriptor.HEADER_LENGTH + chunkMessage(chunk), ALIGNMENT);
                    assertTrue(start >= tailBefore);
                    written.addLast(new long[]{start, request.requestId(), chunk});
                }
            }
            final int reads = random.nextInt(4);
            for (int i = 0; i < reads && !written.isEmpty(); i++)
            {
                assertNextRecord(written.pollFirst(), readOneRecord());
            }

            final long head = ring.consumerPosition();
            if (head == ring.producerPosition() || random.nextInt(3) == 0)
            {
                continue;
            }
            // the worker dies in controlledRead after handling the record at the head (a padding record, or the
            // next one written), with a multiple of 8 bytes of it zeroed, header first
            final int headIndex = (int)head & (CAPACITY - 1);
            final int aligned =
                BitUtil.align(ring.buffer().getInt(RecordDescriptor.lengthOffset(headIndex)), ALIGNMENT);
            final int zeroed = ALIGNMENT * (1 + random.nextInt(aligned / ALIGNMENT));
            ring.buffer().setMemory(headIndex, zeroed, (byte)0);
            if (!written.isEmpty() && written.peekFirst()[0] == head)
            {
                written.pollFirst();
            }

            link.repairConsumerPosition();
            repairs++;

            assertEquals(head + aligned, ring.consumerPosition(), "round " + round);
            assertRingZeroedBelowHead();
        }
        while (!written.isEmpty())
        {
            assertNextRecord(written.pollFirst(), readOneRecord());
        }
        assertTrue(repairs > 400, "repairs: " + repairs);
    }

    private int maxChunk()
    {
        return ring.maxMsgLength() - MessageDescriptor.CHUNK_HEADER_LENGTH;
    }

    private void fillThenDrainTo(final int position)
    {
        while (ring.producerPosition() < position)
        {
            assertTrue(write(4000));
        }
        readAll();
    }

    private static int chunkMessage(final int chunk)
    {
        return BodyChunkFlyweight.length(chunk);
    }

    /**
     * One body chunk of {@code length} bytes, none of them zero, written by the link as it writes any record.
     */
    private boolean write(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(0x41 + (i + request.generation()) % 26);
        }
        return link.offerBody(request, Unpooled.wrappedBuffer(bytes), false);
    }

    private void assertNextRecord(final long[] expected, final long[] actual)
    {
        assertEquals(expected[1], actual[0], "request id");
        assertEquals(expected[2], actual[1], "chunk length");
        assertEquals(1, actual[2], "chunk bytes intact");
    }

    /**
     * @return request id, chunk length, 1 when every chunk byte is as written.
     */
    private long[] readOneRecord()
    {
        final long[] record = new long[3];
        final ControlledMessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            assertEquals(MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, msgTypeId);
            final long requestId = BodyChunkFlyweight.requestId(buffer, index);
            final int chunk = BodyChunkFlyweight.chunkLength(buffer, index);
            final int data = BodyChunkFlyweight.dataOffset(index);
            boolean intact = chunk == length - MessageDescriptor.CHUNK_HEADER_LENGTH;
            for (int i = 0; i < chunk && intact; i++)
            {
                intact = buffer.getByte(data + i) == (byte)(0x41 + (i + (int)(requestId >>> 32)) % 26);
            }
            record[0] = requestId;
            record[1] = chunk;
            record[2] = intact ? 1 : 0;
            return ControlledMessageHandler.Action.COMMIT;
        };
        int read = ring.controlledRead(handler, 1);
        if (read == 0)
        {
            // only skipped the padding at the end of the buffer
            read = ring.controlledRead(handler, 1);
        }
        assertEquals(1, read, "a record to read");
        return record;
    }

    private List<Integer> readOne()
    {
        final List<Integer> lengths = new ArrayList<>();
        ring.controlledRead(
            (msgTypeId, buffer, index, length) ->
            {
                lengths.add(length);
                return ControlledMessageHandler.Action.COMMIT;
            },
            1);
        return lengths;
    }

    private List<Integer> readAll()
    {
        final List<Integer> lengths = new ArrayList<>();
        long position = -1;
        while (ring.consumerPosition() != position)
        {
            // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
            position = ring.consumerPosition();
            ring.read((msgTypeId, buffer, index, length) -> lengths.add(length), 100);
        }
        return lengths;
    }

    /**
     * What the worker took is zeroed, as Agrona's producer expects of the space it claims.
     */
    private void assertRingZeroedBelowHead()
    {
        final long head = ring.consumerPosition();
        for (long position = Math.max(0, ring.producerPosition() - CAPACITY); position < head; position += ALIGNMENT)
        {
            assertEquals(0, ring.buffer().getLong((int)position & (CAPACITY - 1)), "not zeroed at " + position);
        }
    }
}
