package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.sluice.dispatch.shm.MessageDescriptor.CHUNK_DATA_OFFSET;
import static io.sluice.dispatch.shm.MessageDescriptor.CHUNK_FLAGS_OFFSET;
import static io.sluice.dispatch.shm.MessageDescriptor.CHUNK_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.MessageDescriptor.REQUEST_ID_OFFSET;

/**
 * Static accessors for body, abort and credit messages (request or response); layout in {@link MessageDescriptor}.
 * In a credit message the chunk length is the number of bytes granted.
 */
public final class BodyChunkFlyweight
{
    private BodyChunkFlyweight()
    {
    }

    /**
     * @param chunkLength of the chunk.
     * @return the message length.
     */
    public static int length(final int chunkLength)
    {
        return CHUNK_DATA_OFFSET + chunkLength;
    }

    /**
     * Write the fixed part of a body message; the caller copies the chunk to {@link #dataOffset}.
     *
     * @param buffer      to write to.
     * @param offset      of the message.
     * @param requestId   of the request.
     * @param flags       {@link MessageDescriptor#LAST_FLAG} for the last chunk.
     * @param chunkLength of the chunk.
     */
    public static void encode(
        final MutableDirectBuffer buffer, final int offset, final long requestId, final int flags,
        final int chunkLength)
    {
        buffer.putLong(offset + REQUEST_ID_OFFSET, requestId);
        buffer.putInt(offset + CHUNK_FLAGS_OFFSET, flags);
        buffer.putInt(offset + CHUNK_LENGTH_OFFSET, chunkLength);
    }

    /**
     * @param buffer holding the message.
     * @param offset of the message.
     * @return the request id.
     */
    public static long requestId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + REQUEST_ID_OFFSET);
    }

    /**
     * @param buffer holding the message.
     * @param offset of the message.
     * @return the flags.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CHUNK_FLAGS_OFFSET);
    }

    /**
     * @param buffer holding the message.
     * @param offset of the message.
     * @return the chunk length.
     */
    public static int chunkLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CHUNK_LENGTH_OFFSET);
    }

    /**
     * @param offset of the message.
     * @return offset of the chunk bytes.
     */
    public static int dataOffset(final int offset)
    {
        return offset + CHUNK_DATA_OFFSET;
    }
}
