package io.sluice.listener.hosting;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link SharedMemoryLink#repairConsumerPosition()}: Agrona's consumer zeroes what it read and then moves the head; a
 * worker killed between the two leaves zeroed records at the head, which the link skips so the next worker does not
 * take the ring for empty. The ring is a real file; the dead worker's half-done read is reproduced byte for byte.
 */
@Timeout(5)
class SharedMemoryLinkRecoveryTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final int TYPE_ID = 1;

    @TempDir
    Path tempDir;

    private MappedByteBuffer mapped;
    private ManyToOneRingBuffer ring;
    private SharedMemoryLink link;

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
    void shouldMoveHeadPastRecordsZeroedByWorkerKilledBeforeItMovedTheHead()
    {
        write(100);
        write(40);
        final long third = ring.producerPosition();
        write(60);
        final int zeroed = (int)third;
        // the dead worker's controlledRead: the first two records zeroed, the head not yet moved
        ring.buffer().setMemory(0, zeroed, (byte)0);

        link.repairConsumerPosition();

        assertEquals(third, ring.consumerPosition());
        assertEquals(List.of(60), read());
    }

    @Test
    void shouldLeaveHeadWhereItIsWhenRecordAtHeadIsIntact()
    {
        write(100);
        final long head = ring.consumerPosition();

        link.repairConsumerPosition();

        assertEquals(head, ring.consumerPosition());
        assertEquals(List.of(100), read());
    }

    @Test
    void shouldMoveHeadToTailWhenEveryRecordWasZeroed()
    {
        write(100);
        final long tail = ring.producerPosition();
        ring.buffer().setMemory(0, (int)tail, (byte)0);

        link.repairConsumerPosition();

        assertEquals(tail, ring.consumerPosition());
        assertEquals(List.of(), read());
    }

    private void write(final int length)
    {
        final int index = ring.tryClaim(TYPE_ID, length);
        ring.buffer().setMemory(index, length, (byte)7);
        ring.commit(index);
    }

    private List<Integer> read()
    {
        final List<Integer> lengths = new ArrayList<>();
        ring.read((msgTypeId, buffer, index, length) -> lengths.add(length), 100);
        return lengths;
    }
}
