package io.sluice.listener;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

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
 * A shared-memory worker written from {@code docs/shared-memory-protocol.md} alone, as an outsider would write one,
 * that misbehaves on request: it attaches as the document says (maps the ring file, writes its PID, sends its token on
 * the doorbell) and writes its answers with raw stores at the documented offsets, never through the SDK's encoders.
 * <p>
 * The last path segment picks the answer ({@code /q/good}: a valid {@code 200} whose body is the worker's PID); see
 * {@link #answer}. It polls its request ring (never setting its sleeping flag, so the listener never needs to wake
 * it) and exits on end-of-file on its standard input.
 */
public final class HostileWorker
{
    // the ring file header (docs/shared-memory-protocol.md, "The ring file")
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
    private static final int REQUEST_TARGET_LENGTH_OFFSET = 26;
    private static final int REQUEST_METHOD_LENGTH_OFFSET = 24;
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
    private static final int HUGE = 0x7fff0000;

    // the trailer of a ring, from the end of its data area ("Layout of one ring"); only the listener writes the
    // request ring's tail and head cache positions, and the head position only ever moves to the next record
    private static final int TAIL_POSITION_OFFSET = 128;
    private static final int HEAD_CACHE_POSITION_OFFSET = 256;
    private static final int HEAD_POSITION_OFFSET = 384;

    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer requestRing;
    private final ManyToOneRingBuffer responseRing;
    private final SocketChannel doorbell;
    private final byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
    private final ByteBuffer wakeByte = ByteBuffer.allocateDirect(1);
    private long pendingRequestId;
    private String pendingTarget;

    private HostileWorker(final MappedByteBuffer mapped, final SocketChannel doorbell)
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

        new HostileWorker(mapped, doorbell).run();
    }

    private void run() throws InterruptedException
    {
        while (true)
        {
            header.putLongVolatile(WORKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
            // "Delivery": take a head off the ring (move the head position past it) before working on the request
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
                answer(pendingRequestId, target.substring(target.lastIndexOf('/') + 1));
            }
            else if (0 == read)
            {
                Thread.sleep(1);
            }
        }
    }

    /**
     * Answer a request as its last path segment asks.
     */
    private void answer(final long requestId, final String what)
    {
        switch (what)
        {
            case "crlf" -> head(requestId, 200, -1, LAST, "ok", "x-test", "a\r\nInjected: yes");
            case "lf" -> head(requestId, 200, -1, LAST, "ok", "x-test", "a\nInjected: yes");
            case "nul" -> head(requestId, 200, -1, LAST, "ok", "x-test", "a\0b");
            case "bad-name" -> head(requestId, 200, -1, LAST, "ok", "x test", "a");
            case "empty-name" -> head(requestId, 200, -1, LAST, "ok", "", "a");
            case "framing" -> head(
                requestId, 200, 10, LAST, "0123456789",
                "Content-Length", "0", "Transfer-Encoding", "chunked", "Connection", "keep-alive",
                "Keep-Alive", "timeout=5", "Upgrade", "h2c", "x-kept", "yes");
            case "status100" -> head(requestId, 100, -1, LAST, "x");
            case "status103" -> head(requestId, 103, -1, LAST, "x");
            case "status0" -> head(requestId, 0, -1, LAST, "x");
            case "status999" -> head(requestId, 999, -1, LAST, "x");
            case "status-1" -> head(requestId, -1, -1, LAST, "x");
            case "status204" -> head(requestId, 204, -1, LAST, "body of a 204");
            case "long-body" -> head(requestId, 200, 5, LAST, "0123456789");
            case "long-chunks" ->
            {
                head(requestId, 200, 5, 0, "");
                body(requestId, LAST, "0123456789");
            }
            case "short-body" -> head(requestId, 200, 10, LAST, "01234");
            case "short-chunks" ->
            {
                head(requestId, 200, 10, 0, "");
                body(requestId, LAST, "01234");
            }
            case "huge-inline" -> rawHead(requestId, 0, HUGE);
            case "huge-count" -> rawHead(requestId, Integer.MAX_VALUE, 0);
            case "negative-inline" -> rawHead(requestId, 0, -8);
            case "huge-entry" -> hugeEntry(requestId);
            case "huge-chunk" ->
            {
                head(requestId, 200, -1, 0, "");
                rawBody(requestId, HUGE);
            }
            case "negative-chunk" ->
            {
                head(requestId, 200, -1, 0, "");
                rawBody(requestId, -1);
            }
            case "body-first" -> body(requestId, LAST, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
            case "unknown-type" -> record(99, 16, (buffer, index) -> buffer.putLong(index, requestId));
            case "huge-record" -> hugeRecord(requestId);
            case "die" ->
            {
                rawHead(requestId, 0, HUGE);
                System.exit(3);
            }
            case "bogus-tail" -> breakTrailer(TAIL_POSITION_OFFSET, TAIL_POSITION_OFFSET, 4096);
            case "head-past-tail" -> breakTrailer(HEAD_POSITION_OFFSET, TAIL_POSITION_OFFSET, 4096);
            case "head-behind" -> breakTrailer(HEAD_POSITION_OFFSET, HEAD_POSITION_OFFSET, -8);
            case "unaligned-head" -> breakTrailer(HEAD_POSITION_OFFSET, HEAD_POSITION_OFFSET, -4);
            case "head-cache" -> breakTrailer(HEAD_CACHE_POSITION_OFFSET, TAIL_POSITION_OFFSET, 0x5151_5151_5151L);
            default -> head(requestId, 200, pid.length, LAST, new String(pid, StandardCharsets.US_ASCII),
                "content-type", "text/plain");
        }
    }

    /**
     * Store in a request ring trailer field what the protocol forbids the worker to store there: the value of the field
     * {@code from} plus {@code delta} (the tail and head cache positions are the listener's alone; the head position
     * only moves forward, to the start of a record or the tail). Then keep the heartbeat going and take nothing more:
     * what happens next is up to the listener.
     */
    private void breakTrailer(final int field, final int from, final long delta)
    {
        final AtomicBuffer buffer = requestRing.buffer();
        final int trailer = requestRing.capacity();
        buffer.putLongVolatile(trailer + field, buffer.getLongVolatile(trailer + from) + delta);
        while (true)
        {
            header.putLongVolatile(WORKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    private void head(
        final long requestId,
        final int status,
        final long contentLength,
        final int flags,
        final String body,
        final String... headers)
    {
        int length = HEAD_VARIABLE_OFFSET + body.length();
        for (final String field : headers)
        {
            length += 2 + field.length();
        }
        record(
            RESPONSE_HEAD,
            length,
            (buffer, index) ->
            {
                buffer.putLong(index, requestId);
                buffer.putLong(index + HEAD_CONTENT_LENGTH_OFFSET, contentLength);
                buffer.putInt(index + HEAD_STATUS_OFFSET, status);
                buffer.putInt(index + HEAD_FLAGS_OFFSET, flags);
                buffer.putInt(index + HEAD_HEADER_COUNT_OFFSET, headers.length / 2);
                buffer.putInt(index + HEAD_BODY_LENGTH_OFFSET, body.length());
                int cursor = index + HEAD_VARIABLE_OFFSET;
                for (int i = 0; i < headers.length; i += 2)
                {
                    buffer.putShort(cursor, (short)headers[i].length());
                    buffer.putShort(cursor + 2, (short)headers[i + 1].length());
                    cursor += 4;
                    cursor += buffer.putStringWithoutLengthAscii(cursor, headers[i]);
                    cursor += buffer.putStringWithoutLengthAscii(cursor, headers[i + 1]);
                }
                buffer.putStringWithoutLengthAscii(cursor, body);
            });
    }

    /**
     * A complete 200 head with no room for what its counts claim.
     */
    private void rawHead(final long requestId, final int headerCount, final int bodyLength)
    {
        record(
            RESPONSE_HEAD,
            HEAD_VARIABLE_OFFSET,
            (buffer, index) ->
            {
                buffer.putLong(index, requestId);
                buffer.putLong(index + HEAD_CONTENT_LENGTH_OFFSET, -1);
                buffer.putInt(index + HEAD_STATUS_OFFSET, 200);
                buffer.putInt(index + HEAD_FLAGS_OFFSET, LAST);
                buffer.putInt(index + HEAD_HEADER_COUNT_OFFSET, headerCount);
                buffer.putInt(index + HEAD_BODY_LENGTH_OFFSET, bodyLength);
            });
    }

    /**
     * A head with one header entry whose name length runs past the record.
     */
    private void hugeEntry(final long requestId)
    {
        record(
            RESPONSE_HEAD,
            HEAD_VARIABLE_OFFSET + 8,
            (buffer, index) ->
            {
                buffer.putLong(index, requestId);
                buffer.putLong(index + HEAD_CONTENT_LENGTH_OFFSET, -1);
                buffer.putInt(index + HEAD_STATUS_OFFSET, 200);
                buffer.putInt(index + HEAD_FLAGS_OFFSET, LAST);
                buffer.putInt(index + HEAD_HEADER_COUNT_OFFSET, 1);
                buffer.putInt(index + HEAD_BODY_LENGTH_OFFSET, 0);
                buffer.putShort(index + HEAD_VARIABLE_OFFSET, (short)0xFFFF);
                buffer.putShort(index + HEAD_VARIABLE_OFFSET + 2, (short)0xFFFF);
            });
    }

    /**
     * A RESPONSE_HEAD record whose length word, once committed, claims far more than the ring holds.
     */
    private void hugeRecord(final long requestId)
    {
        int index;
        while ((index = responseRing.tryClaim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET)) <= 0)
        {
            Thread.onSpinWait();
        }
        final AtomicBuffer buffer = responseRing.buffer();
        buffer.putLong(index, requestId);
        buffer.putInt(index + HEAD_STATUS_OFFSET, 200);
        buffer.putInt(index + HEAD_FLAGS_OFFSET, LAST);
        responseRing.commit(index);
        // the record header sits 8 bytes before the message: int32 length, int32 type
        buffer.putIntVolatile(index - 8, HUGE);
        wakeListener();
    }

    private void body(final long requestId, final int flags, final String chunk)
    {
        record(
            RESPONSE_BODY,
            CHUNK_DATA_OFFSET + chunk.length(),
            (buffer, index) ->
            {
                buffer.putLong(index, requestId);
                buffer.putInt(index + CHUNK_FLAGS_OFFSET, flags);
                buffer.putInt(index + CHUNK_LENGTH_OFFSET, chunk.length());
                buffer.putStringWithoutLengthAscii(index + CHUNK_DATA_OFFSET, chunk);
            });
    }

    /**
     * A last body chunk whose length field says {@code chunkLength}, in a record with no data.
     */
    private void rawBody(final long requestId, final int chunkLength)
    {
        record(
            RESPONSE_BODY,
            CHUNK_DATA_OFFSET,
            (buffer, index) ->
            {
                buffer.putLong(index, requestId);
                buffer.putInt(index + CHUNK_FLAGS_OFFSET, LAST);
                buffer.putInt(index + CHUNK_LENGTH_OFFSET, chunkLength);
            });
    }

    private void record(final int msgTypeId, final int length, final Writer writer)
    {
        int index;
        while ((index = responseRing.tryClaim(msgTypeId, length)) <= 0)
        {
            Thread.onSpinWait();
        }
        writer.write(responseRing.buffer(), index);
        responseRing.commit(index);
        wakeListener();
    }

    private void wakeListener()
    {
        // "Waking the other side": a full fence, then wake the listener if it may sleep
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

    @FunctionalInterface
    private interface Writer
    {
        void write(AtomicBuffer buffer, int index);
    }
}
