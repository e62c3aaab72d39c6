package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 framing bytes a {@link ServerExchange} writes around what a host sends: the end of a head with the
 * listener's {@code connection} field, body bytes with or without the chunked coding, chunk sizes and ends, the last
 * chunk, and {@code 100 Continue}. Stateless.
 */
final class ResponseFraming
{
    /**
     * Length of the last chunk of a chunked body, with no trailer fields.
     */
    static final int LAST_CHUNK_LENGTH = 5;

    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String CONNECTION = "connection";
    private static final String CLOSE = "close";
    private static final String KEEP_ALIVE = "keep-alive";
    private static final int CHUNK_SIZE_LENGTH = 12;
    private static final int CHUNK_END_LENGTH = 8;

    private ResponseFraming()
    {
    }

    /**
     * End a head: {@code connection: close} when the connection ends after the response; {@code keep-alive} to an
     * HTTP/1.0 client whose connection is kept (HTTP/1.0 closes by default, so it must be told); then the blank line.
     *
     * @param head      the head so far.
     * @param keepAlive true when the connection is kept after the response.
     * @param http10    true when the request is HTTP/1.0.
     */
    static void endHead(final ByteBuf head, final boolean keepAlive, final boolean http10)
    {
        if (!keepAlive)
        {
            ResponseHeads.header(head, CONNECTION, CLOSE);
        }
        else if (http10)
        {
            ResponseHeads.header(head, CONNECTION, KEEP_ALIVE);
        }
        ResponseHeads.end(head);
    }

    /**
     * Append body bytes copied from a buffer, as one chunk when the body is chunked.
     *
     * @param buf     appended to.
     * @param src     holding the bytes.
     * @param offset  of the bytes.
     * @param length  of the bytes, above 0.
     * @param chunked true when the body has the chunked coding.
     */
    static void appendBody(
        final ByteBuf buf, final DirectBuffer src, final int offset, final int length, final boolean chunked)
    {
        if (chunked)
        {
            ResponseHeads.chunkSize(buf, length);
        }
        buf.ensureWritable(length + 2);
        final int writerIndex = buf.writerIndex();
        if (buf.hasMemoryAddress())
        {
            // straight into the buffer's memory: no ByteBuffer view per body
            src.boundsCheck(offset, length);
            UnsafeApi.copyMemory(
                src.byteArray(), src.addressOffset() + offset, null, buf.memoryAddress() + writerIndex, length);
        }
        else
        {
            src.getBytes(offset, buf.nioBuffer(writerIndex, length), length);
        }
        buf.writerIndex(writerIndex + length);
        if (chunked)
        {
            ResponseHeads.crlf(buf);
        }
    }

    /**
     * @param alloc  for the buffer.
     * @param length of the chunk that follows.
     * @return a buffer holding the chunk's size line.
     */
    static ByteBuf chunkSize(final ByteBufAllocator alloc, final int length)
    {
        final ByteBuf size = alloc.directBuffer(CHUNK_SIZE_LENGTH);
        ResponseHeads.chunkSize(size, length);
        return size;
    }

    /**
     * @param alloc for the buffer.
     * @param last  true when the body ends with the chunk.
     * @return a buffer holding the end of a chunk, and the last chunk after it when the body ends.
     */
    static ByteBuf chunkEnd(final ByteBufAllocator alloc, final boolean last)
    {
        final ByteBuf endOfChunk = alloc.directBuffer(CHUNK_END_LENGTH);
        ResponseHeads.crlf(endOfChunk);
        if (last)
        {
            lastChunk(endOfChunk);
        }
        return endOfChunk;
    }

    /**
     * Append the last chunk of a chunked body.
     *
     * @param buf appended to.
     * @return the buffer.
     */
    static ByteBuf lastChunk(final ByteBuf buf)
    {
        return buf.writeBytes(LAST_CHUNK);
    }

    /**
     * @param alloc for the buffer.
     * @return a buffer holding {@code HTTP/1.1 100 Continue} and its blank line.
     */
    static ByteBuf continueLine(final ByteBufAllocator alloc)
    {
        return alloc.directBuffer(CONTINUE.length).writeBytes(CONTINUE);
    }
}
