package io.sluice.listener;

import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.sluice.listener.RawRingWorker.CHUNK_DATA_OFFSET;
import static io.sluice.listener.RawRingWorker.HEAD_VARIABLE_OFFSET;
import static io.sluice.listener.RawRingWorker.LAST;
import static io.sluice.listener.RawRingWorker.RECORD_HEADER_LENGTH;
import static io.sluice.listener.RawRingWorker.RESPONSE_BODY;
import static io.sluice.listener.RawRingWorker.RESPONSE_HEAD;

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
    private static final int HUGE = 0x7fff0000;
    private static final int UNKNOWN_TYPE = 99;
    private static final int TUNNEL_CREDIT = 13;
    private static final int FLOOD_CONNECTIONS = 500;
    private static final long FLOOD_WAIT_MS = 10_000;
    private static final List<SocketChannel> FLOOD = new ArrayList<>();

    // the trailer of a ring, from the end of its data area ("Layout of one ring"); only the listener writes the
    // request ring's tail and head cache positions, and the head position only ever moves to the next record
    private static final int TAIL_POSITION_OFFSET = 128;
    private static final int HEAD_CACHE_POSITION_OFFSET = 256;
    private static final int HEAD_POSITION_OFFSET = 384;

    private final RawRingWorker ring;
    private final byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);

    private HostileWorker(final RawRingWorker ring)
    {
        this.ring = ring;
    }

    /**
     * Attach to the listener named by the environment and serve until standard input ends.
     *
     * @param args unused.
     * @throws Exception when attaching fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final HostileWorker worker = new HostileWorker(RawRingWorker.attach());
        while (true)
        {
            worker.ring.awaitRequest();
            final String target = worker.ring.target();
            worker.answer(worker.ring.requestId(), target.substring(target.lastIndexOf('/') + 1));
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
            case "status304" -> head(requestId, 304, 13, LAST, "body of a 304");
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
            case "second-head" ->
            {
                head(requestId, 200, -1, 0, "");
                body(requestId, 0, "abc");
                head(requestId, 200, 3, LAST, "xyz");
            }
            case "second-head-sized" ->
            {
                head(requestId, 200, 10, 0, "");
                body(requestId, 0, "abc");
                head(requestId, 200, 3, LAST, "xyz");
            }
            case "body-first" -> body(requestId, LAST, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
            case "unknown-type" -> unknownType(requestId);
            case "switch" ->
            {
                // a 101 to a request that did not ask to upgrade, then tunnel bytes
                head(requestId, 101, -1, 0, "");
                body(requestId, 0, "tunnel bytes");
            }
            case "tunnel-credit" ->
            {
                // tunnel credit for an ordinary response
                head(requestId, 200, -1, 0, "");
                body(requestId, 0, "abc");
                tunnelCredit(requestId, 4096);
            }
            case "huge-record" -> hugeRecord(requestId);
            case "doorbell-flood" -> doorbellFlood(requestId);
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
     * While attached, open {@link #FLOOD_CONNECTIONS} more doorbell connections that never send a token, and one more
     * that sends this worker's token again; keep them all open (they are never closed) and count, for up to
     * {@link #FLOOD_WAIT_MS}, those the listener closes (a read returns end-of-file). The answer's body:
     * {@code closed=<token-less connections closed> duplicate=<closed|open>}.
     */
    private void doorbellFlood(final long requestId)
    {
        try
        {
            for (int i = 0; i < FLOOD_CONNECTIONS; i++)
            {
                FLOOD.add(RawRingWorker.connectDoorbell(false));
            }
            final SocketChannel duplicate = RawRingWorker.connectDoorbell(false);
            try
            {
                RawRingWorker.sendToken(duplicate);
            }
            catch (final IOException ex)
            {
                // closed before the token was all sent: the read below sees it closed
            }
            final List<SocketChannel> open = new ArrayList<>(FLOOD);
            open.add(duplicate);
            for (final SocketChannel channel : open)
            {
                channel.configureBlocking(false);
            }
            boolean duplicateClosed = false;
            int closed = 0;
            final ByteBuffer scratch = ByteBuffer.allocate(64);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLOOD_WAIT_MS);
            while (!open.isEmpty() && System.nanoTime() - deadlineNs < 0)
            {
                for (final Iterator<SocketChannel> it = open.iterator(); it.hasNext(); )
                {
                    final SocketChannel channel = it.next();
                    if (isClosedByPeer(channel, scratch))
                    {
                        it.remove();
                        if (channel == duplicate)
                        {
                            duplicateClosed = true;
                        }
                        else
                        {
                            closed++;
                        }
                    }
                }
                ring.heartbeat();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            FLOOD.add(duplicate);
            final String body = "closed=" + closed + " duplicate=" + (duplicateClosed ? "closed" : "open");
            head(requestId, 200, body.length(), LAST, body);
        }
        catch (final IOException ex)
        {
            final String body = "failed: " + ex;
            head(requestId, 200, body.length(), LAST, body);
        }
    }

    /**
     * @return true when the peer closed the connection: end-of-file, or a reset (it closed with our bytes unread).
     */
    private static boolean isClosedByPeer(final SocketChannel channel, final ByteBuffer scratch)
    {
        scratch.clear();
        try
        {
            return channel.read(scratch) < 0;
        }
        catch (final IOException ex)
        {
            return true;
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
        final AtomicBuffer buffer = ring.requestRing().buffer();
        final int trailer = ring.requestRing().capacity();
        buffer.putLongVolatile(trailer + field, buffer.getLongVolatile(trailer + from) + delta);
        while (true)
        {
            ring.heartbeat();
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
        final int index = ring.claim(RESPONSE_HEAD, length);
        ring.putHead(index, requestId, contentLength, status, flags, headers.length / 2, body.length());
        final AtomicBuffer buffer = ring.responseBuffer();
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
        ring.commit(index);
    }

    /**
     * A complete 200 head with no room for what its counts claim.
     */
    private void rawHead(final long requestId, final int headerCount, final int bodyLength)
    {
        final int index = ring.claim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET);
        ring.putHead(index, requestId, -1, 200, LAST, headerCount, bodyLength);
        ring.commit(index);
    }

    /**
     * A head with one header entry whose name length runs past the record.
     */
    private void hugeEntry(final long requestId)
    {
        final int index = ring.claim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET + 8);
        ring.putHead(index, requestId, -1, 200, LAST, 1, 0);
        ring.responseBuffer().putShort(index + HEAD_VARIABLE_OFFSET, (short)0xFFFF);
        ring.responseBuffer().putShort(index + HEAD_VARIABLE_OFFSET + 2, (short)0xFFFF);
        ring.commit(index);
    }

    /**
     * A RESPONSE_HEAD record whose length word, once committed, claims far more than the ring holds.
     */
    private void hugeRecord(final long requestId)
    {
        final int index = ring.claim(RESPONSE_HEAD, HEAD_VARIABLE_OFFSET);
        ring.putHead(index, requestId, 0, 200, LAST, 0, 0);
        ring.responseRing().commit(index);
        ring.responseBuffer().putIntVolatile(index - RECORD_HEADER_LENGTH, HUGE);
        ring.wakeListener();
    }

    private void body(final long requestId, final int flags, final String chunk)
    {
        final int index = ring.claim(RESPONSE_BODY, CHUNK_DATA_OFFSET + chunk.length());
        ring.putChunk(index, requestId, flags, chunk.length());
        ring.responseBuffer().putStringWithoutLengthAscii(index + CHUNK_DATA_OFFSET, chunk);
        ring.commit(index);
    }

    /**
     * A last body chunk whose length field says {@code chunkLength}, in a record with no data.
     */
    private void rawBody(final long requestId, final int chunkLength)
    {
        final int index = ring.claim(RESPONSE_BODY, CHUNK_DATA_OFFSET);
        ring.putChunk(index, requestId, LAST, chunkLength);
        ring.commit(index);
    }

    /**
     * A {@code TUNNEL_CREDIT} (type 13): request id, flags 0, the grant.
     */
    private void tunnelCredit(final long requestId, final int grant)
    {
        final int index = ring.claim(TUNNEL_CREDIT, CHUNK_DATA_OFFSET);
        ring.putChunk(index, requestId, 0, grant);
        ring.commit(index);
    }

    /**
     * A record of a type the protocol does not define, holding only a request id.
     */
    private void unknownType(final long requestId)
    {
        final int index = ring.claim(UNKNOWN_TYPE, 16);
        ring.responseBuffer().putLong(index, requestId);
        ring.commit(index);
    }
}
