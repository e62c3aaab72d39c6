package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.dispatch.shm.AsciiCodec;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Exchange} a handler sees in a shared-memory worker. The request head is copied out of the ring when it
 * arrives (so the exchange outlives the ring record); responses are encoded straight into the response ring.
 */
final class SharedMemoryExchange implements Exchange
{
    private static final String CONTENT_TYPE = "content-type";

    private final SharedMemoryWorker worker;
    private final UnsafeBuffer head;
    private final RequestHeadDecoder decoder = new RequestHeadDecoder();
    private final long requestId;
    private final long contentLength;
    private final String method;
    private String target;
    private String path;
    private List<String> responseHeaders;
    private Object attachment;
    private boolean expired;
    private volatile boolean aborted;
    private volatile boolean responseComplete;
    private boolean headSent;

    private int pendingStatus;
    private String pendingContentType;
    private long pendingContentLength;
    private int pendingFlags;
    private DirectBuffer pendingBody;
    private int pendingBodyOffset;
    private int pendingBodyLength;
    private boolean pendingIsHead;

    SharedMemoryExchange(
        final SharedMemoryWorker worker, final DirectBuffer buffer, final int index, final int length)
    {
        this.worker = worker;
        final byte[] copy = new byte[length];
        buffer.getBytes(index, copy);
        this.head = new UnsafeBuffer(copy);
        decoder.wrap(head, 0);
        this.requestId = decoder.requestId();
        this.contentLength = decoder.contentLength();
        this.method = internMethod(head, decoder.methodOffset(), decoder.methodLength());
    }

    long requestId()
    {
        return requestId;
    }

    /**
     * The request was taken off the ring after its queue's {@code queueWait}: the worker answers it 503 itself.
     */
    void expired()
    {
        expired = true;
    }

    boolean isExpired()
    {
        return expired;
    }

    void aborted()
    {
        aborted = true;
    }

    /**
     * @return true once the last message of the response was published (from whichever thread answered).
     */
    boolean isResponseComplete()
    {
        return responseComplete;
    }

    public String method()
    {
        return method;
    }

    public String target()
    {
        if (null == target)
        {
            target = AsciiCodec.get(head, decoder.targetOffset(), decoder.targetLength());
        }
        return target;
    }

    public String path()
    {
        if (null == path)
        {
            path = PathNormalizer.pathOf(target());
        }
        return path;
    }

    public String header(final String name)
    {
        final HeaderCursor cursor = new HeaderCursor().reset(head, decoder.headersOffset(), decoder.headerCount());
        while (cursor.next())
        {
            if (AsciiCodec.equalsIgnoreCase(head, cursor.nameOffset(), cursor.nameLength(), name))
            {
                return AsciiCodec.get(head, cursor.valueOffset(), cursor.valueLength());
            }
        }
        return null;
    }

    public int headerCount()
    {
        return decoder.headerCount();
    }

    public String headerName(final int index)
    {
        final HeaderCursor cursor = cursorAt(index);
        return AsciiCodec.get(head, cursor.nameOffset(), cursor.nameLength());
    }

    public String headerValue(final int index)
    {
        final HeaderCursor cursor = cursorAt(index);
        return AsciiCodec.get(head, cursor.valueOffset(), cursor.valueLength());
    }

    public long contentLength()
    {
        return contentLength;
    }

    public String remoteAddress()
    {
        return decoder.remoteAddress();
    }

    public Exchange responseHeader(final String name, final String value)
    {
        if (name.length() > MessageDescriptor.MAX_FIELD_LENGTH || value.length() > MessageDescriptor.MAX_FIELD_LENGTH)
        {
            throw new IllegalArgumentException("response header longer than " + MessageDescriptor.MAX_FIELD_LENGTH +
                " bytes: name=" + name.length() + ", value=" + value.length());
        }
        if (null == responseHeaders)
        {
            responseHeaders = new ArrayList<>(4);
        }
        responseHeaders.add(name);
        responseHeaders.add(value);
        return this;
    }

    public void respond(
        final int status, final String contentType, final DirectBuffer body, final int offset, final int length)
    {
        if (aborted || headSent)
        {
            return;
        }
        final int headLength = ResponseHeadEncoder.length(headersLength(contentType), 0);
        if (headLength + length <= worker.maxResponseMessageLength())
        {
            publishHead(status, contentType, length, MessageDescriptor.LAST_FLAG, body, offset, length);
        }
        else
        {
            publishHead(status, contentType, length, 0, null, 0, 0);
            sendBody(body, offset, length, true);
        }
    }

    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        if (aborted || headSent)
        {
            return;
        }
        publishHead(status, contentType, contentLength, 0, null, 0, 0);
    }

    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (aborted)
        {
            return true;
        }
        final int maxChunk = worker.maxResponseMessageLength() - MessageDescriptor.CHUNK_HEADER_LENGTH;
        int position = offset;
        int remaining = length;
        do
        {
            final int chunk = Math.min(remaining, maxChunk);
            remaining -= chunk;
            pendingIsHead = false;
            pendingBody = buffer;
            pendingBodyOffset = position;
            pendingBodyLength = chunk;
            pendingFlags = last && remaining == 0 ? MessageDescriptor.LAST_FLAG : 0;
            worker.publish(this, MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(chunk));
            position += chunk;
        }
        while (remaining > 0);
        pendingBody = null;
        if (last)
        {
            responseComplete = true;
        }
        return true;
    }

    /**
     * The ring's back-pressure is taken inside {@link #sendBody}, which waits for room: the exchange always takes more.
     *
     * @return true.
     */
    public boolean isWritable()
    {
        return true;
    }

    public Object attachment()
    {
        return attachment;
    }

    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    void encodeInto(final MutableDirectBuffer buffer, final int index)
    {
        if (pendingIsHead)
        {
            final ResponseHeadEncoder encoder = new ResponseHeadEncoder().wrap(buffer, index)
                .requestId(requestId)
                .status(pendingStatus)
                .contentLength(pendingContentLength)
                .flags(pendingFlags);
            if (null != pendingContentType)
            {
                encoder.header(CONTENT_TYPE, pendingContentType);
            }
            final List<String> extra = responseHeaders;
            if (null != extra)
            {
                for (int i = 0; i < extra.size(); i += 2)
                {
                    encoder.header(extra.get(i), extra.get(i + 1));
                }
            }
            if (pendingBodyLength > 0)
            {
                encoder.body(pendingBody, pendingBodyOffset, pendingBodyLength);
            }
        }
        else
        {
            BodyChunkFlyweight.encode(buffer, index, requestId, pendingFlags, pendingBodyLength);
            if (pendingBodyLength > 0)
            {
                buffer.putBytes(
                    BodyChunkFlyweight.dataOffset(index), pendingBody, pendingBodyOffset, pendingBodyLength);
            }
        }
    }

    private void publishHead(
        final int status,
        final String contentType,
        final long contentLength,
        final int flags,
        final DirectBuffer body,
        final int offset,
        final int length)
    {
        headSent = true;
        pendingIsHead = true;
        pendingStatus = status;
        pendingContentType = contentType;
        pendingContentLength = contentLength;
        pendingFlags = flags;
        pendingBody = body;
        pendingBodyOffset = offset;
        pendingBodyLength = length;
        final int messageLength = ResponseHeadEncoder.length(headersLength(contentType), length);
        worker.publish(this, MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, messageLength);
        pendingBody = null;
        pendingBodyLength = 0;
        if ((flags & MessageDescriptor.LAST_FLAG) != 0)
        {
            responseComplete = true;
        }
    }

    private int headersLength(final String contentType)
    {
        int length = null == contentType ? 0 :
            MessageDescriptor.headerEntryLength(CONTENT_TYPE.length(), contentType.length());
        final List<String> extra = responseHeaders;
        if (null != extra)
        {
            for (int i = 0; i < extra.size(); i += 2)
            {
                length += MessageDescriptor.headerEntryLength(extra.get(i).length(), extra.get(i + 1).length());
            }
        }
        return length;
    }

    private HeaderCursor cursorAt(final int index)
    {
        if (index < 0 || index >= decoder.headerCount())
        {
            throw new IndexOutOfBoundsException("header index: index=" + index + ", count=" + decoder.headerCount());
        }
        final HeaderCursor cursor = new HeaderCursor().reset(head, decoder.headersOffset(), decoder.headerCount());
        for (int i = 0; i <= index; i++)
        {
            cursor.next();
        }
        return cursor;
    }

    private static String internMethod(final DirectBuffer buffer, final int offset, final int length)
    {
        if (AsciiCodec.equals(buffer, offset, length, "GET"))
        {
            return "GET";
        }
        if (AsciiCodec.equals(buffer, offset, length, "POST"))
        {
            return "POST";
        }
        if (AsciiCodec.equals(buffer, offset, length, "HEAD"))
        {
            return "HEAD";
        }
        if (AsciiCodec.equals(buffer, offset, length, "PUT"))
        {
            return "PUT";
        }
        return AsciiCodec.get(buffer, offset, length);
    }
}
