package io.sluice.listener;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker side of the shared-memory protocol written from {@code docs/shared-memory-protocol.md} alone, as an
 * outsider would write it: the documented offsets as named constants, Agrona's ring as the document specifies it, raw
 * stores instead of the SDK's encoders. The test workers that misbehave on purpose ({@link HostileWorker},
 * {@link CreditIgnoringWorker}, {@link SilentWorker}) attach and read through it and keep only their misbehaviour.
 */
final class RawRingWorker
{
    // the ring file header ("The ring file")
    static final int LAYOUT_VERSION_OFFSET = 0;
    static final int HEADER_LENGTH_OFFSET = 4;
    static final int REQUEST_RING_LENGTH_OFFSET = 8;
    static final int RESPONSE_RING_LENGTH_OFFSET = 12;
    static final int WORKER_PID_OFFSET = 40;
    static final int WORKER_HEARTBEAT_OFFSET = 48;
    static final int LISTENER_SLEEPING_OFFSET = 256;
    static final int LAYOUT_VERSION = 3;

    // messages ("Messages")
    static final int REQUEST_HEAD = 1;
    static final int RESPONSE_HEAD = 11;
    static final int RESPONSE_BODY = 12;
    static final int REQUEST_METHOD_LENGTH_OFFSET = 24;
    static final int REQUEST_TARGET_LENGTH_OFFSET = 26;
    static final int REQUEST_VARIABLE_OFFSET = 40;
    static final int HEAD_CONTENT_LENGTH_OFFSET = 8;
    static final int HEAD_STATUS_OFFSET = 16;
    static final int HEAD_FLAGS_OFFSET = 20;
    static final int HEAD_HEADER_COUNT_OFFSET = 24;
    static final int HEAD_BODY_LENGTH_OFFSET = 28;
    static final int HEAD_VARIABLE_OFFSET = 32;
    static final int CHUNK_FLAGS_OFFSET = 8;
    static final int CHUNK_LENGTH_OFFSET = 12;
    static final int CHUNK_DATA_OFFSET = 16;
    static final int LAST = 1;

    // the record header sits before the message: int32 length, int32 type ("Layout of one ring")
    static final int RECORD_HEADER_LENGTH = 8;

    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final SocketChannel doorbell;
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private final ControlledMessageHandler takeHead = this::takeHead;
    private long requestId;
    private String target;

    private RawRingWorker(final MappedByteBuffer mapped, final SocketChannel doorbell)
    {
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        final int headerLength = file.getInt(HEADER_LENGTH_OFFSET);
        final int requestLength = file.getInt(REQUEST_RING_LENGTH_OFFSET);
        final int responseLength = file.getInt(RESPONSE_RING_LENGTH_OFFSET);
        this.header = new UnsafeBuffer(mapped, 0, headerLength);
        this.requestRing = new ManyToOneRingBuffer(new UnsafeBuffer(mapped, headerLength, requestLength));
        this.responseRing = new ManyToOneRingBuffer(
            new UnsafeBuffer(mapped, headerLength + requestLength, responseLength));
        this.doorbell = doorbell;
    }

    /**
     * Attach to the listener named by the environment ("Attaching"): map the ring file, check its layout version
     * (exit 2 on another), write this PID, send the token on the doorbell; and exit 0 at end-of-file on standard input.
     *
     * @return the attached worker.
     * @throws IOException when the ring file or the doorbell cannot be opened.
     */
    static RawRingWorker attach() throws IOException
    {
        final Path dir = Path.of(System.getenv("SLUICE_SHM_DIR"));
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(
            dir.resolve("rings"), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        final int version = file.getIntVolatile(LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            System.err.println("layout version " + version);
            System.exit(2);
        }
        file.putLongVolatile(WORKER_PID_OFFSET, ProcessHandle.current().pid());
        final SocketChannel doorbell = connectDoorbell(true);
        exitAtEndOfInput();
        return new RawRingWorker(mapped, doorbell);
    }

    /**
     * Connect to the doorbell socket ("Attaching", step 3).
     *
     * @param sendToken whether to send the 32 token bytes.
     * @return the connection, blocking.
     * @throws IOException when the socket cannot be reached, or is closed before the token is sent.
     */
    static SocketChannel connectDoorbell(final boolean sendToken) throws IOException
    {
        final SocketChannel doorbell = SocketChannel.open(StandardProtocolFamily.UNIX);
        doorbell.connect(UnixDomainSocketAddress.of(Path.of(System.getenv("SLUICE_SHM_DIR"), "doorbell.sock")));
        if (sendToken)
        {
            sendToken(doorbell);
        }
        return doorbell;
    }

    /**
     * Send this worker's 32 token bytes on a doorbell connection.
     *
     * @param doorbell a blocking connection to the doorbell socket.
     * @throws IOException when the connection is closed before the token is sent.
     */
    static void sendToken(final SocketChannel doorbell) throws IOException
    {
        final ByteBuffer token = ByteBuffer.wrap(System.getenv("SLUICE_TOKEN").getBytes(StandardCharsets.US_ASCII));
        while (token.hasRemaining())
        {
            doorbell.write(token);
        }
    }

    /**
     * @return the request ring.
     */
    ManyToOneRingBuffer requestRing()
    {
        return requestRing;
    }

    /**
     * @return the response ring.
     */
    ManyToOneRingBuffer responseRing()
    {
        return responseRing;
    }

    /**
     * Store the wall clock in the worker heartbeat field ("Liveness").
     */
    void heartbeat()
    {
        header.putLongVolatile(WORKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    /**
     * Take the next request head off the request ring, if there is one ("Delivery": its record is consumed, the head
     * position moved past it, before its work starts); any other request-ring record before it is read and ignored.
     *
     * @return true when a head was taken: see {@link #requestId()} and {@link #target()}.
     */
    boolean takeRequest()
    {
        target = null;
        requestRing.controlledRead(takeHead);
        return null != target;
    }

    /**
     * @return the request id of the head last taken.
     */
    long requestId()
    {
        return requestId;
    }

    /**
     * @return the request target of the head last taken.
     */
    String target()
    {
        return target;
    }

    /**
     * Poll for the next request head: heartbeat, then take one, sleeping a millisecond between empty polls (the
     * sleeping flag stays 0, so the listener never needs to wake this side).
     */
    void awaitRequest()
    {
        while (true)
        {
            heartbeat();
            if (takeRequest())
            {
                return;
            }
            pause();
        }
    }

    /**
     * Claim a response record, waiting while the response ring is full ("Full ring": wake the listener first).
     *
     * @param msgTypeId the record type.
     * @param length    the message length in bytes.
     * @return the index of the claimed message in {@link #responseBuffer()}.
     */
    int claim(final int msgTypeId, final int length)
    {
        int index;
        while ((index = responseRing.tryClaim(msgTypeId, length)) == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            wakeListener();
            pause();
        }
        if (index <= 0)
        {
            throw new IllegalStateException("claim of " + length + " bytes: " + index);
        }
        return index;
    }

    /**
     * @return the response ring's buffer, for raw stores into a claimed message.
     */
    AtomicBuffer responseBuffer()
    {
        return responseRing.buffer();
    }

    /**
     * Commit a claimed response record and wake the listener if it may sleep.
     *
     * @param index as {@link #claim} returned it.
     */
    void commit(final int index)
    {
        responseRing.commit(index);
        wakeListener();
    }

    /**
     * Store the fixed part of a {@code RESPONSE_HEAD} at a claimed index.
     *
     * @param index         as {@link #claim} returned it.
     * @param requestId     of the request answered.
     * @param contentLength the declared content length, -1 for none.
     * @param status        the status code.
     * @param flags         {@link #LAST} or 0.
     * @param headerCount   the number of header entries.
     * @param bodyLength    the inline body length in bytes.
     */
    void putHead(
        final int index,
        final long requestId,
        final long contentLength,
        final int status,
        final int flags,
        final int headerCount,
        final int bodyLength)
    {
        final AtomicBuffer buffer = responseRing.buffer();
        buffer.putLong(index, requestId);
        buffer.putLong(index + HEAD_CONTENT_LENGTH_OFFSET, contentLength);
        buffer.putInt(index + HEAD_STATUS_OFFSET, status);
        buffer.putInt(index + HEAD_FLAGS_OFFSET, flags);
        buffer.putInt(index + HEAD_HEADER_COUNT_OFFSET, headerCount);
        buffer.putInt(index + HEAD_BODY_LENGTH_OFFSET, bodyLength);
    }

    /**
     * Store the fixed part of a {@code RESPONSE_BODY} at a claimed index.
     *
     * @param index       as {@link #claim} returned it.
     * @param requestId   of the request answered.
     * @param flags       {@link #LAST} or 0.
     * @param chunkLength the chunk length in bytes.
     */
    void putChunk(final int index, final long requestId, final int flags, final int chunkLength)
    {
        final AtomicBuffer buffer = responseRing.buffer();
        buffer.putLong(index, requestId);
        buffer.putInt(index + CHUNK_FLAGS_OFFSET, flags);
        buffer.putInt(index + CHUNK_LENGTH_OFFSET, chunkLength);
    }

    /**
     * "Waking the other side": a full fence, then ring the doorbell if the listener's flag is set and this side
     * cleared it. Exits 4 when the doorbell is gone.
     */
    void wakeListener()
    {
        VarHandle.fullFence();
        if (header.getIntVolatile(LISTENER_SLEEPING_OFFSET) == 1 &&
            header.compareAndSetInt(LISTENER_SLEEPING_OFFSET, 1, 0))
        {
            try
            {
                wakeByte.clear();
                doorbell.write(wakeByte);
            }
            catch (final IOException ex)
            {
                System.exit(4);
            }
        }
    }

    /**
     * Sleep a millisecond.
     */
    static void pause()
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }

    private ControlledMessageHandler.Action takeHead(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId != REQUEST_HEAD)
        {
            return ControlledMessageHandler.Action.COMMIT;
        }
        requestId = buffer.getLong(index);
        final int methodLength = buffer.getShort(index + REQUEST_METHOD_LENGTH_OFFSET) & 0xFFFF;
        final int targetLength = buffer.getShort(index + REQUEST_TARGET_LENGTH_OFFSET) & 0xFFFF;
        target = buffer.getStringWithoutLengthAscii(index + REQUEST_VARIABLE_OFFSET + methodLength, targetLength);
        return ControlledMessageHandler.Action.BREAK;
    }

    private static void exitAtEndOfInput()
    {
        final Thread stdin = new Thread(
            () ->
            {
                try
                {
                    while (System.in.read() >= 0)
                    {
                        Thread.onSpinWait();
                    }
                }
                catch (final IOException ignore)
                {
                    // gone either way
                }
                System.exit(0);
            },
            "stdin");
        stdin.setDaemon(true);
        stdin.start();
    }
}
