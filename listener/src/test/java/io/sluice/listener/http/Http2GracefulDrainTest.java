package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop of an HTTP/2 connection ({@link ConnectionLimiter#startDraining(long)}) sends {@code GOAWAY} at once
 * and gives the streams still open the stop's time limit (Netty's graceful close timeout), not a fixed one: here a
 * stream whose answer the client does not read (its window is 0) keeps the connection open past the {@code GOAWAY}.
 */
class Http2GracefulDrainTest
{
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_SETTINGS = 0x4;
    private static final int TYPE_GOAWAY = 0x7;
    private static final int FLAGS_END_STREAM_END_HEADERS = 0x5;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final long DRAIN_TIME_LIMIT_MS = 2_000;
    // not 1: Netty's stream multiplexer takes stream 1 on a channel without a server parent for an h2c upgrade's
    private static final int STREAM_ID = 3;

    @Test
    void shouldSendGoAwayAndGiveTheOpenStreamsTheStopTimeLimit()
    {
        final ClockedChannel channel = new ClockedChannel();
        final ConnectionLimiter connections = new ConnectionLimiter(ConnectionLimiter.UNLIMITED);
        connections.track(channel);
        Http2Pipeline.add(
            channel, PrefixRouter.<QueueBinding>builder().build(), new StrictDecoderConfig(),
            new HttpConnectionConfig(), connections, null, null, channel.clock());
        final Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
        assertEquals(Http2Pipeline.GRACEFUL_CLOSE_TIMEOUT_MS, codec.gracefulShutdownTimeoutMillis());
        channel.takeOutbound();

        channel.receive(clientOpening());
        final List<Integer> answered = frameTypes(channel.takeOutbound());
        assertTrue(answered.contains(TYPE_HEADERS), "the stream's head was not answered: " + answered);
        assertEquals(1, codec.connection().numActiveStreams(), "the stream's answer body is held by its window");

        connections.startDraining(DRAIN_TIME_LIMIT_MS);
        channel.advance(0);
        final List<Integer> drained = frameTypes(channel.takeOutbound());
        assertTrue(drained.contains(TYPE_GOAWAY), "no GOAWAY at the stop: " + drained);
        assertTrue(channel.isOpen(), "closed with a stream open");
        assertEquals(DRAIN_TIME_LIMIT_MS, codec.gracefulShutdownTimeoutMillis(), "the open streams' time limit");
        channel.finishAndReleaseAll();
    }

    /**
     * @return the preface, SETTINGS with a stream window of 0 (the client reads no answer body), and GET / on
     * stream 3.
     */
    private static ByteBuf clientOpening()
    {
        final ByteBuf out = Unpooled.buffer();
        out.writeCharSequence(PREFACE, StandardCharsets.US_ASCII);
        frameHeader(out, 6, TYPE_SETTINGS, 0, 0);
        out.writeShort(SETTINGS_INITIAL_WINDOW_SIZE).writeInt(0);

        final byte[] authority = "localhost".getBytes(StandardCharsets.US_ASCII);
        // HPACK: :method GET, :scheme http, :path / (static table), :authority as a literal with its indexed name
        final int length = 3 + 2 + authority.length;
        frameHeader(out, length, TYPE_HEADERS, FLAGS_END_STREAM_END_HEADERS, STREAM_ID);
        out.writeByte(0x82).writeByte(0x86).writeByte(0x84).writeByte(0x41).writeByte(authority.length)
            .writeBytes(authority);
        return out;
    }

    private static void frameHeader(
        final ByteBuf out, final int length, final int type, final int flags, final int streamId)
    {
        out.writeMedium(length).writeByte(type).writeByte(flags).writeInt(streamId);
    }

    private static List<Integer> frameTypes(final String bytes)
    {
        final ByteBuf in = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
        final List<Integer> types = new ArrayList<>();
        while (in.readableBytes() >= FRAME_HEADER_LENGTH)
        {
            final int length = in.readUnsignedMedium();
            types.add((int)in.readUnsignedByte());
            in.skipBytes(1 + 4 + length);
        }
        in.release();
        return types;
    }
}
