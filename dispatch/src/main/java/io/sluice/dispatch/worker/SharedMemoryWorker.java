package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WakeProtocol;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.sluice.dispatch.shm.WorkerFileDescriptor.LISTENER_SLEEPING_OFFSET;
import static io.sluice.dispatch.shm.WorkerFileDescriptor.WORKER_SLEEPING_OFFSET;

/**
 * The worker side of the shared-memory hand-off: an {@link Agent} whose duty cycle reads the request ring and calls
 * the {@link Handler}; {@link SharedMemoryExchange} writes the answers into the response ring from any thread.
 * <p>
 * Idle: after a short spin it sets its sleeping flag, looks at the ring once more, and blocks reading its doorbell
 * socket, so an idle worker costs no CPU. End-of-file on the doorbell means the listener is gone: the worker exits.
 */
public final class SharedMemoryWorker implements Agent, ControlledMessageHandler
{
    private static final int READ_LIMIT = 64;
    private static final int SPINS_BEFORE_SLEEP = 200;
    private static final int YIELDS_BEFORE_SLEEP = 20;

    private final Handler handler;
    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final SocketChannel doorbell;
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private final ByteBuffer sleepBuffer = ByteBuffer.allocateDirect(64);
    private final RequestHeadDecoder headDecoder = new RequestHeadDecoder();
    private final Long2ObjectHashMap<SharedMemoryExchange> receivingBodies = new Long2ObjectHashMap<>();
    private final int maxResponseMessageLength;
    private long requestsReceived;
    private Thread dutyThread;
    private boolean wakePending;
    private boolean listenerGone;

    SharedMemoryWorker(
        final Handler handler,
        final UnsafeBuffer header,
        final ManyToOneRingBuffer requestRing,
        final ManyToOneRingBuffer responseRing,
        final SocketChannel doorbell)
    {
        this.handler = handler;
        this.header = header;
        this.requestRing = requestRing;
        this.responseRing = responseRing;
        this.doorbell = doorbell;
        this.maxResponseMessageLength = responseRing.maxMsgLength();
    }

    /**
     * Attach to the rings the listener prepared in {@code env.shmDir()}, present the token, and serve until the
     * listener goes away.
     *
     * @param handler the application.
     * @param env     the worker's environment.
     * @throws IOException when the files or the doorbell cannot be opened.
     */
    static void serve(final Handler handler, final WorkerEnvironment env) throws IOException
    {
        final Path dir = env.shmDir();
        final MappedByteBuffer mapped = SharedMemoryFiles.mapExisting(dir.resolve(WorkerFileDescriptor.RINGS_FILE_NAME));
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

        final SharedMemoryWorker worker = new SharedMemoryWorker(handler, header, requestRing, responseRing, doorbell);
        worker.run();
    }

    /**
     * The duty cycle on the calling thread until the listener goes away.
     */
    void run()
    {
        dutyThread = Thread.currentThread();
        int idleCount = 0;
        while (!listenerGone)
        {
            final int work = doWork();
            if (wakePending)
            {
                wakePending = false;
                wakeListener();
            }
            if (work > 0)
            {
                idleCount = 0;
            }
            else if (idleCount < SPINS_BEFORE_SLEEP)
            {
                idleCount++;
                Thread.onSpinWait();
            }
            else if (idleCount < SPINS_BEFORE_SLEEP + YIELDS_BEFORE_SLEEP)
            {
                idleCount++;
                Thread.yield();
            }
            else
            {
                sleep();
                idleCount = 0;
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        return requestRing.controlledRead(this, READ_LIMIT);
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-shm-worker";
    }

    /**
     * {@inheritDoc}
     */
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case MessageDescriptor.REQUEST_HEAD_MSG_TYPE_ID -> onHead(buffer, index, length);
            case MessageDescriptor.REQUEST_BODY_MSG_TYPE_ID -> onBody(buffer, index);
            case MessageDescriptor.REQUEST_ABORT_MSG_TYPE_ID -> onAbort(buffer, index);
            default ->
            {
                // unknown types are skipped: a newer listener may send more than this worker knows
            }
        }
        return Action.COMMIT;
    }

    /**
     * Write a record into the response ring, waiting while it is full, and wake the listener if it sleeps.
     *
     * @param exchange the writer, holding the encoded record.
     * @param msgTypeId type of the record.
     * @param length    of the record.
     */
    void publish(final SharedMemoryExchange exchange, final int msgTypeId, final int length)
    {
        int index;
        int attempts = 0;
        while ((index = responseRing.tryClaim(msgTypeId, length)) == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            if (attempts == 0)
            {
                // the ring is full of answers the listener has yet to drain: it must be awake to make room
                wakePending = false;
                wakeListener();
            }
            if (++attempts < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        exchange.encodeInto(responseRing.buffer(), index);
        responseRing.commit(index);
        if (Thread.currentThread() == dutyThread)
        {
            // answered within the duty cycle: one wake-up check at the end of the cycle covers the whole batch
            wakePending = true;
        }
        else
        {
            wakeListener();
        }
    }

    private void wakeListener()
    {
        if (WakeProtocol.shouldWake(header, LISTENER_SLEEPING_OFFSET))
        {
            ringListener();
        }
    }

    int maxResponseMessageLength()
    {
        return maxResponseMessageLength;
    }

    private void onHead(final DirectBuffer buffer, final int index, final int length)
    {
        requestsReceived++;
        header.putLongRelease(WorkerFileDescriptor.WORKER_REQUESTS_OFFSET, requestsReceived);
        headDecoder.wrap(buffer, index);
        final SharedMemoryExchange exchange = new SharedMemoryExchange(this, buffer, index, length);
        if (exchange.hasBody())
        {
            receivingBodies.put(exchange.requestId(), exchange);
        }
        handler.onRequest(exchange);
    }

    private void onBody(final DirectBuffer buffer, final int index)
    {
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final SharedMemoryExchange exchange = receivingBodies.get(requestId);
        if (null == exchange)
        {
            return;
        }
        final boolean last = (BodyChunkFlyweight.flags(buffer, index) & MessageDescriptor.LAST_FLAG) != 0;
        if (last)
        {
            receivingBodies.remove(requestId);
        }
        handler.onBody(
            exchange, buffer, BodyChunkFlyweight.dataOffset(index), BodyChunkFlyweight.chunkLength(buffer, index), last);
    }

    private void onAbort(final DirectBuffer buffer, final int index)
    {
        final long requestId = BodyChunkFlyweight.requestId(buffer, index);
        final SharedMemoryExchange exchange = receivingBodies.remove(requestId);
        if (null != exchange)
        {
            exchange.aborted();
            handler.onAbort(exchange);
        }
    }

    private void sleep()
    {
        WakeProtocol.arm(header, WORKER_SLEEPING_OFFSET);
        final long position = requestRing.consumerPosition();
        // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
        if (doWork() > 0 || requestRing.consumerPosition() != position)
        {
            WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);
            if (wakePending)
            {
                wakePending = false;
                wakeListener();
            }
            return;
        }
        try
        {
            sleepBuffer.clear();
            if (doorbell.read(sleepBuffer) < 0)
            {
                listenerGone = true;
            }
        }
        catch (final IOException ex)
        {
            listenerGone = true;
        }
        WakeProtocol.disarm(header, WORKER_SLEEPING_OFFSET);
    }

    private void ringListener()
    {
        synchronized (wakeByte)
        {
            try
            {
                wakeByte.clear();
                doorbell.write(wakeByte);
            }
            catch (final IOException ex)
            {
                listenerGone = true;
            }
        }
    }
}
