package io.sluice.dispatch.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A worker's ring file, created and mapped the way the listener does it ({@link #create}) or mapped a second time
 * the way the worker attaches ({@link #attach}). Closing unmaps.
 */
final class MappedWorkerFile implements AutoCloseable
{
    static final long LISTENER_PID = 4242L;
    static final long START_TIME_MS = 1_700_000_000_123L;

    final Path file;
    final MappedByteBuffer mapped;
    final UnsafeBuffer header;
    final ManyToOneRingBuffer requestRing;
    final ManyToOneRingBuffer responseRing;

    private MappedWorkerFile(final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.header = WorkerFileDescriptor.headerBuffer(mapped);
        this.requestRing = new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped));
        this.responseRing = new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped));
    }

    static MappedWorkerFile create(final Path parent, final int requestCapacity, final int responseCapacity)
        throws IOException
    {
        final Path dir = parent.resolve("queue-0");
        SharedMemoryFiles.createPrivateDirectory(dir);
        final Path file = dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME);
        final MappedByteBuffer mapped = SharedMemoryFiles.createAndMap(
            file, WorkerFileDescriptor.fileLength(requestCapacity, responseCapacity));
        WorkerFileDescriptor.initialise(
            WorkerFileDescriptor.headerBuffer(mapped), requestCapacity, responseCapacity, LISTENER_PID, START_TIME_MS);
        return new MappedWorkerFile(file, mapped);
    }

    static MappedWorkerFile attach(final Path file) throws IOException
    {
        final MappedByteBuffer mapped = SharedMemoryFiles.mapExisting(file);
        if (WorkerFileDescriptor.headerBuffer(mapped).getIntVolatile(WorkerFileDescriptor.LAYOUT_VERSION_OFFSET) !=
            WorkerFileDescriptor.LAYOUT_VERSION)
        {
            IoUtil.unmap(mapped);
            throw new IOException("not ready: " + file);
        }
        return new MappedWorkerFile(file, mapped);
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
