package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;

import static io.sluice.dispatch.shm.RequestHeadEncoder.ADMITTED_AT_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.CONTENT_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.FLAGS_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.HEADER_COUNT_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.METHOD_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.REMOTE_ADDRESS_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.REMOTE_PORT_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.TARGET_LENGTH_OFFSET;
import static io.sluice.dispatch.shm.RequestHeadEncoder.VARIABLE_OFFSET;

/**
 * Reads a {@link MessageDescriptor#REQUEST_HEAD_MSG_TYPE_ID} message in place; see {@link RequestHeadEncoder} for the
 * layout. Headers are walked with {@link HeaderCursor}. Reusable: {@link #wrap} moves it to another message.
 */
public final class RequestHeadDecoder
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param buffer holding the message.
     * @param offset of the message.
     * @return this for a fluent API.
     */
    public RequestHeadDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the buffer wrapped.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the request id.
     */
    public long requestId()
    {
        return buffer.getLong(offset + MessageDescriptor.REQUEST_ID_OFFSET);
    }

    /**
     * @return the content length, -1 when chunked, 0 when no body.
     */
    public long contentLength()
    {
        return buffer.getLong(offset + CONTENT_LENGTH_OFFSET);
    }

    /**
     * @return the client's port.
     */
    public int remotePort()
    {
        return buffer.getInt(offset + REMOTE_PORT_OFFSET);
    }

    /**
     * @return the number of headers.
     */
    public int headerCount()
    {
        return buffer.getInt(offset + HEADER_COUNT_OFFSET);
    }

    /**
     * @return the flags: {@link RequestHeadEncoder#INLINE_BODY_FLAG}.
     */
    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * @return true when the whole body follows the header entries in this message.
     */
    public boolean hasInlineBody()
    {
        return (flags() & RequestHeadEncoder.INLINE_BODY_FLAG) != 0;
    }

    /**
     * @return the listener's {@link System#nanoTime()} when it admitted the request.
     */
    public long admittedAtNs()
    {
        return buffer.getLong(offset + ADMITTED_AT_OFFSET);
    }

    /**
     * @return offset of the method bytes in the buffer.
     */
    public int methodOffset()
    {
        return offset + VARIABLE_OFFSET;
    }

    /**
     * @return length of the method.
     */
    public int methodLength()
    {
        return buffer.getShort(offset + METHOD_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * @return offset of the target bytes in the buffer.
     */
    public int targetOffset()
    {
        return methodOffset() + methodLength();
    }

    /**
     * @return length of the target.
     */
    public int targetLength()
    {
        return buffer.getShort(offset + TARGET_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * @return offset of the remote address bytes in the buffer.
     */
    public int remoteAddressOffset()
    {
        return targetOffset() + targetLength();
    }

    /**
     * @return length of the remote address.
     */
    public int remoteAddressLength()
    {
        return buffer.getShort(offset + REMOTE_ADDRESS_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * @return the number of the listener's field entries after the header entries (0 for a cleartext request).
     */
    public int listenerFieldCount()
    {
        return (flags() >> RequestHeadEncoder.LISTENER_FIELD_COUNT_SHIFT) & RequestHeadEncoder.LISTENER_FIELD_COUNT_MAX;
    }

    /**
     * @return offset of the first header entry in the buffer.
     */
    public int headersOffset()
    {
        return remoteAddressOffset() + remoteAddressLength();
    }

    /**
     * @return the method as a String.
     */
    public String method()
    {
        return AsciiCodec.get(buffer, methodOffset(), methodLength());
    }

    /**
     * @return the target as a String.
     */
    public String target()
    {
        return AsciiCodec.get(buffer, targetOffset(), targetLength());
    }

    /**
     * @return the remote address as a String.
     */
    public String remoteAddress()
    {
        return AsciiCodec.get(buffer, remoteAddressOffset(), remoteAddressLength());
    }
}
