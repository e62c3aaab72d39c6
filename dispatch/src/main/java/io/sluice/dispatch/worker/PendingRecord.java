package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * The one response record a {@link SharedMemoryExchange} is publishing: set just before the exchange asks for room in
 * the response ring, encoded into the claimed room, then cleared. One per exchange, reused for every record.
 */
final class PendingRecord
{
    private static final String CONTENT_TYPE = "content-type";

    private final ResponseHeadEncoder headEncoder = new ResponseHeadEncoder();
    private boolean isHead;
    private boolean isCredit;
    private int status;
    private String contentType;
    private long contentLength;
    private int flags;
    private DirectBuffer body;
    private int bodyOffset;
    private int bodyLength;

    /**
     * The next record is a {@code RESPONSE_HEAD}.
     *
     * @param status        HTTP status.
     * @param contentType   the content type, or null for none.
     * @param contentLength of the body, -1 chunked.
     * @param flags         of the head (the last flag when the head completes the response).
     * @param body          inline body, or null.
     * @param offset        of the inline body.
     * @param length        of the inline body, 0 for none.
     */
    void head(
        final int status,
        final String contentType,
        final long contentLength,
        final int flags,
        final DirectBuffer body,
        final int offset,
        final int length)
    {
        this.isHead = true;
        this.isCredit = false;
        this.status = status;
        this.contentType = contentType;
        this.contentLength = contentLength;
        this.flags = flags;
        this.body = body;
        this.bodyOffset = offset;
        this.bodyLength = length;
    }

    /**
     * The next record is a {@code RESPONSE_BODY} chunk.
     *
     * @param body   the bytes.
     * @param offset of the chunk.
     * @param length of the chunk.
     * @param flags  of the chunk.
     */
    void chunk(final DirectBuffer body, final int offset, final int length, final int flags)
    {
        this.isHead = false;
        this.isCredit = false;
        this.body = body;
        this.bodyOffset = offset;
        this.bodyLength = length;
        this.flags = flags;
    }

    /**
     * The next record is a {@code TUNNEL_CREDIT}: a body message without bytes whose chunk length is the grant.
     *
     * @param grantLength tunnel bytes granted.
     */
    void tunnelCredit(final int grantLength)
    {
        this.isHead = false;
        this.isCredit = true;
        this.body = null;
        this.bodyOffset = 0;
        this.bodyLength = grantLength;
        this.flags = 0;
    }

    /**
     * Forget the record once published (and everything, when the exchange is reused).
     */
    void clear()
    {
        isHead = false;
        isCredit = false;
        status = 0;
        contentType = null;
        contentLength = 0;
        flags = 0;
        body = null;
        bodyOffset = 0;
        bodyLength = 0;
    }

    /**
     * Encode the record into room claimed in the response ring.
     *
     * @param buffer          the ring's buffer.
     * @param index           of the claimed room.
     * @param requestId       the request answered.
     * @param responseHeaders the handler's header fields, name and value in turn, or null.
     */
    void encodeInto(
        final MutableDirectBuffer buffer, final int index, final long requestId, final List<String> responseHeaders)
    {
        if (isHead)
        {
            final ResponseHeadEncoder encoder = headEncoder.wrap(buffer, index)
                .requestId(requestId)
                .status(status)
                .contentLength(contentLength)
                .flags(flags);
            if (null != contentType)
            {
                encoder.header(CONTENT_TYPE, contentType);
            }
            if (null != responseHeaders)
            {
                for (int i = 0; i < responseHeaders.size(); i += 2)
                {
                    encoder.header(responseHeaders.get(i), responseHeaders.get(i + 1));
                }
            }
            if (bodyLength > 0)
            {
                encoder.body(body, bodyOffset, bodyLength);
            }
        }
        else if (isCredit)
        {
            BodyChunkFlyweight.encode(buffer, index, requestId, 0, bodyLength);
        }
        else
        {
            BodyChunkFlyweight.encode(buffer, index, requestId, flags, bodyLength);
            if (bodyLength > 0)
            {
                buffer.putBytes(BodyChunkFlyweight.dataOffset(index), body, bodyOffset, bodyLength);
            }
        }
    }

    /**
     * @param contentType     the content type, or null for none.
     * @param responseHeaders the handler's header fields, name and value in turn, or null.
     * @return the length of a head's header entries.
     */
    static int headersLength(final String contentType, final List<String> responseHeaders)
    {
        int length = null == contentType ? 0 :
            MessageDescriptor.headerEntryLength(CONTENT_TYPE.length(), contentType.length());
        if (null != responseHeaders)
        {
            for (int i = 0; i < responseHeaders.size(); i += 2)
            {
                length += MessageDescriptor.headerEntryLength(
                    responseHeaders.get(i).length(), responseHeaders.get(i + 1).length());
            }
        }
        return length;
    }
}
