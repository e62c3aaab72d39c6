package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.WorkerFile;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * What a shared-memory worker attaches to: the worker file the listener prepared in {@code SLUICE_SHM_DIR}, mapped
 * (its header and both rings), with this process's id stored in it, and the doorbell connection on which the worker
 * presented its token.
 *
 * @param header       the worker file's header.
 * @param requestRing  the request ring (the worker reads it).
 * @param responseRing the response ring (the worker writes it).
 * @param doorbell     the doorbell connection, the token already sent.
 * @param wakePipe     the wake pipe, opened and announced, or null: the worker sleeps on its doorbell.
 */
record SharedMemoryAttachment(
    UnsafeBuffer header,
    ManyToOneRingBuffer requestRing,
    ManyToOneRingBuffer responseRing,
    SocketChannel doorbell,
    WakePipe wakePipe)
{
    /**
     * Map the worker file, check its layout version, store this process's id and features, connect to the doorbell
     * and present the token.
     *
     * @param env  the worker's environment: its shared-memory directory and token are used.
     * @param lane the lane: its ring file and doorbell ({@link WorkerFileDescriptor#ringsFileName},
     *             {@link WorkerFileDescriptor#doorbellFileName}).
     * @return the attachment.
     * @throws IOException when the file is not ready or of another version, or the doorbell cannot be reached.
     */
    static SharedMemoryAttachment attach(final WorkerEnvironment env, final int lane) throws IOException
    {
        final Path dir = env.shmDir();
        final WorkerFile file = WorkerFile.open(dir, lane);
        final UnsafeBuffer header = file.header();
        final ManyToOneRingBuffer requestRing = new ManyToOneRingBuffer(file.requestRingBuffer());
        final ManyToOneRingBuffer responseRing = new ManyToOneRingBuffer(file.responseRingBuffer());
        header.putLongVolatile(WorkerFileDescriptor.WORKER_PID_OFFSET, ProcessHandle.current().pid());
        // one pipe is one lane's: a worker serving several blocks on all their doorbell sockets at once instead
        final WakePipe wakePipe = 1 == env.lanes() ? WakePipe.open(env.wakePipe()) : null;
        // before the token: the listener reads the features when the token arrives
        header.putIntVolatile(
            WorkerFileDescriptor.WORKER_FEATURES_OFFSET,
            WorkerFileDescriptor.FEATURE_INLINE_REQUEST_BODY | WorkerFileDescriptor.FEATURE_CREDIT_QUEUE |
            WorkerFileDescriptor.FEATURE_RESPONSE_RING_ZEROED_AHEAD |
            (null == wakePipe ? 0 : WorkerFileDescriptor.FEATURE_WAKE_PIPE));

        final SocketChannel doorbell;
        try
        {
            doorbell = SocketChannel.open(
                UnixDomainSocketAddress.of(dir.resolve(WorkerFileDescriptor.doorbellFileName(lane))));
            Doorbell.presentToken(doorbell, env.token());
        }
        catch (final IOException ex)
        {
            if (null != wakePipe)
            {
                wakePipe.close();
            }
            throw ex;
        }
        return new SharedMemoryAttachment(header, requestRing, responseRing, doorbell, wakePipe);
    }
}
