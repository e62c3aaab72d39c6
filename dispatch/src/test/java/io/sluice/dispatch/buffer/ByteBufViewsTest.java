package io.sluice.dispatch.buffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ByteBufViewsTest
{
    @Test
    void viewsADirectBufferInPlaceFromItsReaderIndex()
    {
        final ByteBuf data = Unpooled.directBuffer(16).writeBytes(bytes("xxhello"));
        data.skipBytes(2);
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        assertSame(view, ByteBufViews.wrap(view, data, 4));
        assertEquals(data.memoryAddress() + 2, view.addressOffset());
        assertEquals("hell", view.getStringWithoutLengthAscii(0, 4));
        assertEquals(2, data.readerIndex());
        data.release();
    }

    @Test
    void viewsAHeapBufferByItsArray()
    {
        final ByteBuf data = Unpooled.buffer(16).writeBytes(bytes("xxhello"));
        data.skipBytes(2);
        final UnsafeBuffer view = ByteBufViews.wrap(new UnsafeBuffer(0, 0), data, 5);
        assertSame(data.array(), view.byteArray());
        assertEquals("hello", view.getStringWithoutLengthAscii(0, 5));
        data.release();
    }

    @Test
    void copiesACompositeBuffer()
    {
        final CompositeByteBuf data = Unpooled.compositeBuffer();
        data.addComponent(true, Unpooled.directBuffer().writeBytes(bytes("hel")));
        data.addComponent(true, Unpooled.buffer().writeBytes(bytes("lo")));
        final UnsafeBuffer view = ByteBufViews.wrap(new UnsafeBuffer(0, 0), data, 5);
        assertEquals(5, view.capacity());
        assertEquals("hello", view.getStringWithoutLengthAscii(0, 5));
        data.release();
    }

    @Test
    void viewsNothingForNoBytes()
    {
        final ByteBuf data = Unpooled.directBuffer(4).writeBytes(bytes("abc"));
        final UnsafeBuffer view = ByteBufViews.wrap(new UnsafeBuffer(new byte[8]), data, 0);
        assertEquals(0, view.capacity());
        data.release();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
