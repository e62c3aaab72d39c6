package io.sluice.listener.hosting.shm;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One queue's rings file, made in a private directory as the listener makes it, and mapped twice: the listener's
 * mapping (what a {@link SharedMemoryLink} is built over) and the worker's, with the worker's ends of both rings.
 * Closing it unmaps both.
 */
final class RingFile implements AutoCloseable
{
    /**
     * The listener's mapping of the file.
     */
    final MappedByteBuffer listenerMapping;

    /**
     * The worker's end of the request ring: what the listener wrote is read here.
     */
    final ManyToOneRingBuffer requestRing;

    /**
     * The worker's end of the response ring: what a test writes here, the listener reads.
     */
    final ManyToOneRingBuffer responseRing;

    private final MappedByteBuffer workerMapping;

    /**
     * @param tempDir  where the queue's directory is made.
     * @param capacity each ring's capacity in bytes.
     * @throws IOException when the file cannot be made.
     */
    RingFile(final Path tempDir, final int capacity) throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final Path file = dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        listenerMapping = SharedMemoryFiles.createAndMap(file, WorkerFileDescriptor.fileLength(capacity, capacity));
        WorkerFileDescriptor.initialise(WorkerFileDescriptor.headerBuffer(listenerMapping), capacity, capacity, 1, 2);
        workerMapping = SharedMemoryFiles.mapExisting(file);
        requestRing = new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(workerMapping));
        responseRing = new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(workerMapping));
    }

    /**
     * Unmap both mappings.
     */
    public void close()
    {
        IoUtil.unmap(workerMapping);
        IoUtil.unmap(listenerMapping);
    }

    /**
     * @return the worker's mapping of the file.
     */
    MappedByteBuffer workerMapping()
    {
        return workerMapping;
    }
}
