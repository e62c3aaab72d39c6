package io.sluice.dispatch.shm;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One worker's shared-memory file ({@link WorkerFileDescriptor}: header, request ring, response ring) mapped into this
 * process, as Agrona's {@code MarkFile} is for a media driver: the listener {@link #create creates} and initialises it,
 * the worker {@link #open opens} it once it is ready, and each side {@link #close() unmaps} its own mapping.
 * <p>
 * Threading: the views are safe to share once made; {@link #close()} must come after the last use of them.
 */
public final class WorkerFile implements AutoCloseable
{
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private boolean closed;

    private WorkerFile(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.header = WorkerFileDescriptor.headerBuffer(mapped);
    }

    /**
     * Listener side: create a worker's file (mode 0600) in its worker directory, without following links, map it and
     * initialise its header, signalling it ready last.
     *
     * @param directory            the listener's private directory.
     * @param workerDirectory      the name of the worker's directory in it, already created.
     * @param requestRingCapacity  of the request ring, a power of two.
     * @param responseRingCapacity of the response ring, a power of two.
     * @param listenerPid          the listener's process id.
     * @param listenerStartMs      the listener's start, epoch ms.
     * @return the mapped file.
     * @throws IOException when it cannot be created or mapped.
     */
    public static WorkerFile create(
        final SharedMemoryFiles.PrivateDirectory directory,
        final String workerDirectory,
        final int requestRingCapacity,
        final int responseRingCapacity,
        final long listenerPid,
        final long listenerStartMs) throws IOException
    {
        return create(
            directory, workerDirectory, 0, requestRingCapacity, responseRingCapacity, listenerPid, listenerStartMs);
    }

    /**
     * Listener side: create the file of one of a worker's lanes ({@link WorkerFileDescriptor#ringsFileName}), as
     * {@link #create(SharedMemoryFiles.PrivateDirectory, String, int, int, long, long)} does lane 0's.
     *
     * @param directory            the listener's private directory.
     * @param workerDirectory      the name of the worker's directory in it, already created.
     * @param lane                 the lane, 0 to {@link WorkerFileDescriptor#LANES_MAX} - 1.
     * @param requestRingCapacity  of the request ring, a power of two.
     * @param responseRingCapacity of the response ring, a power of two.
     * @param listenerPid          the listener's process id.
     * @param listenerStartMs      the listener's start, epoch ms.
     * @return the mapped file.
     * @throws IOException when it cannot be created or mapped.
     */
    public static WorkerFile create(
        final SharedMemoryFiles.PrivateDirectory directory,
        final String workerDirectory,
        final int lane,
        final int requestRingCapacity,
        final int responseRingCapacity,
        final long listenerPid,
        final long listenerStartMs) throws IOException
    {
        final MappedByteBuffer mapped = directory.createAndMap(
            workerDirectory,
            WorkerFileDescriptor.ringsFileName(lane),
            WorkerFileDescriptor.fileLength(requestRingCapacity, responseRingCapacity));
        WorkerFileDescriptor.initialise(
            new UnsafeBuffer(mapped, 0, WorkerFileDescriptor.HEADER_LENGTH),
            requestRingCapacity, responseRingCapacity, listenerPid, listenerStartMs,
            WorkerFileDescriptor.FEATURE_REQUEST_RING_ZEROED_AHEAD);
        return new WorkerFile(mapped);
    }

    /**
     * Worker side: map the file the listener prepared in the worker's directory, once it is ready and of this layout.
     *
     * @param workerDirectory the worker's directory ({@code SLUICE_SHM_DIR}).
     * @return the mapped file.
     * @throws IOException when it cannot be mapped, is not ready, or is of another layout version.
     */
    public static WorkerFile open(final Path workerDirectory) throws IOException
    {
        return open(workerDirectory, 0);
    }

    /**
     * Worker side: map the file of one of its lanes ({@link WorkerFileDescriptor#ringsFileName}), as
     * {@link #open(Path)} does lane 0's.
     *
     * @param workerDirectory the worker's directory ({@code SLUICE_SHM_DIR}).
     * @param lane            the lane, 0 to {@code SLUICE_LANES} - 1.
     * @return the mapped file.
     * @throws IOException when it cannot be mapped, is not ready, or is of another layout version.
     */
    public static WorkerFile open(final Path workerDirectory, final int lane) throws IOException
    {
        final MappedByteBuffer mapped =
            SharedMemoryFiles.mapExisting(workerDirectory.resolve(WorkerFileDescriptor.ringsFileName(lane)));
        final WorkerFile file = new WorkerFile(mapped);
        if (file.header.getIntVolatile(WorkerFileDescriptor.LAYOUT_VERSION_OFFSET) !=
            WorkerFileDescriptor.LAYOUT_VERSION)
        {
            file.close();
            throw new IOException("shared-memory file not ready or of another version: " + workerDirectory);
        }
        return file;
    }

    /**
     * @return the whole mapping.
     */
    public MappedByteBuffer mapped()
    {
        return mapped;
    }

    /**
     * @return a view of the header.
     */
    public UnsafeBuffer header()
    {
        return header;
    }

    /**
     * @return a new view of the request ring, trailer included.
     */
    public UnsafeBuffer requestRingBuffer()
    {
        return WorkerFileDescriptor.requestRingBuffer(mapped);
    }

    /**
     * @return a new view of the response ring, trailer included.
     */
    public UnsafeBuffer responseRingBuffer()
    {
        return WorkerFileDescriptor.responseRingBuffer(mapped);
    }

    /**
     * Unmap the file; the file itself stays. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
