package io.sluice.listener.hosting.shm;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.sluice.dispatch.shm.WorkerFileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The listener's side of one lane's wake pipe ({@link WorkerFileDescriptor#FEATURE_WAKE_PIPE}): a pipe this process
 * holds both ends of, named to the worker as {@code /proc/<listener pid>/fd/<read end>} ({@code SLUICE_WAKE_PIPE}),
 * which the worker opens for reading and sleeps on. A worker that announced the feature is woken with one byte written
 * here instead of on its doorbell socket: a pipe's byte costs both sides a fraction of a socket's (no socket buffer to
 * allocate and account for). Both ends are non-blocking here: a full pipe (a worker that does not read it) drops the
 * byte, as a pending one wakes the worker anyway. The pipe outlives worker starts, so what a worker left unread is
 * {@link #drain() drained} when it exits.
 * <p>
 * Threading: confined to the lane's event loop, but for {@link #path()}.
 */
final class WorkerWakePipe
{
    private static final int DRAIN_BYTES = 64;

    private final FileDescriptor readEnd;
    private final FileDescriptor writeEnd;
    private final String path;
    private final ByteBuffer drainBuffer = ByteBuffer.allocateDirect(DRAIN_BYTES);
    private boolean closed;

    private WorkerWakePipe(final FileDescriptor readEnd, final FileDescriptor writeEnd, final long pid)
    {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.path = "/proc/" + pid + "/fd/" + readEnd.intValue();
    }

    /**
     * Create a pipe.
     *
     * @param pid this process's id, which names the pipe to the worker.
     * @return the pipe.
     * @throws IOException when no pipe can be created (or the native transport, which creates it, is missing).
     */
    static WorkerWakePipe create(final long pid) throws IOException
    {
        if (!Epoll.isAvailable())
        {
            throw new IOException("no native transport: " + Epoll.unavailabilityCause());
        }
        final FileDescriptor[] ends = FileDescriptor.pipe();
        return new WorkerWakePipe(ends[0], ends[1], pid);
    }

    /**
     * @return the path the worker opens for reading: {@code SLUICE_WAKE_PIPE}.
     */
    String path()
    {
        return path;
    }

    /**
     * Wake the worker: write one byte.
     *
     * @param wakeByte holds the byte (position 0).
     * @throws IOException when the write fails.
     */
    void wake(final ByteBuffer wakeByte) throws IOException
    {
        if (!closed)
        {
            writeEnd.write(wakeByte, 0, 1);
        }
    }

    /**
     * Read and drop whatever the worker left unread, so that its replacement is not woken for nothing.
     */
    void drain()
    {
        try
        {
            while (!closed && readEnd.read(drainBuffer, 0, DRAIN_BYTES) > 0)
            {
                drainBuffer.clear();
            }
        }
        catch (final IOException ignore)
        {
            // a spurious wake-up of the next worker is harmless
        }
    }

    /**
     * Close both ends: a worker reading the pipe then reads end-of-file. Idempotent.
     */
    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            writeEnd.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do about it
        }
        try
        {
            readEnd.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do about it
        }
    }
}
