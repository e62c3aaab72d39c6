package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadEncoder;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's side of one worker's ring file, for the tests of {@link SharedMemoryWorker}: a real file in a private
 * directory, initialised as the listener does (both rings of one capacity), and the request-ring records the listener
 * writes.
 */
final class ListenerRings
{
    private static final int REMOTE_PORT = 1234;
    private static final String REMOTE_ADDRESS = "127.0.0.1";

    final MappedByteBuffer mapped;
    final UnsafeBuffer header;
    final ManyToOneRingBuffer requests;
    final ManyToOneRingBuffer responses;

    private ListenerRings(final MappedByteBuffer mapped, final int capacityBytes)
    {
        this.mapped = mapped;
        this.header = WorkerFileDescriptor.headerBuffer(mapped);
        WorkerFileDescriptor.initialise(header, capacityBytes, capacityBytes, 1, 2);
        this.requests = new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped));
        this.responses = new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped));
    }

    /**
     * Create the directory and the ring file in it, and initialise the file's header.
     *
     * @param dir           the queue's directory, created private.
     * @param capacityBytes the capacity of each ring.
     * @return the listener's side of the file.
     * @throws IOException when the directory or the file cannot be made.
     */
    static ListenerRings create(final Path dir, final int capacityBytes) throws IOException
    {
        SharedMemoryFiles.createPrivateDirectory(dir);
        return new ListenerRings(
            SharedMemoryFiles.createAndMap(
                dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME),
                WorkerFileDescriptor.fileLength(capacityBytes, capacityBytes)),
            capacityBytes);
    }

    /**
     * @return a new view of the request ring, for the worker.
     */
    ManyToOneRingBuffer workerRequestRing()
    {
        return new ManyToOneRingBuffer(WorkerFileDescriptor.requestRingBuffer(mapped));
    }

    /**
     * @return a new view of the response ring, for the worker.
     */
    ManyToOneRingBuffer workerResponseRing()
    {
        return new ManyToOneRingBuffer(WorkerFileDescriptor.responseRingBuffer(mapped));
    }

    /**
     * Write a {@code REQUEST_HEAD} with no headers.
     *
     * @param requestId     the request id.
     * @param method        the method.
     * @param target        the request target.
     * @param contentLength the content length, -1 for none.
     * @param admittedAtNs  when the listener admitted it, in {@link System#nanoTime()}.
     * @return the request ring position of the record.
     */
    long writeHead(
        final long requestId,
        final String method,
        final String target,
        final long contentLength,
        final long admittedAtNs)
    {
        final int length = RequestHeadEncoder.length(method.length(), target.length(), REMOTE_ADDRESS.length(), 0);
        final int index = requests.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
        assertTrue(index > 0);
        new RequestHeadEncoder().wrap(requests.buffer(), index)
            .requestId(requestId)
            .admittedAtNs(admittedAtNs)
            .contentLength(contentLength)
            .remotePort(REMOTE_PORT)
            .method(method)
            .target(target)
            .remoteAddress(REMOTE_ADDRESS);
        final long position = requests.producerPosition() -
            BitUtil.align(length + RecordDescriptor.HEADER_LENGTH, RecordDescriptor.ALIGNMENT);
        requests.commit(index);
        return position;
    }

    /**
     * Write the {@code REQUEST_HEAD} of a {@code GET} that asks to upgrade: {@code Upgrade: websocket} and
     * {@code Connection: upgrade}, no body.
     *
     * @param requestId the request id.
     * @param target    the request target.
     */
    void writeUpgradeHead(final long requestId, final String target)
    {
        final int headersLength = MessageDescriptor.headerEntryLength("upgrade".length(), "websocket".length()) +
            MessageDescriptor.headerEntryLength("connection".length(), "upgrade".length());
        final int length = RequestHeadEncoder.length("GET".length(), target.length(), REMOTE_ADDRESS.length(),
            headersLength);
        final int index = requests.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, length);
        assertTrue(index > 0);
        new RequestHeadEncoder().wrap(requests.buffer(), index)
            .requestId(requestId)
            .admittedAtNs(System.nanoTime())
            .contentLength(0)
            .remotePort(REMOTE_PORT)
            .method("GET")
            .target(target)
            .remoteAddress(REMOTE_ADDRESS)
            .header("upgrade", "websocket")
            .header("connection", "upgrade");
        requests.commit(index);
    }

    /**
     * Write a {@code REQUEST_HEAD} with no headers that carries its whole body inline.
     *
     * @param requestId the request id.
     * @param method    the method.
     * @param target    the request target.
     * @param body      the body, ASCII; its length is the content length.
     */
    void writeHeadWithInlineBody(final long requestId, final String method, final String target, final String body)
    {
        final int headLength =
            RequestHeadEncoder.length(method.length(), target.length(), REMOTE_ADDRESS.length(), 0);
        final int index = requests.tryClaim(MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID, headLength + body.length());
        assertTrue(index > 0);
        new RequestHeadEncoder().wrap(requests.buffer(), index)
            .requestId(requestId)
            .admittedAtNs(System.nanoTime())
            .contentLength(body.length())
            .remotePort(REMOTE_PORT)
            .method(method)
            .target(target)
            .remoteAddress(REMOTE_ADDRESS)
            .inlineBody();
        requests.buffer().putStringWithoutLengthAscii(index + headLength, body);
        requests.commit(index);
    }

    /**
     * Write a {@code REQUEST_BODY} chunk.
     *
     * @param requestId the request id.
     * @param chunk     the chunk, ASCII.
     * @param last      whether it is the last.
     */
    void writeBody(final long requestId, final String chunk, final boolean last)
    {
        final int index = requests.tryClaim(
            MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(chunk.length()));
        assertTrue(index > 0);
        BodyChunkFlyweight.encode(
            requests.buffer(), index, requestId, last ? MessageDescriptor.LAST_FLAG : 0, chunk.length());
        requests.buffer().putStringWithoutLengthAscii(BodyChunkFlyweight.dataOffset(index), chunk);
        requests.commit(index);
    }

    /**
     * Write a {@code REQUEST_ABORT}.
     *
     * @param requestId the request id.
     */
    void writeAbort(final long requestId)
    {
        writeChunkHeader(MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID, requestId, 0);
    }

    /**
     * Write a {@code RESPONSE_CREDIT}.
     *
     * @param requestId  the request id.
     * @param grantBytes the bytes granted.
     */
    void writeCredit(final long requestId, final int grantBytes)
    {
        writeChunkHeader(MessageDescriptor.RESPONSE_CREDIT_MSG_TYPE_ID, requestId, grantBytes);
    }

    /**
     * Unmap the file.
     */
    void close()
    {
        IoUtil.unmap(mapped);
    }

    private void writeChunkHeader(final int msgTypeId, final long requestId, final int length)
    {
        final int index = requests.tryClaim(msgTypeId, MessageDescriptor.CHUNK_HEADER_LENGTH);
        assertTrue(index > 0);
        BodyChunkFlyweight.encode(requests.buffer(), index, requestId, 0, length);
        requests.commit(index);
    }
}
