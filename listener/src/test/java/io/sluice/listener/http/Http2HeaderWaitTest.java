package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Error;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code headerWait} and {@code idleConnection} timers of an HTTP/2 connection, on a clock the test advances: a
 * header block not complete within {@code headerWait} closes the connection with {@code GOAWAY PROTOCOL_ERROR} (no
 * other frame may come between its frames), timed from the start of the wait for a request when no stream is open —
 * as over HTTP/1.1 — and from the block's first frame when streams are; a connection with no stream open and no block
 * begun for {@code idleConnection} is closed with {@code GOAWAY NO_ERROR}.
 */
class Http2HeaderWaitTest
{
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_SETTINGS = 0x4;
    private static final int TYPE_GOAWAY = 0x7;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int FLAG_END_STREAM = 0x1;
    private static final int FLAG_END_HEADERS = 0x4;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final long HEADER_WAIT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long IDLE_CONNECTION_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    // not 1: Netty's stream multiplexer takes stream 1 on a channel without a server parent for an h2c upgrade's
    private static final int FIRST_STREAM_ID = 3;
    private static final int SECOND_STREAM_ID = 5;

    private final ClockedChannel channel = new ClockedChannel();

    @AfterEach
    void close()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldSendGoAwayProtocolErrorAndCloseWhenAHeaderBlockIsNotCompleteWithinHeaderWait()
    {
        open();
        channel.receive(bytes(buf -> headers(buf, FIRST_STREAM_ID, false, firstHalf())));

        channel.advance(HEADER_WAIT_NS - 1);
        assertTrue(frames().isEmpty(), "answered before headerWait");
        assertTrue(channel.isOpen());

        channel.advance(1);
        assertGoAway(Http2Error.PROTOCOL_ERROR, frames());
        assertFalse(channel.isOpen(), "still open past headerWait");
    }

    @Test
    void shouldServeAHeaderBlockCompletedWithinHeaderWait()
    {
        open();
        channel.receive(bytes(buf -> headers(buf, FIRST_STREAM_ID, false, firstHalf())));
        channel.advance(HEADER_WAIT_NS - SECOND_NS);
        channel.receive(bytes(buf -> continuation(buf, FIRST_STREAM_ID, secondHalf())));
        assertTrue(types(frames()).contains(TYPE_HEADERS), "the stream was not answered");

        channel.advance(2 * SECOND_NS);
        assertTrue(frames().isEmpty(), "a complete block was timed out");
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldTimeAHeaderBlockFromTheStartOfTheWaitWhenNoStreamIsOpen()
    {
        open();
        channel.advance(HEADER_WAIT_NS - 2 * SECOND_NS);
        channel.receive(bytes(buf -> headers(buf, FIRST_STREAM_ID, false, firstHalf())));

        channel.advance(2 * SECOND_NS);
        assertGoAway(Http2Error.PROTOCOL_ERROR, frames());
        assertFalse(channel.isOpen(), "the block was timed from its own start, not from the connection's");
    }

    @Test
    void shouldTimeAHeaderBlockFromItsFirstFrameWhileAStreamIsOpen()
    {
        open();
        channel.receive(bytes(buf -> headers(buf, FIRST_STREAM_ID, true, request())));
        assertTrue(types(frames()).contains(TYPE_HEADERS), "the first stream was not answered");
        // its answer body waits for a window the client never opens: the stream stays open

        channel.advance(HEADER_WAIT_NS - 2 * SECOND_NS);
        channel.receive(bytes(buf -> headers(buf, SECOND_STREAM_ID, false, firstHalf())));
        channel.advance(2 * SECOND_NS);
        assertTrue(frames().isEmpty(), "the block was timed from the connection's start");
        assertTrue(channel.isOpen());

        channel.advance(HEADER_WAIT_NS - 2 * SECOND_NS);
        assertGoAway(Http2Error.PROTOCOL_ERROR, frames());
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldTimeAHeaderBlockWhoseOnlyFrameTrickles()
    {
        open();
        final byte[] block = request();
        channel.receive(bytes(buf ->
        {
            frameHeader(buf, block.length, TYPE_HEADERS, FLAG_END_STREAM | FLAG_END_HEADERS, FIRST_STREAM_ID);
            buf.writeBytes(block, 0, 1);
        }));

        channel.advance(HEADER_WAIT_NS);
        assertGoAway(Http2Error.PROTOCOL_ERROR, frames());
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldFollowFramesSplitAnywhereAcrossReads()
    {
        open();
        final ByteBuf all = bytes(buf ->
        {
            headers(buf, FIRST_STREAM_ID, false, firstHalf());
            continuation(buf, FIRST_STREAM_ID, secondHalf());
        });
        while (all.isReadable())
        {
            channel.receive(all.readRetainedSlice(1));
        }
        all.release();
        assertTrue(types(frames()).contains(TYPE_HEADERS), "the stream was not answered");

        channel.advance(HEADER_WAIT_NS);
        assertTrue(frames().isEmpty(), "a complete block was timed out");
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldSendGoAwayNoErrorAndCloseAConnectionIdleForIdleConnection()
    {
        open();
        channel.advance(IDLE_CONNECTION_NS - 1);
        assertTrue(channel.isOpen());

        channel.advance(1);
        assertGoAway(Http2Error.NO_ERROR, frames());
        assertFalse(channel.isOpen(), "still open past idleConnection");
    }

    @Test
    void shouldCloseAConnectionIdleAgainForIdleConnectionFromItsLastStreamsEnd()
    {
        open(SETTINGS_INITIAL_WINDOW_SIZE, 65_535);
        channel.advance(IDLE_CONNECTION_NS - SECOND_NS);
        channel.receive(bytes(buf -> headers(buf, FIRST_STREAM_ID, true, request())));
        assertTrue(types(frames()).contains(TYPE_HEADERS), "the stream was not answered");

        channel.advance(IDLE_CONNECTION_NS - 1);
        assertTrue(channel.isOpen(), "idle counted from the connection's start, not its last stream's end");
        channel.advance(1);
        assertGoAway(Http2Error.NO_ERROR, frames());
        assertFalse(channel.isOpen());
    }

    /**
     * The client's preface and settings, with a stream window of 0: it reads no answer body, so a stream stays open.
     */
    private void open()
    {
        open(SETTINGS_INITIAL_WINDOW_SIZE, 0);
    }

    private void open(final int setting, final int value)
    {
        Http2Pipeline.add(
            channel, PrefixRouter.<QueueBinding>builder().build(), new StrictDecoderConfig(),
            // the minimum send rate is off: a stream held open by a shut window is what it cuts (Http2MinSendRateTest)
            new HttpConnectionConfig().headerWaitNs(HEADER_WAIT_NS).idleConnectionNs(IDLE_CONNECTION_NS)
                .minSendRate(HttpConnectionConfig.DISABLED),
            null, null, null, channel.clock());
        channel.takeOutbound();
        channel.receive(bytes(buf ->
        {
            buf.writeCharSequence(PREFACE, StandardCharsets.US_ASCII);
            frameHeader(buf, 6, TYPE_SETTINGS, 0, 0);
            buf.writeShort(setting).writeInt(value);
        }));
        frames();
    }

    /**
     * @return HPACK for GET / (static table: :method GET, :scheme http, :path /) with :authority localhost (a literal
     * with an indexed name).
     */
    private static byte[] request()
    {
        final byte[] authority = "localhost".getBytes(StandardCharsets.US_ASCII);
        final ByteBuf block = Unpooled.buffer();
        block.writeByte(0x82).writeByte(0x86).writeByte(0x84).writeByte(0x41).writeByte(authority.length)
            .writeBytes(authority);
        final byte[] bytes = new byte[block.readableBytes()];
        block.readBytes(bytes);
        block.release();
        return bytes;
    }

    private static byte[] firstHalf()
    {
        final byte[] block = request();
        final byte[] half = new byte[3];
        System.arraycopy(block, 0, half, 0, half.length);
        return half;
    }

    private static byte[] secondHalf()
    {
        final byte[] block = request();
        final byte[] half = new byte[block.length - 3];
        System.arraycopy(block, 3, half, 0, half.length);
        return half;
    }

    private static void headers(final ByteBuf out, final int streamId, final boolean endHeaders, final byte[] block)
    {
        frameHeader(out, block.length, TYPE_HEADERS, FLAG_END_STREAM | (endHeaders ? FLAG_END_HEADERS : 0), streamId);
        out.writeBytes(block);
    }

    private static void continuation(final ByteBuf out, final int streamId, final byte[] block)
    {
        frameHeader(out, block.length, TYPE_CONTINUATION, FLAG_END_HEADERS, streamId);
        out.writeBytes(block);
    }

    private static void frameHeader(
        final ByteBuf out, final int length, final int type, final int flags, final int streamId)
    {
        out.writeMedium(length).writeByte(type).writeByte(flags).writeInt(streamId);
    }

    private static ByteBuf bytes(final Consumer<ByteBuf> writer)
    {
        final ByteBuf out = Unpooled.buffer();
        writer.accept(out);
        return out;
    }

    /**
     * @return the frames written to the client since the last call: type, then the payload.
     */
    private List<Frame> frames()
    {
        final ByteBuf in = Unpooled.copiedBuffer(channel.takeOutbound(), StandardCharsets.ISO_8859_1);
        final List<Frame> frames = new ArrayList<>();
        while (in.readableBytes() >= FRAME_HEADER_LENGTH)
        {
            final int length = in.readUnsignedMedium();
            final int type = in.readUnsignedByte();
            in.skipBytes(1 + 4);
            final byte[] payload = new byte[length];
            in.readBytes(payload);
            frames.add(new Frame(type, payload));
        }
        in.release();
        return frames;
    }

    private static List<Integer> types(final List<Frame> frames)
    {
        final List<Integer> types = new ArrayList<>();
        frames.forEach((frame) -> types.add(frame.type()));
        return types;
    }

    private static void assertGoAway(final Http2Error error, final List<Frame> frames)
    {
        final Frame goAway = frames.stream().filter((frame) -> TYPE_GOAWAY == frame.type()).findFirst()
            .orElseThrow(() -> new AssertionError("no GOAWAY: " + types(frames)));
        final ByteBuf payload = Unpooled.wrappedBuffer(goAway.payload());
        payload.skipBytes(4);
        assertEquals(error.code(), payload.readUnsignedInt(), "the GOAWAY's error code");
    }

    private record Frame(int type, byte[] payload)
    {
    }
}
