package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.shm.BodyChunkFlyweight;
import io.sluice.dispatch.shm.MessageDescriptor;
import io.sluice.dispatch.shm.ResponseHeadEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Exchange} a handler sees in a shared-memory worker. The request head is copied out of the ring when it
 * arrives ({@link RingRequestHead}: the exchange outlives the ring record); responses are encoded straight into the response ring.
 * <p>
 * Flow control: the response body (the chunk bytes of {@code RESPONSE_BODY} messages) may run at most the send limit
 * ahead: the queue's response window, plus every {@code RESPONSE_CREDIT} the listener granted as the client drained
 * the bytes before. Body past the limit is copied into a backlog, which the duty thread sends as credit arrives
 * ({@link #credit(int)}); {@link #sendBody} then returns false, and the handler hears {@link Handler#onWritable}
 * once the backlog is gone and the window has room. The send side is guarded by this object's monitor: the handler's
 * thread and the duty thread (credit) meet only there, and only when a response outruns its client.
 * <p>
 * Tunnels: after a {@code 101} head the exchange is a tunnel; the client's bytes arrive as body chunks, and the
 * listener sends at most the window (the same {@code SLUICE_RESPONSE_WINDOW}) of them beyond the
 * {@code TUNNEL_CREDIT} this exchange granted. It grants the bytes its handler took ({@link #tunnelBytesTaken}) once
 * half a window of them has gathered, and only while its response side is writable: a client that sends without
 * reading what the handler answers is held back by the listener instead of filling this worker's memory.
 */
final class SharedMemoryExchange implements FailableExchange
{
    private static final String CONTENT_TYPE = "content-type";
    private static final UnsafeBuffer FAILURE_BODY_BUFFER = new UnsafeBuffer(HandlerInvoker.failureBody());
    private static final int UNASKED_SWITCH_STATUS = 502;
    private static final UnsafeBuffer UNASKED_SWITCH_BODY = new UnsafeBuffer(
        "bad gateway: 101 Switching Protocols to a request that did not ask to upgrade\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private final SharedMemoryWorker worker;
    private final RingRequestHead request = new RingRequestHead();
    private final PendingRecord pending = new PendingRecord();
    private long requestId;
    private List<String> responseHeaders;
    private Object attachment;
    private boolean expired;
    private volatile boolean aborted;
    private volatile boolean responseComplete;
    private boolean headSent;
    private boolean headDeferred;
    private int deferredStatus;
    private String deferredContentType;
    private long deferredContentLength;


    private long sendLimit;
    private long bodySent;
    private ExpandableArrayBuffer backlog;
    private int backlogStart;
    private int backlogEnd;
    private boolean backlogLast;
    private boolean writableWanted;
    private volatile boolean tunnel;
    private int tunnelTaken;

    /**
     * An exchange for no request yet: {@link #reset} gives it one.
     *
     * @param worker the exchange's worker.
     */
    SharedMemoryExchange(final SharedMemoryWorker worker)
    {
        this.worker = worker;
    }

    /**
     * Take the next request, read from its {@code REQUEST_HEAD} record, as a new exchange would; duty thread. Only an
     * exchange that is new, or whose response is complete (and which the handler therefore no longer uses), is reset.
     * The monitor is taken so that a thread that completed the response under it has left it.
     *
     * @param buffer holding the record.
     * @param index  of the record in the buffer.
     * @param length of the record.
     * @return this.
     */
    SharedMemoryExchange reset(final DirectBuffer buffer, final int index, final int length)
    {
        synchronized (this)
        {
            request.copy(buffer, index, length);
            requestId = request.requestId();
            if (null != responseHeaders)
            {
                responseHeaders.clear();
            }
            attachment = null;
            expired = false;
            aborted = false;
            responseComplete = false;
            headSent = false;
            headDeferred = false;
            deferredContentType = null;
            pending.clear();
            sendLimit = worker.responseWindow();
            bodySent = 0;
            backlog = null;
            backlogStart = 0;
            backlogEnd = 0;
            backlogLast = false;
            writableWanted = false;
            tunnel = false;
            tunnelTaken = 0;
            return this;
        }
    }

    long requestId()
    {
        return requestId;
    }

    /**
     * @return the request head as copied out of the ring, which holds a body sent inline with it.
     */
    RingRequestHead request()
    {
        return request;
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
        synchronized (this)
        {
            aborted = true;
            releaseBacklog();
            backlogStart = 0;
            backlogEnd = 0;
            backlogLast = false;
        }
    }

    /**
     * @return true once a {@code 101} head went out: the exchange is a tunnel.
     */
    boolean isTunnel()
    {
        return tunnel;
    }

    /**
     * The handler took tunnel bytes from the client (a body chunk after the {@code 101}); duty thread. Grants them
     * back to the listener as {@code TUNNEL_CREDIT} once half a window has gathered and the response side is
     * writable.
     *
     * @param length bytes taken.
     */
    void tunnelBytesTaken(final int length)
    {
        synchronized (this)
        {
            if (tunnel && !aborted && !responseComplete)
            {
                tunnelTaken += length;
                grantTunnelCredit();
            }
        }
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
        return request.method();
    }

    public String target()
    {
        return request.target();
    }

    public String path()
    {
        return request.path();
    }

    public String header(final String name)
    {
        return request.header(name);
    }

    public int headerCount()
    {
        return request.headerCount();
    }

    public String headerName(final int index)
    {
        return request.headerName(index);
    }

    public String headerValue(final int index)
    {
        return request.headerValue(index);
    }

    public long contentLength()
    {
        return request.contentLength();
    }

    public String remoteAddress()
    {
        return request.remoteAddress();
    }

    /**
     * {@inheritDoc}
     */
    public TlsInfo tls()
    {
        return request.tls();
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
        if (isUnaskedSwitch(status))
        {
            answerUnaskedSwitch();
            return;
        }
        final int headLength =
            ResponseHeadEncoder.length(PendingRecord.headersLength(contentType, responseHeaders), 0);
        if (headLength + length <= worker.maxResponseMessageLength())
        {
            publishHead(status, contentType, length, MessageDescriptor.LAST_FLAG, body, offset, length);
        }
        else
        {
            publishHead(status, contentType, length, 0, null, 0, 0);
            synchronized (this)
            {
                send(body, offset, length, true);
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: a head whose body fits in one message with it (content length known and above 0, not the answer to a
     * HEAD request) is held until the first {@link #sendBody}: when that is the whole body, head and body go as one
     * complete {@code RESPONSE_HEAD} (no {@code RESPONSE_BODY} message); otherwise the head goes first, as it would
     * have.
     */
    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        if (aborted || headSent)
        {
            return;
        }
        if (isUnaskedSwitch(status))
        {
            answerUnaskedSwitch();
            return;
        }
        if (contentLength > 0 && contentLength <= worker.maxResponseMessageLength() && !"HEAD".equals(method()) &&
            ResponseHeadEncoder.length(PendingRecord.headersLength(contentType, responseHeaders), (int)contentLength) <=
            worker.maxResponseMessageLength())
        {
            synchronized (this)
            {
                headSent = true;
                headDeferred = true;
                deferredStatus = status;
                deferredContentType = contentType;
                deferredContentLength = contentLength;
            }
            return;
        }
        publishHead(status, contentType, contentLength, 0, null, 0, 0);
    }

    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        synchronized (this)
        {
            if (headDeferred)
            {
                headDeferred = false;
                if (aborted)
                {
                    return true;
                }
                if (last && length == deferredContentLength)
                {
                    // the whole body with the head: one complete message
                    publishHead(
                        deferredStatus, deferredContentType, deferredContentLength, MessageDescriptor.LAST_FLAG,
                        buffer, offset, length);
                    return true;
                }
                publishHead(deferredStatus, deferredContentType, deferredContentLength, 0, null, 0, 0);
            }
            final boolean writable = send(buffer, offset, length, last);
            if (!writable)
            {
                writableWanted = true;
            }
            return writable;
        }
    }

    public boolean isWritable()
    {
        synchronized (this)
        {
            return isWritableLocked();
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: the 500 is an ordinary complete response; a response already begun is ended with an empty last
     * {@code RESPONSE_BODY} flagged {@link MessageDescriptor#ABORT_FLAG}, and the body still waiting for credit is
     * dropped.
     */
    public void handlerFailed()
    {
        if (aborted || responseComplete)
        {
            return;
        }
        synchronized (this)
        {
            if (headDeferred)
            {
                // the handler sent its head: as in every model, the client sees that head and a cut body
                headDeferred = false;
                publishHead(deferredStatus, deferredContentType, deferredContentLength, 0, null, 0, 0);
            }
        }
        if (!headSent)
        {
            // the failure answer carries none of the headers the handler added
            if (null != responseHeaders)
            {
                responseHeaders.clear();
            }
            respond(
                HandlerInvoker.FAILURE_STATUS, HandlerInvoker.FAILURE_CONTENT_TYPE, FAILURE_BODY_BUFFER, 0,
                FAILURE_BODY_BUFFER.capacity());
            return;
        }
        synchronized (this)
        {
            if (aborted || responseComplete)
            {
                return;
            }
            releaseBacklog();
            backlogStart = 0;
            backlogEnd = 0;
            backlogLast = false;
            publishBody(FAILURE_BODY_BUFFER, 0, 0, MessageDescriptor.LAST_FLAG | MessageDescriptor.ABORT_FLAG);
        }
    }

    /**
     * More response credit from the listener; on the duty thread. Sends what the backlog holds, as far as the new
     * limit allows.
     *
     * @param grantLength response body bytes the listener granted.
     * @return true when the handler is to be told {@link Handler#onWritable} now (outside the monitor).
     */
    boolean credit(final int grantLength)
    {
        synchronized (this)
        {
            if (aborted || responseComplete)
            {
                return false;
            }
            sendLimit += grantLength;
            final int backlogLength = backlogEnd - backlogStart;
            if (backlogLength > 0 || backlogLast)
            {
                final int now = (int)Math.min(backlogLength, sendLimit - bodySent);
                final boolean last = backlogLast && now == backlogLength;
                if (now > 0 || last)
                {
                    publishBody(backlog, backlogStart, now, last);
                    backlogStart += now;
                    if (backlogStart == backlogEnd)
                    {
                        backlogStart = 0;
                        backlogEnd = 0;
                        backlogLast = false;
                    }
                }
            }
            if (tunnel && !responseComplete)
            {
                grantTunnelCredit();
            }
            if (writableWanted && isWritableLocked() && !responseComplete)
            {
                writableWanted = false;
                return true;
            }
            return false;
        }
    }

    /**
     * @return response body bytes the handler gave that wait for credit (for tests).
     */
    synchronized int backlogLength()
    {
        return backlogEnd - backlogStart;
    }

    /**
     * @return response body bytes sent into the ring so far (for tests).
     */
    synchronized long bodySent()
    {
        return bodySent;
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
        pending.encodeInto(buffer, index, requestId, responseHeaders);
    }

    /**
     * @return true for a {@code 101} to a request that did not ask to upgrade: the listener would fail this worker
     * for it.
     */
    private boolean isUnaskedSwitch(final int status)
    {
        return MessageDescriptor.SWITCHING_PROTOCOLS_STATUS == status && null == header("upgrade");
    }

    /**
     * The handler switched protocols unasked: its request is answered 502, as the listener answers it in the other
     * hosting models, and the worker serves on.
     */
    private void answerUnaskedSwitch()
    {
        if (null != responseHeaders)
        {
            responseHeaders.clear();
        }
        publishHead(
            UNASKED_SWITCH_STATUS, "text/plain", UNASKED_SWITCH_BODY.capacity(), MessageDescriptor.LAST_FLAG,
            UNASKED_SWITCH_BODY, 0, UNASKED_SWITCH_BODY.capacity());
    }

    /**
     * Grant what the handler took of the tunnel, once it is half a window and the response may go on; under the
     * monitor.
     */
    private void grantTunnelCredit()
    {
        if (tunnelTaken > 0 && tunnelTaken >= worker.responseWindow() >> 1 && isWritableLocked())
        {
            final int grant = tunnelTaken;
            tunnelTaken = 0;
            pending.tunnelCredit(grant);
            worker.publish(this, MessageDescriptor.TUNNEL_CREDIT_MSG_TYPE_ID, MessageDescriptor.CHUNK_HEADER_LENGTH);
            pending.clear();
        }
    }

    private boolean isWritableLocked()
    {
        return aborted || responseComplete || (backlogEnd == backlogStart && !backlogLast && bodySent < sendLimit);
    }

    /**
     * Send what the window allows and keep the rest in the backlog; under the monitor.
     *
     * @return true when the exchange can take more body now.
     */
    private boolean send(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (aborted || responseComplete)
        {
            return true;
        }
        if (backlogEnd > backlogStart || backlogLast)
        {
            append(buffer, offset, length, last);
            return false;
        }
        final int now = (int)Math.min(length, sendLimit - bodySent);
        final boolean allLast = last && now == length;
        if (now > 0 || allLast)
        {
            publishBody(buffer, offset, now, allLast);
        }
        if (now < length)
        {
            append(buffer, offset + now, length - now, last);
        }
        return isWritableLocked();
    }

    private void append(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (null == backlog)
        {
            backlog = worker.backlogPool().take(Math.max(length, MessageDescriptor.CHUNK_HEADER_LENGTH));
        }
        else if (backlogStart > 0 && backlogEnd + length > backlog.capacity())
        {
            backlog.putBytes(0, backlog, backlogStart, backlogEnd - backlogStart);
            backlogEnd -= backlogStart;
            backlogStart = 0;
        }
        backlog.putBytes(backlogEnd, buffer, offset, length);
        backlogEnd += length;
        backlogLast = last;
    }

    private void publishBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        publishBody(buffer, offset, length, last ? MessageDescriptor.LAST_FLAG : 0);
    }

    /**
     * @param lastFlags flags of the last chunk: 0 when the body goes on.
     */
    private void publishBody(final DirectBuffer buffer, final int offset, final int length, final int lastFlags)
    {
        final int maxChunk = worker.maxResponseMessageLength() - MessageDescriptor.CHUNK_HEADER_LENGTH;
        int position = offset;
        int remaining = length;
        do
        {
            final int chunk = Math.min(remaining, maxChunk);
            remaining -= chunk;
            pending.chunk(buffer, position, chunk, remaining == 0 ? lastFlags : 0);
            worker.publish(this, MessageDescriptor.RESPONSE_BODY_MSG_TYPE_ID, BodyChunkFlyweight.length(chunk));
            bodySent += chunk;
            position += chunk;
        }
        while (remaining > 0);
        pending.clear();
        if (lastFlags != 0)
        {
            responseComplete = true;
            releaseBacklog();
        }
    }

    /**
     * The backlog is no longer needed: its buffer goes back to the worker's pool for a later response.
     */
    private void releaseBacklog()
    {
        final ExpandableArrayBuffer backlog = this.backlog;
        if (null != backlog)
        {
            this.backlog = null;
            worker.backlogPool().give(backlog);
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
        if (MessageDescriptor.SWITCHING_PROTOCOLS_STATUS == status && (flags & MessageDescriptor.LAST_FLAG) == 0)
        {
            tunnel = true;
        }
        pending.head(status, contentType, contentLength, flags, body, offset, length);
        final int messageLength =
            ResponseHeadEncoder.length(PendingRecord.headersLength(contentType, responseHeaders), length);
        final boolean completes = (flags & MessageDescriptor.LAST_FLAG) != 0;
        worker.publish(this, MessageDescriptor.RESPONSE_HEAD_MSG_TYPE_ID, messageLength);
        pending.clear();
        if (completes)
        {
            responseComplete = true;
        }
    }
}
