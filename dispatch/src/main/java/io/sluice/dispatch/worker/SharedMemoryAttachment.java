package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 */
record SharedMemoryAttachment(
    UnsafeBuffer header,
    ManyToOneRingBuffer requestRing,
    ManyToOneRingBuffer responseRing,
    SocketChannel doorbell)
{
    /**
     * Map the worker file, check its layout version, store this process's id, connect to the doorbell and present the
     * token.
     *
     * @param env the worker's environment: its shared-memory directory and token are used.
     * @return the attachment.
     * @throws IOException when the file is not ready or of another version, or the doorbell cannot be reached.
     */
    static SharedMemoryAttachment attach(final WorkerEnvironment env) throws IOException
    {
        final Path dir = env.shmDir();
        final MappedByteBuffer mapped =
            SharedMemoryFiles.mapExisting(dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME));
        final UnsafeBuffer header = WorkerFileDescriptor.headerBuffer(mapped);
        if (header.getIntVolatile(WorkerFileDescriptor.LAYOUT_VERSION_OFFSET) != WorkerFileDescriptor.LAYOUT_VERSION)
        {
            throw new IOException("shared-memory file not ready or of another version: " + dir);
        }
        final ManyToOneRingBuffer requestRing =
            new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped));
        final ManyToOneRingBuffer responseRing =
            new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped));
        header.putLongVolatile(WorkerFileDescriptor.WORKER_PID_OFFSET, ProcessHandle.current().pid());

        final SocketChannel doorbell = SocketChannel.open(
            UnixDomainSocketAddress.of(dir.resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME)));
        final byte[] token = env.token().getBytes(StandardCharsets.US_ASCII);
        if (token.length != WorkerFileDescriptor.TOKEN_LENGTH)
        {
            throw new IOException("SLUICE_TOKEN must be " + WorkerFileDescriptor.TOKEN_LENGTH + " characters");
        }
        final ByteBuffer hello = ByteBuffer.wrap(token);
        while (hello.hasRemaining())
        {
            doorbell.write(hello);
        }
        return new SharedMemoryAttachment(header, requestRing, responseRing, doorbell);
    }
}
