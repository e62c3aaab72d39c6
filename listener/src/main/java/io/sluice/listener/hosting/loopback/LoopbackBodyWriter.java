package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.sluice.listener.queue.ResponseHeads;

import java.nio.charset.StandardCharsets;

/**
 * Writes a chunk of a request body to a worker connection in the framing of the forwarded head: as it is for a body
 * of known length, or as an HTTP/1.1 chunk (size line, data, line end; the last chunk after the last) for one the
 * client sent chunked. Not flushed.
 */
final class LoopbackBodyWriter
{
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK_SIZE_LINE_LENGTH = 10;

    private LoopbackBodyWriter()
    {
    }

    /**
     * @param upstream the worker connection.
     * @param content  the chunk; becomes the connection's (or is released when empty).
     * @param last     true when it ends the body.
     * @param chunked  true when the body is forwarded chunked.
     */
    static void write(final LoopbackUpstream upstream, final ByteBuf content, final boolean last, final boolean chunked)
    {
        final int length = content.readableBytes();
        if (chunked)
        {
            if (length > 0)
            {
                final ByteBuf size = upstream.channel().alloc().directBuffer(CHUNK_SIZE_LINE_LENGTH);
                ResponseHeads.chunkSize(size, length);
                upstream.write(size);
                upstream.write(content);
                final ByteBuf end = upstream.channel().alloc().directBuffer(2 + (last ? LAST_CHUNK.length : 0));
                ResponseHeads.crlf(end);
                if (last)
                {
                    end.writeBytes(LAST_CHUNK);
                }
                upstream.write(end);
            }
            else
            {
                content.release();
                if (last)
                {
                    upstream.write(upstream.channel().alloc().directBuffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK));
                }
            }
        }
        else if (length > 0)
        {
            upstream.write(content);
        }
        else
        {
            content.release();
        }
    }
}
