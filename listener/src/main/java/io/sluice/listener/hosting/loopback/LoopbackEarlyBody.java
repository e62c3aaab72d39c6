package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;

/**
 * The request body a forward holds while no worker connection is ready to take it, up to
 * {@link #LIMIT_LENGTH} bytes: past it the client connection is told to wait (back-pressure).
 * <p>
 * Buffer ownership: a chunk held is retained by {@link #hold}; it is the holder's until handed on by {@link #drainTo}
 * or released by {@link #release()}. Event-loop confined.
 */
final class LoopbackEarlyBody
{
    /**
     * Request body held while no worker connection is ready: {@value} bytes.
     */
    static final int LIMIT_LENGTH = 64 * 1024;

    /**
     * Takes the held chunks in order once a worker connection is ready.
     */
    @FunctionalInterface
    interface ChunkConsumer
    {
        /**
         * @param chunk the chunk; becomes the consumer's.
         * @param last  true for the request body's last chunk.
         */
        void accept(ByteBuf chunk, boolean last);
    }

    private ArrayDeque<ByteBuf> chunks;
    private int length;
    private boolean last;

    /**
     * Hold a chunk of the body, unless it would take what is held past the limit (a first chunk is always held).
     *
     * @param content the chunk; retained when held.
     * @param last    true when it ends the body.
     * @return false when the client connection must wait and offer the chunk again later.
     */
    boolean hold(final ByteBuf content, final boolean last)
    {
        final int length = content.readableBytes();
        if (this.length > 0 && this.length + length > LIMIT_LENGTH)
        {
            return false;
        }
        if (null == chunks)
        {
            chunks = new ArrayDeque<>(4);
        }
        chunks.addLast(content.retain());
        this.length += length;
        this.last |= last;
        return true;
    }

    /**
     * Hand every held chunk on, in order, and hold nothing after.
     *
     * @param consumer takes each chunk, the last one marked so when the body ended while held.
     */
    void drainTo(final ChunkConsumer consumer)
    {
        final ArrayDeque<ByteBuf> chunks = this.chunks;
        if (null != chunks)
        {
            this.chunks = null;
            length = 0;
            ByteBuf chunk;
            while (null != (chunk = chunks.pollFirst()))
            {
                consumer.accept(chunk, last && chunks.isEmpty());
            }
        }
    }

    /**
     * Release every held chunk.
     */
    void release()
    {
        if (null != chunks)
        {
            ByteBuf chunk;
            while (null != (chunk = chunks.pollFirst()))
            {
                chunk.release();
            }
            chunks = null;
        }
    }
}
