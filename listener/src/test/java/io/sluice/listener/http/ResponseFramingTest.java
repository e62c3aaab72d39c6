package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResponseFramingTest
{
    private static final byte[] BODY = "..Hello, World!..".getBytes(StandardCharsets.ISO_8859_1);
    private static final String HEAD = "HTTP/1.1 200 OK\r\n\r\n";

    @Test
    void shouldAppendBodyBytesFromHeapAndOffHeapSourcesToDirectAndHeapBuffers()
    {
        final ByteBuffer offHeap = ByteBuffer.allocateDirect(BODY.length).put(BODY);
        final DirectBuffer[] sources = { new UnsafeBuffer(BODY), new UnsafeBuffer(offHeap) };
        for (final DirectBuffer src : sources)
        {
            for (final ByteBuf buf : new ByteBuf[] { Unpooled.directBuffer(4), Unpooled.buffer(4) })
            {
                buf.writeCharSequence(HEAD, StandardCharsets.ISO_8859_1);
                ResponseFraming.appendBody(buf, src, 2, BODY.length - 4, false);
                assertEquals(HEAD + "Hello, World!", buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            }
        }
    }

    @Test
    void shouldAppendBodyBytesAsOneChunk()
    {
        final ByteBuf buf = Unpooled.directBuffer(4);
        ResponseFraming.appendBody(buf, new UnsafeBuffer(BODY), 2, BODY.length - 4, true);
        assertEquals("d\r\nHello, World!\r\n", buf.toString(StandardCharsets.ISO_8859_1));
        buf.release();
    }

    @Test
    void shouldNotReadPastTheSource()
    {
        final ByteBuf buf = Unpooled.directBuffer(64);
        final UnsafeBuffer src = new UnsafeBuffer(BODY);
        assertThrows(
            IndexOutOfBoundsException.class, () -> ResponseFraming.appendBody(buf, src, 2, BODY.length, false));
        assertEquals(0, buf.writerIndex());
        buf.release();
    }
}
