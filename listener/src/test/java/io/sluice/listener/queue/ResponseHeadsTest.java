package io.sluice.listener.queue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseHeadsTest
{
    @Test
    void shouldTakeOnly200To599AsFinal()
    {
        assertFalse(ResponseHeads.isFinalStatus(-1));
        assertFalse(ResponseHeads.isFinalStatus(0));
        assertFalse(ResponseHeads.isFinalStatus(100));
        assertFalse(ResponseHeads.isFinalStatus(103));
        assertFalse(ResponseHeads.isFinalStatus(199));
        assertTrue(ResponseHeads.isFinalStatus(200));
        assertTrue(ResponseHeads.isFinalStatus(599));
        assertFalse(ResponseHeads.isFinalStatus(600));
        assertFalse(ResponseHeads.isFinalStatus(999));
    }

    @ParameterizedTest
    @ValueSource(strings = { "x-test", "X_Odd!#$%&'*+-.^`|~9" })
    void shouldWriteAValidHeader(final String name)
    {
        final ByteBuf buf = Unpooled.buffer();
        assertTrue(ResponseHeads.checkedHeader(buf, name, "a\tb \u00e9 \"quoted\""));
        assertEquals(name + ": a\tb \u00e9 \"quoted\"\r\n", buf.toString(StandardCharsets.ISO_8859_1));
        buf.release();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "x test", "x:y", "x\r\ny", "(x)", "x\u0000", "\u00e9" })
    void shouldRefuseANameThatIsNotAToken(final String name)
    {
        final ByteBuf buf = Unpooled.buffer();
        assertFalse(ResponseHeads.checkedHeader(buf, name, "a"));
        assertEquals(0, buf.readableBytes());
        assertFalse(checkedFromRing(name, "a"));
        buf.release();
    }

    @ParameterizedTest
    @ValueSource(strings = { "a\r\nInjected: yes", "a\nb", "a\rb", "a\u0000b", "a\u0001b", "a\u007fb" })
    void shouldRefuseAValueWithAControlCharacter(final String value)
    {
        final ByteBuf buf = Unpooled.buffer();
        assertFalse(ResponseHeads.checkedHeader(buf, "x-test", value));
        assertEquals(0, buf.readableBytes());
        assertFalse(checkedFromRing("x-test", value));
        buf.release();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Content-Length", "transfer-encoding", "CONNECTION", "Keep-Alive", "Upgrade", "Proxy-Connection", "TE",
        "Trailer", "Date" })
    void shouldDropTheHeadersTheListenerWrites(final String name)
    {
        final ByteBuf buf = Unpooled.buffer();
        assertTrue(ResponseHeads.checkedHeader(buf, name, "0"));
        assertEquals(0, buf.readableBytes());
        buf.release();

        final ByteBuf fromRing = Unpooled.buffer();
        final UnsafeBuffer src = new UnsafeBuffer((name + "0").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(ResponseHeads.checkedHeader(fromRing, src, 0, name.length(), name.length(), 1));
        assertEquals(0, fromRing.readableBytes());
        fromRing.release();
    }

    @ParameterizedTest
    @ValueSource(strings = { "x-test", "X_Odd!#$%&'*+-.^`|~9" })
    void shouldCopyAValidHeaderFromRingBytesThroughAViewOfADirectHead(final String name)
    {
        final String value = "a\tb \u00e9 \"quoted\"";
        final UnsafeBuffer src = new UnsafeBuffer(("junk" + name + value).getBytes(StandardCharsets.ISO_8859_1));
        final ByteBuf buf = Unpooled.directBuffer(8);
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        buf.writeCharSequence("HTTP/1.1 200 OK\r\n", StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 20; i++)
        {
            // the head grows past its first capacity: each line is written where the head is now
            assertTrue(ResponseHeads.checkedHeader(
                buf, view, src, 4, name.length(), 4 + name.length(), value.length()));
        }
        assertEquals("HTTP/1.1 200 OK\r\n" + (name + ": " + value + "\r\n").repeat(20),
            buf.toString(StandardCharsets.ISO_8859_1));
        buf.release();
    }

    @Test
    void shouldDropAFramingHeaderFromRingBytesThroughAViewOfADirectHead()
    {
        final ByteBuf buf = Unpooled.directBuffer(64);
        final UnsafeBuffer src = new UnsafeBuffer("Transfer-Encodingchunked".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(ResponseHeads.checkedHeader(buf, new UnsafeBuffer(0, 0), src, 0, 17, 17, 7));
        assertEquals(0, buf.readableBytes());
        buf.release();
    }

    /**
     * Checks a header from ring bytes each way a head can be written: byte by byte into a heap head, and through a view
     * into a direct head or, falling back, a heap head; all must agree, and a refused header must write nothing.
     */
    private static boolean checkedFromRing(final String name, final String value)
    {
        final UnsafeBuffer src = new UnsafeBuffer((name + value).getBytes(StandardCharsets.ISO_8859_1));
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final ByteBuf[] heads = { Unpooled.buffer(), Unpooled.directBuffer(), Unpooled.buffer() };
        final boolean[] valid = new boolean[heads.length];
        for (int i = 0; i < heads.length; i++)
        {
            final ByteBuf buf = heads[i];
            buf.writeCharSequence("HTTP/1.1 200 OK\r\n", StandardCharsets.ISO_8859_1);
            final int before = buf.writerIndex();
            valid[i] = 0 == i ?
                ResponseHeads.checkedHeader(buf, src, 0, name.length(), name.length(), value.length()) :
                ResponseHeads.checkedHeader(buf, view, src, 0, name.length(), name.length(), value.length());
            if (!valid[i])
            {
                assertEquals(before, buf.writerIndex(), "nothing written for a refused header");
            }
            buf.release();
        }
        assertEquals(valid[0], valid[1], "through a view of a direct head");
        assertEquals(valid[0], valid[2], "through a view of a heap head");
        return valid[0];
    }
}
