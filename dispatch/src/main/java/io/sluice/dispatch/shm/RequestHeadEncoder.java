package io.sluice.dispatch.shm;

import org.agrona.MutableDirectBuffer;

/**
 * Writes a {@link MessageDescriptor#REQUEST_HEAD_MSG_TYPE_ID} message straight into a claimed ring record. Fields
 * are written in layout order: the fixed fields, then {@link #method}, {@link #target}, {@link #remoteAddress}, then
 * {@link #header} per header. Reusable: {@link #wrap} starts a new message.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Request id                           | 0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       Content length (-1: chunked, unknown; 0: no body)       | 8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Remote port                            | 16
 *  +---------------------------------------------------------------+
 *  |                        Header count                           | 20
 *  +-------------------------------+-------------------------------+
 *  |     Method length (uint16)    |     Target length (uint16)    | 24
 *  +-------------------------------+-------------------------------+
 *  | Remote address length (uint16)|        Flags (uint16)         | 28
 *  +-------------------------------+-------------------------------+
 *  |        Admitted at (int64, System.nanoTime() of the listener) | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Method, target, remote address bytes, header entries    ... 40
 *  +---------------------------------------------------------------+
 *  |      Inline body (content length bytes, with INLINE_BODY_FLAG) ...
 *  +---------------------------------------------------------------+
 * </pre>
 * With {@link #INLINE_BODY_FLAG} the whole body (content length bytes, more than 0) follows the header entries in the
 * same message and no {@code REQUEST_BODY} message follows; the listener sets it only for a worker that announced
 * {@link WorkerFileDescriptor#FEATURE_INLINE_REQUEST_BODY}, and only when the whole message is at most
 * {@link #INLINE_MESSAGE_MAX_LENGTH} bytes.
 */
public final class RequestHeadEncoder
{
    /**
     * Offset of the content length.
     */
    public static final int CONTENT_LENGTH_OFFSET = 8;

    /**
     * Offset of the remote port.
     */
    public static final int REMOTE_PORT_OFFSET = 16;

    /**
     * Offset of the header count.
     */
    public static final int HEADER_COUNT_OFFSET = 20;

    /**
     * Offset of the method length.
     */
    public static final int METHOD_LENGTH_OFFSET = 24;

    /**
     * Offset of the target length.
     */
    public static final int TARGET_LENGTH_OFFSET = 26;

    /**
     * Offset of the remote address length.
     */
    public static final int REMOTE_ADDRESS_LENGTH_OFFSET = 28;

    /**
     * Offset of the flags (uint16).
     */
    public static final int FLAGS_OFFSET = 30;

    /**
     * Flag: the whole body, content length bytes, follows the header entries (and the listener's fields) in this
     * message; no
     * {@code REQUEST_BODY} message follows.
     */
    public static final int INLINE_BODY_FLAG = 1;

    /**
     * Longest {@code REQUEST_HEAD} message, head and body together, the listener writes with an inline body: {@value}
     * bytes (16 KiB), and never more than the ring's largest message. Small enough that the worker copies the record
     * out of the ring without allocating (the Java worker keeps a copy buffer of this size per pooled exchange), and
     * that an inline record is a small part of the smallest ring (64 KiB of data, 8 KiB messages); large enough for
     * the form posts and JSON calls that make most bodies. Longer bodies stream as {@code REQUEST_BODY} chunks, which
     * the worker reads in place in the ring.
     */
    public static final int INLINE_MESSAGE_MAX_LENGTH = 16 * 1024;

    /**
     * Flags bits 8..15: the number of the listener's field entries after the client's header entries (the TLS facts
     * of an https request, {@code io.sluice.dispatch.http.TlsInfo}), before any inline body; 0 for a cleartext
     * request. A worker that reads only the header count never sees them, but must skip them to find an inline body.
     */
    public static final int LISTENER_FIELD_COUNT_SHIFT = 8;

    /**
     * Most listener field entries one head can carry.
     */
    public static final int LISTENER_FIELD_COUNT_MAX = 0xFF;

    /**
     * Offset of the admission time: the listener's {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux, comparable
     * between processes on the same machine) when it admitted the request.
     */
    public static final int ADMITTED_AT_OFFSET = 32;

    /**
     * Length of the fixed part; the variable part starts here.
     */
    public static final int VARIABLE_OFFSET = 40;

    private MutableDirectBuffer buffer;
    private int offset;
    private int cursor;
    private int headerCount;
    private int listenerFieldCount;

    /**
     * The encoded length of a head with the given variable parts.
     *
     * @param methodLength        of the method.
     * @param targetLength        of the target.
     * @param remoteAddressLength of the remote address.
     * @param headersLength       sum of {@link MessageDescriptor#headerEntryLength} over the headers.
     * @return the message length in bytes.
     */
    public static int length(
        final int methodLength, final int targetLength, final int remoteAddressLength, final int headersLength)
    {
        return VARIABLE_OFFSET + methodLength + targetLength + remoteAddressLength + headersLength;
    }

    /**
     * Start a message.
     *
     * @param buffer to write to.
     * @param offset of the message in the buffer.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.cursor = offset + VARIABLE_OFFSET;
        this.headerCount = 0;
        this.listenerFieldCount = 0;
        buffer.putInt(offset + HEADER_COUNT_OFFSET, 0);
        buffer.putShort(offset + FLAGS_OFFSET, (short)0);
        buffer.putLong(offset + ADMITTED_AT_OFFSET, 0);
        return this;
    }

    /**
     * @param requestId chosen by the listener.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder requestId(final long requestId)
    {
        buffer.putLong(offset + MessageDescriptor.REQUEST_ID_OFFSET, requestId);
        return this;
    }

    /**
     * @param contentLength of the body, -1 when chunked, 0 when none.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder contentLength(final long contentLength)
    {
        buffer.putLong(offset + CONTENT_LENGTH_OFFSET, contentLength);
        return this;
    }

    /**
     * @param remotePort of the client.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder remotePort(final int remotePort)
    {
        buffer.putInt(offset + REMOTE_PORT_OFFSET, remotePort);
        return this;
    }

    /**
     * @param admittedAtNs the listener's {@link System#nanoTime()} when it admitted the request.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder admittedAtNs(final long admittedAtNs)
    {
        buffer.putLong(offset + ADMITTED_AT_OFFSET, admittedAtNs);
        return this;
    }

    /**
     * @param method of the request; first of the variable fields.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder method(final CharSequence method)
    {
        buffer.putShort(offset + METHOD_LENGTH_OFFSET, (short)method.length());
        cursor += AsciiCodec.put(buffer, cursor, method);
        return this;
    }

    /**
     * @param target of the request; after the method.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder target(final CharSequence target)
    {
        buffer.putShort(offset + TARGET_LENGTH_OFFSET, (short)target.length());
        cursor += AsciiCodec.put(buffer, cursor, target);
        return this;
    }

    /**
     * @param remoteAddress of the client as text; after the target.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder remoteAddress(final CharSequence remoteAddress)
    {
        buffer.putShort(offset + REMOTE_ADDRESS_LENGTH_OFFSET, (short)remoteAddress.length());
        cursor += AsciiCodec.put(buffer, cursor, remoteAddress);
        return this;
    }

    /**
     * Append a header; after the remote address.
     *
     * @param name  of the header.
     * @param value of the header.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder header(final CharSequence name, final CharSequence value)
    {
        cursor += MessageDescriptor.putHeaderEntry(buffer, cursor, name, value);
        buffer.putInt(offset + HEADER_COUNT_OFFSET, ++headerCount);
        return this;
    }

    /**
     * Mark the message as carrying its whole body inline; the caller writes the body right after the last header.
     *
     * @return this for a fluent API.
     */
    public RequestHeadEncoder inlineBody()
    {
        buffer.putShort(offset + FLAGS_OFFSET, (short)(buffer.getShort(offset + FLAGS_OFFSET) | INLINE_BODY_FLAG));
        return this;
    }

    /**
     * Append a field of the listener's own after every client header entry ({@link #header} must not follow, the
     * inline body follows them).
     *
     * @param name  of the field, e.g. {@code sluice-tls-protocol}.
     * @param value of the field.
     * @return this for a fluent API.
     */
    public RequestHeadEncoder listenerField(final CharSequence name, final CharSequence value)
    {
        cursor += MessageDescriptor.putHeaderEntry(buffer, cursor, name, value);
        listenerFieldCount++;
        final int flags = buffer.getShort(offset + FLAGS_OFFSET) & ((1 << LISTENER_FIELD_COUNT_SHIFT) - 1);
        buffer.putShort(offset + FLAGS_OFFSET, (short)(flags | listenerFieldCount << LISTENER_FIELD_COUNT_SHIFT));
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
