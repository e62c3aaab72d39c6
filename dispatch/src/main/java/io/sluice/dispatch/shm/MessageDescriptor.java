package io.sluice.dispatch.shm;

import org.agrona.MutableDirectBuffer;

/**
 * Message types and shared field layouts of the ring messages. Every message is one Agrona ring record whose
 * {@code msgTypeId} is one of the {@code *_MSG_TYPE_ID} values; all integers are little-endian; text is one byte per
 * character (ISO-8859-1, so any header byte survives). A request or response is correlated by its request id, which
 * the listener chooses and the worker echoes.
 * <p>
 * Head messages: {@link RequestHeadEncoder} and {@link ResponseHeadEncoder} show their layouts. Body, abort and
 * credit messages share one layout (in a credit message the chunk length field holds the bytes granted and no bytes
 * follow):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Request id                           | 0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Flags (bit 0: last chunk)                  | 8
 *  +---------------------------------------------------------------+
 *  |                         Chunk length                          | 12
 *  +---------------------------------------------------------------+
 *  |                         Chunk bytes                          ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 * A header entry, in either head message:
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |      Name length (uint16)     |     Value length (uint16)     |
 *  +-------------------------------+-------------------------------+
 *  |                     Name bytes, value bytes                  ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MessageDescriptor
{
    /**
     * Listener to worker: a request head.
     */
    public static final int REQUEST_HEAD_MSG_TYPE_ID = 1;

    /**
     * Listener to worker: a chunk of a request body.
     */
    public static final int REQUEST_BODY_MSG_TYPE_ID = 2;

    /**
     * Listener to worker: the request was abandoned (client gone, or the listener gave up).
     */
    public static final int REQUEST_ABORT_MSG_TYPE_ID = 3;

    /**
     * Listener to worker: more response credit for a request (flow control): the worker may send this many more
     * response body bytes in {@link #RESPONSE_BODY_MSG_TYPE_ID} messages. Laid out as a body message whose chunk
     * length is the number of bytes granted, with no chunk bytes.
     */
    public static final int RESPONSE_CREDIT_MSG_TYPE_ID = 4;

    /**
     * Response body bytes a worker may send for one request before any {@link #RESPONSE_CREDIT_MSG_TYPE_ID} arrives,
     * when the queue sets no {@code responseWindow}: {@value} (256 KiB). The inline body of a response head is not
     * counted: only the chunk bytes of {@link #RESPONSE_BODY_MSG_TYPE_ID} messages are.
     */
    public static final int RESPONSE_WINDOW_DEFAULT = 256 * 1024;

    /**
     * Least response window a queue may set: {@value} bytes.
     */
    public static final int RESPONSE_WINDOW_MIN = 4 * 1024;

    /**
     * Greatest response window a queue may set: {@value} bytes (1 GiB).
     */
    public static final int RESPONSE_WINDOW_MAX = 1024 * 1024 * 1024;

    /**
     * Worker to listener: a response head, possibly with the whole body inline.
     */
    public static final int RESPONSE_HEAD_MSG_TYPE_ID = 11;

    /**
     * Worker to listener: a chunk of a response body.
     */
    public static final int RESPONSE_BODY_MSG_TYPE_ID = 12;

    /**
     * Worker to listener: more tunnel credit for an upgraded request (flow control of the request direction, after a
     * {@code 101} answer): the listener may send this many more bytes of the client's in
     * {@link #REQUEST_BODY_MSG_TYPE_ID} messages. Laid out as {@link #RESPONSE_CREDIT_MSG_TYPE_ID}.
     */
    public static final int TUNNEL_CREDIT_MSG_TYPE_ID = 13;

    /**
     * The one status a worker may answer an upgrade request with besides a final one: {@value}, after which the
     * request is a tunnel.
     */
    public static final int SWITCHING_PROTOCOLS_STATUS = 101;

    /**
     * Offset of the request id in every message.
     */
    public static final int REQUEST_ID_OFFSET = 0;

    /**
     * Offset of the flags in body and abort messages.
     */
    public static final int CHUNK_FLAGS_OFFSET = 8;

    /**
     * Offset of the chunk length in body messages.
     */
    public static final int CHUNK_LENGTH_OFFSET = 12;

    /**
     * Offset of the chunk bytes in body messages.
     */
    public static final int CHUNK_DATA_OFFSET = 16;

    /**
     * Length of the fixed part of a body message.
     */
    public static final int CHUNK_HEADER_LENGTH = CHUNK_DATA_OFFSET;

    /**
     * Flag: this chunk ends the body (body messages); the response is complete (response head).
     */
    public static final int LAST_FLAG = 1;

    /**
     * Flag of a last {@code RESPONSE_BODY}: the worker abandons the response it began (its handler failed), so the
     * listener ends it unfinished: the client connection is closed after what was sent, without the end a complete
     * body would have. Only with {@link #LAST_FLAG}.
     */
    public static final int ABORT_FLAG = 2;

    /**
     * Length of the fixed part of a header entry.
     */
    public static final int HEADER_ENTRY_LENGTH = 4;

    /**
     * Largest name or value length in a header entry.
     */
    public static final int MAX_FIELD_LENGTH = 0xFFFF;

    /**
     * Value of a content length that is not known in advance (chunked).
     */
    public static final long UNKNOWN_LENGTH = -1;

    private MessageDescriptor()
    {
    }

    /**
     * @param nameLength of a header name.
     * @param length     of a header value.
     * @return the encoded length of a header entry of that name and value.
     */
    public static int headerEntryLength(final int nameLength, final int length)
    {
        return HEADER_ENTRY_LENGTH + nameLength + length;
    }

    /**
     * Write one header entry, as the request and response heads carry them: the name's length and the value's (two
     * unsigned shorts), then the name and the value in ASCII. {@link HeaderCursor} reads them back.
     *
     * @param buffer to write to.
     * @param index  of the entry in the buffer.
     * @param name   of the header.
     * @param value  of the header.
     * @return the entry's length, {@link #headerEntryLength} of the name and value.
     */
    public static int putHeaderEntry(
        final MutableDirectBuffer buffer, final int index, final CharSequence name, final CharSequence value)
    {
        buffer.putShort(index, (short)name.length());
        buffer.putShort(index + 2, (short)value.length());
        int cursor = index + HEADER_ENTRY_LENGTH;
        cursor += AsciiCodec.put(buffer, cursor, name);
        cursor += AsciiCodec.put(buffer, cursor, value);
        return cursor - index;
    }
}
