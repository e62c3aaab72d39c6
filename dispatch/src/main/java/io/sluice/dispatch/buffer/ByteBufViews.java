package io.sluice.dispatch.buffer;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Views a Netty {@link ByteBuf}'s readable bytes as an Agrona {@link UnsafeBuffer}, so that a handler or a ring
 * reads them where they are: a direct buffer is wrapped by its address and a heap buffer by its array, without a
 * copy or an allocation; only a buffer with neither (a composite of several) is copied into a new array.
 * <p>
 * The view is valid while the {@code ByteBuf} is neither released nor moved; the caller owns both.
 */
public final class ByteBufViews
{
    private static final byte[] EMPTY = new byte[0];

    private ByteBufViews()
    {
    }

    /**
     * Point a view at the first {@code length} readable bytes of a buffer (from its reader index).
     *
     * @param view   the reusable view to point.
     * @param data   the buffer; its indexes are not moved.
     * @param length how many of its readable bytes to view; 0 points the view at nothing.
     * @return the view.
     */
    public static UnsafeBuffer wrap(final UnsafeBuffer view, final ByteBuf data, final int length)
    {
        if (length == 0)
        {
            view.wrap(EMPTY);
        }
        else if (data.hasMemoryAddress())
        {
            view.wrap(data.memoryAddress() + data.readerIndex(), length);
        }
        else if (data.hasArray())
        {
            view.wrap(data.array(), data.arrayOffset() + data.readerIndex(), length);
        }
        else
        {
            final byte[] copy = new byte[length];
            data.getBytes(data.readerIndex(), copy);
            view.wrap(copy);
        }
        return view;
    }
}
