package io.sluice.listener.log;

import org.agrona.BitUtil;

/**
 * The layout of a log record in the log ring, as an event loop encodes it and the writer reads it. The message type
 * of the ring record tells an access record from an error record; both have the same layout. Little-endian, as the
 * ring buffer's native order.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   wall-clock time, ms since epoch (64)          |
 *  |                   duration, ns (64)                             |
 *  |                   response bytes sent (64)                      |
 *  |                   request bytes received (64)                   |
 *  |                   status (32)                                   |
 *  |                   file id (32)                                  |
 *  |                   client port (32)                              |
 *  |                   server port (32)                              |
 *  |                   error reason ordinal, or -1 (32)              |
 *  |                   hosting model ordinal, or -1 (32)             |
 *  |                 protocol: 10, 11, 20 or 0 (32)                  |
 *  |   then seven texts, each a 32-bit length and that many bytes:  |
 *  |   client address, server address, method, target,             |
 *  |   User-Agent, Referer, queue name (ISO-8859-1, cut at a limit)  |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class LogRecordDescriptor
{
    /**
     * Message type of an access log record.
     */
    public static final int ACCESS_MSG_TYPE_ID = 1;

    /**
     * Message type of an error log record.
     */
    public static final int ERROR_MSG_TYPE_ID = 2;

    /**
     * Offset of the wall-clock time in ms.
     */
    public static final int TIMESTAMP_MS_OFFSET = 0;

    /**
     * Offset of the duration in ns.
     */
    public static final int DURATION_NS_OFFSET = TIMESTAMP_MS_OFFSET + BitUtil.SIZE_OF_LONG;

    /**
     * Offset of the response bytes sent.
     */
    public static final int SENT_LENGTH_OFFSET = DURATION_NS_OFFSET + BitUtil.SIZE_OF_LONG;

    /**
     * Offset of the request bytes received.
     */
    public static final int RECEIVED_LENGTH_OFFSET = SENT_LENGTH_OFFSET + BitUtil.SIZE_OF_LONG;

    /**
     * Offset of the status.
     */
    public static final int STATUS_OFFSET = RECEIVED_LENGTH_OFFSET + BitUtil.SIZE_OF_LONG;

    /**
     * Offset of the file id.
     */
    public static final int FILE_ID_OFFSET = STATUS_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the client port.
     */
    public static final int CLIENT_PORT_OFFSET = FILE_ID_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the server port.
     */
    public static final int SERVER_PORT_OFFSET = CLIENT_PORT_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the error reason's ordinal.
     */
    public static final int REASON_OFFSET = SERVER_PORT_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the hosting model's ordinal.
     */
    public static final int HOSTING_OFFSET = REASON_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the protocol.
     */
    public static final int PROTOCOL_OFFSET = HOSTING_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Offset of the first text.
     */
    public static final int TEXTS_OFFSET = PROTOCOL_OFFSET + BitUtil.SIZE_OF_INT;

    /**
     * Value of an ordinal field with nothing to say.
     */
    public static final int NONE = -1;

    /**
     * Most bytes kept of an address.
     */
    public static final int MAX_ADDRESS_LENGTH = 64;

    /**
     * Most bytes kept of a method.
     */
    public static final int MAX_METHOD_LENGTH = 32;

    /**
     * Most bytes kept of a request-target.
     */
    public static final int MAX_TARGET_LENGTH = 4096;

    /**
     * Most bytes kept of a {@code User-Agent} or {@code Referer}.
     */
    public static final int MAX_FIELD_LENGTH = 1024;

    /**
     * Most bytes kept of a queue name.
     */
    public static final int MAX_QUEUE_NAME_LENGTH = 128;

    private LogRecordDescriptor()
    {
    }

    /**
     * @param text a text, or null.
     * @param limit most bytes kept.
     * @return the bytes the text takes in a record, its length field included.
     */
    public static int textLength(final String text, final int limit)
    {
        return BitUtil.SIZE_OF_INT + (null == text ? 0 : Math.min(text.length(), limit));
    }
}
