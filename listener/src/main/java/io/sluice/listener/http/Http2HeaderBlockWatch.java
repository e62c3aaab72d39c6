package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;

/**
 * Tells the connection ({@link Http2ServerConnection}) when a client begins a header block and when it has the whole
 * of it, for the {@code headerWait} timer: Netty's frame codec keeps a header block it has not finished to itself
 * (nothing reaches a listener until its last {@code CONTINUATION}), so this stage, just in front of the codec, reads
 * the 9-byte frame headers of the bytes going by — their length, type and flags — and passes every byte on untouched.
 * A block begins with the header of a {@code HEADERS} frame and is complete once the last byte of the frame carrying
 * {@code END_HEADERS} has arrived: a frame that trickles in is as incomplete as a missing {@code CONTINUATION}. The
 * connection is told only of a block still open once the bytes of a read are through, so the usual block, whole in
 * one read, costs it nothing. The client's connection preface is skipped first. Bytes that break the framing are the
 * codec's to refuse.
 * <p>
 * No allocation; a few operations per frame. Event-loop confined, one per connection.
 */
final class Http2HeaderBlockWatch extends ChannelInboundHandlerAdapter
{
    /**
     * Bytes of an HTTP/2 frame header: length (3), type, flags, stream id (4).
     */
    static final int FRAME_HEADER_LENGTH = Http2CodecUtil.FRAME_HEADER_LENGTH;

    /**
     * Bytes of the client's connection preface, {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}.
     */
    static final int PREFACE_LENGTH = 24;

    private static final int LENGTH_FIELD_LENGTH = 3;
    private static final int TYPE_INDEX = 3;
    private static final int FLAGS_INDEX = 4;

    private final Http2ServerConnection connection;
    private long payloadRemaining = PREFACE_LENGTH;
    private boolean endsBlock;
    private boolean blockOpen;
    private boolean blockTold;
    private int headerIndex;
    private int length;
    private int type;
    private int flags;

    /**
     * @param connection told when a header block begins and ends.
     */
    Http2HeaderBlockWatch(final Http2ServerConnection connection)
    {
        this.connection = connection;
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof ByteBuf buf)
        {
            watch(buf, buf.readerIndex(), buf.writerIndex());
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * @return true while a header block has begun and is not complete.
     */
    boolean isBlockOpen()
    {
        return blockOpen;
    }

    private void watch(final ByteBuf buf, final int fromIndex, final int toIndex)
    {
        int index = fromIndex;
        while (index < toIndex)
        {
            if (payloadRemaining > 0)
            {
                final int skipped = (int)Math.min(payloadRemaining, toIndex - index);
                index += skipped;
                payloadRemaining -= skipped;
                if (0 == payloadRemaining)
                {
                    frameEnded();
                }
            }
            else if (0 == headerIndex && toIndex - index >= FRAME_HEADER_LENGTH)
            {
                // the common case: a whole frame header in the buffer
                length = buf.getUnsignedMedium(index);
                type = buf.getUnsignedByte(index + TYPE_INDEX);
                flags = buf.getUnsignedByte(index + FLAGS_INDEX);
                frameBegun();
                index += FRAME_HEADER_LENGTH;
            }
            else
            {
                headerByte(buf.getUnsignedByte(index));
                index++;
            }
        }
        if (blockOpen && !blockTold)
        {
            blockTold = true;
            connection.headerBlockBegun();
        }
    }

    private void headerByte(final short value)
    {
        if (headerIndex < LENGTH_FIELD_LENGTH)
        {
            length = (0 == headerIndex ? 0 : length << Byte.SIZE) | value;
        }
        else if (TYPE_INDEX == headerIndex)
        {
            type = value;
        }
        else if (FLAGS_INDEX == headerIndex)
        {
            flags = value;
        }
        headerIndex++;
        if (FRAME_HEADER_LENGTH == headerIndex)
        {
            headerIndex = 0;
            frameBegun();
        }
    }

    private void frameBegun()
    {
        final boolean headerFrame = Http2FrameTypes.HEADERS == type || Http2FrameTypes.CONTINUATION == type;
        endsBlock = headerFrame && 0 != (flags & Http2Flags.END_HEADERS);
        if (headerFrame)
        {
            blockOpen = true;
        }
        payloadRemaining = length;
        if (0 == length)
        {
            frameEnded();
        }
    }

    private void frameEnded()
    {
        if (endsBlock)
        {
            endsBlock = false;
            blockOpen = false;
            if (blockTold)
            {
                blockTold = false;
                connection.headerBlockEnded();
            }
        }
    }
}
