package io.sluice.benchmarks;

import io.sluice.dispatch.shm.AsciiCodec;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The worker's half of the echo exchange that {@link RingRoundTripBenchmark} measures, over any buffer: read a
 * request head, and answer a body with a response head carrying the same bytes inline. {@link RingEchoAgent} runs it
 * against the rings; the benchmark's baseline runs it against plain buffers. The listener's half is
 * {@link RingEchoClient}.
 * <p>
 * The exchange, in Sluice's ring messages ({@link MessageDescriptor}):
 * <pre>
 *   client                                   echo
 *     REQUEST_HEAD  POST /shm/echo, 5 headers  ──▶  read every fixed field, the method, and walk the headers
 *     REQUEST_BODY  payload, LAST              ──▶  copy the chunk into
 *     RESPONSE_HEAD 200, content-type, inline  ◀──  one response record with LAST
 * </pre>
 * A body must arrive as one chunk (payloads up to the ring's largest message); anything else is answered with
 * {@link #STATUS_BAD_REQUEST}, which the client reports as a failure.
 */
final class EchoMessages
{
    /**
     * Method of every echo request.
     */
    static final String METHOD = "POST";

    /**
     * Target of every echo request.
     */
    static final String TARGET = "/shm/echo";

    /**
     * Client address the listener reports.
     */
    static final String REMOTE_ADDRESS = "127.0.0.1";

    /**
     * Client port the listener reports.
     */
    static final int REMOTE_PORT = 41234;

    /**
     * Request header names; the last one's value is the payload length.
     */
    static final String[] REQUEST_HEADER_NAMES = { "host", "user-agent", "accept", "content-type", "content-length" };

    /**
     * Request header values but the last.
     */
    static final String[] REQUEST_HEADER_VALUES = { "127.0.0.1:8080", "wrk/4.2.0", "*/*", "application/octet-stream" };

    /**
     * The one response header's name.
     */
    static final String RESPONSE_CONTENT_TYPE_NAME = "content-type";

    /**
     * The one response header's value.
     */
    static final String RESPONSE_CONTENT_TYPE_VALUE = "application/octet-stream";

    /**
     * Status of a good echo.
     */
    static final int STATUS_OK = 200;

    /**
     * Status when the request was not what the echo expects.
     */
    static final int STATUS_BAD_REQUEST = 400;

    /**
     * The echo's answer to a request head that is not a well-formed echo request.
     */
    static final long MALFORMED = -2;

    private EchoMessages()
    {
    }

    /**
     * Read a request head as a worker would: every fixed field, the method, and every header entry.
     *
     * @param decoder reusable decoder.
     * @param cursor  reusable header cursor.
     * @param buffer  holding the head.
     * @param index   of the head.
     * @return the content length announced, or {@link #MALFORMED}.
     */
    static long readRequestHead(
        final RequestHeadDecoder decoder, final HeaderCursor cursor, final DirectBuffer buffer, final int index)
    {
        decoder.wrap(buffer, index);
        final long contentLength = decoder.contentLength();
        final int headerCount = decoder.headerCount();
        if (decoder.remotePort() != REMOTE_PORT || decoder.remoteAddressLength() != REMOTE_ADDRESS.length() ||
            decoder.targetLength() != TARGET.length() ||
            !AsciiCodec.equals(buffer, decoder.methodOffset(), decoder.methodLength(), METHOD))
        {
            return MALFORMED;
        }

        cursor.reset(buffer, decoder.headersOffset(), headerCount);
        int walked = 0;
        while (cursor.next())
        {
            if (cursor.nameLength() == 0)
            {
                return MALFORMED;
            }
            walked++;
        }
        return walked == headerCount && contentLength >= 0 ? contentLength : MALFORMED;
    }

    /**
     * @param bodyLength of the inline body.
     * @return the length of the echo's response record.
     */
    static int responseLength(final int bodyLength)
    {
        final int headersLength = MessageDescriptor.headerEntryLength(
            RESPONSE_CONTENT_TYPE_NAME.length(), RESPONSE_CONTENT_TYPE_VALUE.length());
        return ResponseHeadEncoder.length(headersLength, bodyLength);
    }

    /**
     * Write the echo's response: status, one header, the body inline, {@link MessageDescriptor#LAST_FLAG}.
     *
     * @param encoder    reusable encoder.
     * @param buffer     to write to; {@link #responseLength(int)} bytes from index.
     * @param index      of the record.
     * @param requestId  the request answered.
     * @param status     HTTP status.
     * @param body       holding the body.
     * @param bodyIndex  of the body in body.
     * @param bodyLength of the body.
     */
    static void encodeResponse(
        final ResponseHeadEncoder encoder,
        final MutableDirectBuffer buffer,
        final int index,
        final long requestId,
        final int status,
        final DirectBuffer body,
        final int bodyIndex,
        final int bodyLength)
    {
        encoder.wrap(buffer, index)
            .requestId(requestId)
            .status(status)
            .contentLength(bodyLength)
            .flags(MessageDescriptor.LAST_FLAG)
            .header(RESPONSE_CONTENT_TYPE_NAME, RESPONSE_CONTENT_TYPE_VALUE)
            .body(body, bodyIndex, bodyLength);
    }
}
