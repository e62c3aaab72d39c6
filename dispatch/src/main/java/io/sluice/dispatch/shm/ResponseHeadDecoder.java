package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;

import static io.sluice.dispatch.shm.ResponseHeadEncoder.BODY_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.ResponseHeadEncoder.CONTENT_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.ResponseHeadEncoder.FLAGS_OFFSET;
import static io.sluice.dispatch.shm.ResponseHeadEncoder.HEADER_COUNT_OFFSET;
import static io.sluice.dispatch.shm.ResponseHeadEncoder.STATUS_OFFSET;
import static io.sluice.dispatch.shm.ResponseHeadEncoder.VARIABLE_OFFSET;

/**
 * Reads a {@link MessageDescriptor#RESPONSE_HEAD_MSG_TYPE_ID} message in place; see {@link ResponseHeadEncoder} for
 * the layout. The inline body follows the header entries: walk them with a {@link HeaderCursor} and take
 * {@link HeaderCursor#end()} as the body's offset.
 */
public final class ResponseHeadDecoder
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param buffer holding the message.
     * @param offset of the message.
     * @return this for a fluent API.
     */
    public ResponseHeadDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the request id.
     */
    public long requestId()
    {
        return buffer.getLong(offset + MessageDescriptor.REQUEST_ID_OFFSET);
    }

    /**
     * @return the content length, -1 when unknown.
     */
    public long contentLength()
    {
        return buffer.getLong(offset + CONTENT_LENGTH_OFFSET);
    }

    /**
     * @return the HTTP status.
     */
    public int status()
    {
        return buffer.getInt(offset + STATUS_OFFSET);
    }

    /**
     * @return the flags.
     */
    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET);
    }

    /**
     * @return the number of headers.
     */
    public int headerCount()
    {
        return buffer.getInt(offset + HEADER_COUNT_OFFSET);
    }

    /**
     * @return the length of the inline body.
     */
    public int bodyLength()
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET);
    }

    /**
     * @return offset of the first header entry.
     */
    public int headersOffset()
    {
        return offset + VARIABLE_OFFSET;
    }
}
