package io.sluice.dispatch.shm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes a {@link MessageDescriptor#RESPONSE_HEAD_MSG_TYPE_ID} message straight into a claimed ring record: the
 * fixed fields, then {@link #header} per header, then optionally the {@link #body} inline. A head with
 * {@link MessageDescriptor#LAST_FLAG} carries the whole response; otherwise body messages follow.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Request id                           | 0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Content length (-1: unknown, sent chunked)           | 8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Status                              | 16
 *  +---------------------------------------------------------------+
 *  |              Flags (bit 0: response complete)                 | 20
 *  +---------------------------------------------------------------+
 *  |                        Header count                           | 24
 *  +---------------------------------------------------------------+
 *  |                      Inline body length                       | 28
 *  +---------------------------------------------------------------+
 *  |                 Header entries, inline body                  ... 32
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ResponseHeadEncoder
{
    /**
     * Offset of the content length.
     */
    public static final int CONTENT_LENGTH_OFFSET = 8;

    /**
     * Offset of the status.
     */
    public static final int STATUS_OFFSET = 16;

    /**
     * Offset of the flags.
     */
    public static final int FLAGS_OFFSET = 20;

    /**
     * Offset of the header count.
     */
    public static final int HEADER_COUNT_OFFSET = 24;

    /**
     * Offset of the inline body length.
     */
    public static final int BODY_LENGTH_OFFSET = 28;

    /**
     * Length of the fixed part; header entries start here.
     */
    public static final int VARIABLE_OFFSET = 32;

    private MutableDirectBuffer buffer;
    private int offset;
    private int cursor;
    private int headerCount;

    /**
     * @param headersLength sum of {@link MessageDescriptor#headerEntryLength} over the headers.
     * @param bodyLength    of the inline body.
     * @return the message length in bytes.
     */
    public static int length(final int headersLength, final int bodyLength)
    {
        return VARIABLE_OFFSET + headersLength + bodyLength;
    }

    /**
     * Start a message.
     *
     * @param buffer to write to.
     * @param offset of the message in the buffer.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.cursor = offset + VARIABLE_OFFSET;
        this.headerCount = 0;
        buffer.putInt(offset + HEADER_COUNT_OFFSET, 0);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, 0);
        buffer.putInt(offset + FLAGS_OFFSET, 0);
        return this;
    }

    /**
     * @param requestId the listener's id for the request answered.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder requestId(final long requestId)
    {
        buffer.putLong(offset + MessageDescriptor.REQUEST_ID_OFFSET, requestId);
        return this;
    }

    /**
     * @param status HTTP status code.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder status(final int status)
    {
        buffer.putInt(offset + STATUS_OFFSET, status);
        return this;
    }

    /**
     * @param contentLength of the body, -1 when not known in advance.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder contentLength(final long contentLength)
    {
        buffer.putLong(offset + CONTENT_LENGTH_OFFSET, contentLength);
        return this;
    }

    /**
     * @param flags {@link MessageDescriptor#LAST_FLAG} when this message completes the response.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder flags(final int flags)
    {
        buffer.putInt(offset + FLAGS_OFFSET, flags);
        return this;
    }

    /**
     * Append a header.
     *
     * @param name  of the header.
     * @param value of the header.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder header(final CharSequence name, final CharSequence value)
    {
        cursor += MessageDescriptor.putHeaderEntry(buffer, cursor, name, value);
        buffer.putInt(offset + HEADER_COUNT_OFFSET, ++headerCount);
        return this;
    }

    /**
     * Append the inline body; after the headers.
     *
     * @param src    holding the body.
     * @param index  of the body in src.
     * @param length of the body.
     * @return this for a fluent API.
     */
    public ResponseHeadEncoder body(final DirectBuffer src, final int index, final int length)
    {
        buffer.putBytes(cursor, src, index, length);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, length);
        cursor += length;
        return this;
    }

    /**
     * @return the number of bytes written so far.
     */
    public int encodedLength()
    {
        return cursor - offset;
    }
}
