package io.sluice.listener;

import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.io.InputStream;
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
 * A shared-memory worker written from docs/shared-memory-protocol.md alone, as one in another language would be, that
 * breaks one rule: it answers every request at once (200, {@value #BODY}, complete in its {@code RESPONSE_HEAD}) and
 * never rings the listener's doorbell. Its answers reach the clients only because the listener also drains the
 * response ring on its timer. Started as a queue's worker {@code command}; it polls its request ring every
 * millisecond and exits at end-of-file on standard input.
 */
public final class SilentWorker
{
    static final String BODY = "silent";

    private static final int LAYOUT_VERSION_OFFSET = 0;
    private static final int HEADER_LENGTH_OFFSET = 4;
    private static final int REQUEST_RING_LENGTH_OFFSET = 8;
    private static final int RESPONSE_RING_LENGTH_OFFSET = 12;
    private static final int WORKER_HEARTBEAT_OFFSET = 48;
    private static final int REQUEST_HEAD = 1;
    private static final int RESPONSE_HEAD = 11;
    private static final int RESPONSE_HEAD_FIXED_LENGTH = 32;
    private static final int LAST_FLAG = 1;

    private SilentWorker()
    {
    }

    /**
     * @param args none.
     * @throws IOException when the ring file or the doorbell cannot be opened.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path dir = Path.of(System.getenv("SLUICE_SHM_DIR"));
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(
            dir.resolve("rings"), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        if (file.getIntVolatile(LAYOUT_VERSION_OFFSET) == 0)
        {
            throw new IOException("ring file not ready");
        }
        final int headerLength = file.getInt(HEADER_LENGTH_OFFSET);
        final int requestRingLength = file.getInt(REQUEST_RING_LENGTH_OFFSET);
        final int responseRingLength = file.getInt(RESPONSE_RING_LENGTH_OFFSET);
        final ManyToOneRingBuffer requests =
            new ManyToOneRingBuffer(new UnsafeBuffer(file, headerLength, requestRingLength));
        final ManyToOneRingBuffer responses =
            new ManyToOneRingBuffer(new UnsafeBuffer(file, headerLength + requestRingLength, responseRingLength));

        final SocketChannel doorbell = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("doorbell.sock")));
        final ByteBuffer token = ByteBuffer.wrap(System.getenv("SLUICE_TOKEN").getBytes(StandardCharsets.US_ASCII));
        while (token.hasRemaining())
        {
            doorbell.write(token);
        }
        exitAtEndOfInput();

        final byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
        final long[] taken = new long[1];
        final boolean[] took = new boolean[1];
        final ControlledMessageHandler handler = (msgTypeId, buffer, index, length) ->
        {
            if (msgTypeId == REQUEST_HEAD)
            {
                taken[0] = buffer.getLong(index);
                took[0] = true;
                return ControlledMessageHandler.Action.BREAK;
            }
            return ControlledMessageHandler.Action.COMMIT;
        };
        while (true)
        {
            file.putLongRelease(WORKER_HEARTBEAT_OFFSET, System.currentTimeMillis());
            took[0] = false;
            requests.controlledRead(handler, 1);
            if (took[0])
            {
                final int index = claim(responses, RESPONSE_HEAD_FIXED_LENGTH + body.length);
                final UnsafeBuffer ring = (UnsafeBuffer)responses.buffer();
                ring.putLong(index, taken[0]);
                ring.putLong(index + 8, body.length);
                ring.putInt(index + 16, 200);
                ring.putInt(index + 20, LAST_FLAG);
                ring.putInt(index + 24, 0);
                ring.putInt(index + 28, body.length);
                ring.putBytes(index + RESPONSE_HEAD_FIXED_LENGTH, body);
                responses.commit(index);
                // and no wake-up check: the listener's flag is never read, its doorbell never rung
                continue;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static int claim(final ManyToOneRingBuffer responses, final int length)
    {
        int index;
        while ((index = responses.tryClaim(RESPONSE_HEAD, length)) <= 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return index;
    }

    private static void exitAtEndOfInput()
    {
        final Thread watcher = new Thread(
            () ->
            {
                try
                {
                    final InputStream in = System.in;
                    while (in.read() >= 0)
                    {
                        // nothing is sent on standard input
                    }
                }
                catch (final IOException ignore)
                {
                    // gone either way
                }
                Runtime.getRuntime().halt(0);
            },
            "stdin");
        watcher.setDaemon(true);
        watcher.start();
    }
}
