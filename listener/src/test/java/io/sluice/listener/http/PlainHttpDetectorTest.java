package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlainHttpDetectorTest
{
    private static final long EPOCH_MS = 1_700_000_000_000L;
    private static final String ANSWER =
        "HTTP/1.1 400 Bad Request\r\n" +
        "content-type: text/plain\r\n" +
        "content-length: 64\r\n" +
        "connection: close\r\n" +
        "date: Tue, 14 Nov 2023 22:13:20 GMT\r\n" +
        "\r\n" +
        "400 Bad Request: a plain HTTP request was sent to an HTTPS port\n";
    private static final byte[] CLIENT_HELLO_START =
        { 0x16, 0x03, 0x01, 0x00, 0x07, 0x01, 0x00, 0x00, 0x03, 0x03, 0x03, 0x00 };
    private static final byte[] PLAIN_REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Recorder behind = new Recorder();
    private final EmbeddedChannel channel = newChannel();

    @Test
    void shouldPassTlsFirstBytesThroughUntouchedAndLeaveThePipeline()
    {
        channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO_START));

        assertArrayEquals(CLIENT_HELLO_START, behind.bytes());
        assertNull(channel.pipeline().get(PlainHttpDetector.class));
        assertNull(channel.readOutbound());
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldDecideOnTheFifthByteWhenTlsArrivesByteByByte()
    {
        for (int i = 0; i < CLIENT_HELLO_START.length; i++)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO_START, i, 1));
            if (i < PlainHttpDetector.RECORD_HEADER_LENGTH - 1)
            {
                assertEquals(0, behind.bytes().length, "nothing handed on before the fifth byte");
                assertNotNull(channel.pipeline().get(PlainHttpDetector.class));
            }
            else
            {
                assertNull(channel.pipeline().get(PlainHttpDetector.class));
            }
        }

        assertArrayEquals(CLIENT_HELLO_START, behind.bytes());
        assertNull(channel.readOutbound());
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldAnswerPlainHttp400AndCloseWithoutHandingOnAByte()
    {
        channel.writeInbound(Unpooled.wrappedBuffer(PLAIN_REQUEST));

        assertEquals(ANSWER, outbound());
        assertEquals(0, behind.bytes().length);
        assertNull(channel.pipeline().get(Recorder.class));
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldAnswerPlainHttpArrivingByteByByteOnTheFifthByte()
    {
        for (int i = 0; i < PlainHttpDetector.RECORD_HEADER_LENGTH - 1; i++)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(PLAIN_REQUEST, i, 1));
            assertNull(channel.readOutbound());
            assertTrue(channel.isOpen());
        }
        channel.writeInbound(Unpooled.wrappedBuffer(PLAIN_REQUEST, PlainHttpDetector.RECORD_HEADER_LENGTH - 1, 1));

        assertEquals(ANSWER, outbound());
        assertEquals(0, behind.bytes().length);
        assertFalse(channel.isOpen());
    }

    @Test
    void shouldWaitOnFewerThanFiveBytes()
    {
        channel.writeInbound(Unpooled.wrappedBuffer(PLAIN_REQUEST, 0, PlainHttpDetector.RECORD_HEADER_LENGTH - 1));

        assertNull(channel.readOutbound());
        assertEquals(0, behind.bytes().length);
        assertNotNull(channel.pipeline().get(PlainHttpDetector.class));
        assertTrue(channel.isOpen());
    }

    private EmbeddedChannel newChannel()
    {
        final CachedEpochClock epochClock = new CachedEpochClock();
        epochClock.update(EPOCH_MS);
        return new EmbeddedChannel(
            new PlainHttpDetector(new CachedNanoClock(), new DateHeader(epochClock)), behind);
    }

    private String outbound()
    {
        final StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while (null != (buf = channel.readOutbound()))
        {
            text.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return text.toString();
    }

    private static final class Recorder extends ChannelInboundHandlerAdapter
    {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf buf = (ByteBuf)msg;
            final byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            received.writeBytes(bytes);
        }

        byte[] bytes()
        {
            return received.toByteArray();
        }
    }
}
