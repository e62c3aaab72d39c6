package io.sluice.listener;

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

/**
 * A shared-memory worker written from {@code docs/shared-memory-protocol.md} alone (raw stores at the documented
 * offsets, Agrona's ring as the document specifies it, none of the SDK's classes) that ignores response credit: for a
 * target ending in {@code /greedy} it sends a {@value #GREEDY_LENGTH}-byte body in {@value #CHUNK_LENGTH}-byte chunks
 * at once, whatever {@code SLUICE_RESPONSE_WINDOW} says and without reading a {@code RESPONSE_CREDIT}. Any other
 * target gets a complete {@code 200} whose body is the worker's PID. It polls its request ring (its sleeping flag
 * stays 0, so the listener never needs to wake it) and exits on end-of-file on its standard input.
 */
public final class CreditIgnoringWorker
{
    /**
     * Length of the {@code /greedy} body: {@value}.
     */
    public static final int GREEDY_LENGTH = 1024 * 1024;

    /**
     * Length of each {@code /greedy} body chunk: {@value}.
     */
    public static final int CHUNK_LENGTH = 32 * 1024;

    // the ring file header ("The ring file")
    private static final int LAYOUT_VERSION_OFFSET = 0;
    private static final int HEADER_LENGTH_OFFSET = 4;
    private static final int REQUEST_RING_LENGTH_OFFSET = 8;
    private static final int RESPONSE_RING_LENGTH_OFFSET = 12;
    private static final int WORKER_PID_OFFSET = 40;
    private static final int WORKER_HEARTBEAT_OFFSET = 48;
    private static final int LISTENER_SLEEPING_OFFSET = 256;
    private static final int LAYOUT_VERSION = 3;

    // messages ("Messages")
    private static final int REQUEST_HEAD = 1;
    private static final int RESPONSE_HEAD = 11;
    private static final int RESPONSE_BODY = 12;
    private static final int REQUEST_METHOD_LENGTH_OFFSET = 24;
    private static final int REQUEST_TARGET_LENGTH_OFFSET = 26;
    private static final int REQUEST_VARIABLE_OFFSET = 40;
    private static final int HEAD_CONTENT_LENGTH_OFFSET = 8;
    private static final int HEAD_STATUS_OFFSET = 16;
    private static final int HEAD_FLAGS_OFFSET = 20;
    private static final int HEAD_HEADER_COUNT_OFFSET = 24;
    private static final int HEAD_BODY_LENGTH_OFFSET = 28;
    private static final int HEAD_VARIABLE_OFFSET = 32;
    private static final int CHUNK_FLAGS_OFFSET = 8;
    private static final int CHUNK_LENGTH_OFFSET = 12;
    private static final int CHUNK_DATA_OFFSET = 16;
    private static final int LAST = 1;

    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final SocketChannel doorbell;
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private final byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
    private long pendingRequestId;
    private String pendingTarget;

    private CreditIgnoringWorker(final MappedByteBuffer mapped, final SocketChannel doorbell)
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
     * Attach to the listener named by the environment and serve until standard input ends.
     *
     * @param args unused.
     * @throws Exception when attaching fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(System.getenv("SLUICE_SHM_DIR"));
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(
            dir.resolve("rings"), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        if (file.getIntVolatile(LAYOUT_VERSION_OFFSET) != LAYOUT_VERSION)
        {
            System.err.println("layout version " + file.getIntVolatile(LAYOUT_VERSION_OFFSET));
            System.exit(2);
        }
        file.putLongVolatile(WORKER_PID_OFFSET, ProcessHandle.current().pid());
        final SocketChannel doorbell = SocketChannel.open(StandardProtocolFamily.UNIX);
        doorbell.connect(UnixDomainSocketAddress.of(dir.resolve("doorbell.sock")));
        doorbell.write(ByteBuffer.wrap(System.getenv("SLUICE_TOKEN").getBytes(StandardCharsets.US_ASCII)));

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

        new CreditIgnoringWorker(mapped, doorbell).run();
    }

    private void run() throws Exception
    {
        while (true)
        {
            header.putLongVolatile(WORKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
            // "Delivery": a head is taken off the ring before its work starts; credit (type 4) is read and ignored
            final int read = requestRing.controlledRead(
                (msgTypeId, buffer, index, length) ->
                {
                    if (msgTypeId != REQUEST_HEAD)
                    {
                        return ControlledMessageHandler.Action.COMMIT;
                    }
                    pendingRequestId = buffer.getLong(index);
                    final int methodLength = buffer.getShort(index + REQUEST_METHOD_LENGTH_OFFSET) & 0xFFFF;
                    final int targetLength = buffer.getShort(index + REQUEST_TARGET_LENGTH_OFFSET) & 0xFFFF;
                    pendingTarget = buffer.getStringWithoutLengthAscii(
                        index + REQUEST_VARIABLE_OFFSET + methodLength, targetLength);
                    return ControlledMessageHandler.Action.BREAK;
                });
            final String target = pendingTarget;
            if (null != target)
            {
                pendingTarget = null;
                answer(pendingRequestId, target);
            }
            else if (0 == read)
            {
                Thread.sleep(1);
            }
        }
    }

    private void answer(final long requestId, final String target) throws Exception
    {
        if (!target.endsWith("/greedy"))
        {
            head(requestId, pid.length, LAST, pid);
            return;
        }
        head(requestId, GREEDY_LENGTH, 0, new byte[0]);
        for (int sent = 0; sent < GREEDY_LENGTH; sent += CHUNK_LENGTH)
        {
            final int flags = sent + CHUNK_LENGTH == GREEDY_LENGTH ? LAST : 0;
            final int index = claim(RESPONSE_BODY, CHUNK_DATA_OFFSET + CHUNK_LENGTH);
            final UnsafeBuffer buffer = (UnsafeBuffer)responseRing.buffer();
            buffer.putLong(index, requestId);
            buffer.putInt(index + CHUNK_FLAGS_OFFSET, flags);
            buffer.putInt(index + CHUNK_LENGTH_OFFSET, CHUNK_LENGTH);
            buffer.setMemory(index + CHUNK_DATA_OFFSET, CHUNK_LENGTH, (byte)'x');
            commit(index);
        }
    }

    private void head(final long requestId, final long contentLength, final int flags, final byte[] body)
        throws Exception
    {
        final int index = claim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET + body.length);
        final UnsafeBuffer buffer = (UnsafeBuffer)responseRing.buffer();
        buffer.putLong(index, requestId);
        buffer.putLong(index + HEAD_CONTENT_LENGTH_OFFSET, contentLength);
        buffer.putInt(index + HEAD_STATUS_OFFSET, 200);
        buffer.putInt(index + HEAD_FLAGS_OFFSET, flags);
        buffer.putInt(index + HEAD_HEADER_COUNT_OFFSET, 0);
        buffer.putInt(index + HEAD_BODY_LENGTH_OFFSET, body.length);
        buffer.putBytes(index + HEAD_VARIABLE_OFFSET, body);
        commit(index);
    }

    /**
     * Claim a record, waiting while the response ring is full ("Full ring": wake the listener first).
     */
    private int claim(final int type, final int length) throws Exception
    {
        int index;
        while ((index = responseRing.tryClaim(type, length)) == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            wakeListener();
            Thread.sleep(1);
        }
        return index;
    }

    private void commit(final int index) throws IOException
    {
        responseRing.commit(index);
        wakeListener();
    }

    /**
     * "Waking the other side": a full fence, then ring the doorbell if the listener's flag is set and this side
     * cleared it.
     */
    private void wakeListener() throws IOException
    {
        VarHandle.fullFence();
        if (header.getIntVolatile(LISTENER_SLEEPING_OFFSET) == 1 &&
            header.compareAndSetInt(LISTENER_SLEEPING_OFFSET, 1, 0))
        {
            wakeByte.clear();
            doorbell.write(wakeByte);
        }
    }
}
