package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.listener.counters.QueueLoopCounters;
import io.sluice.listener.log.ConnectionLogFacts;
import io.sluice.listener.log.RequestLogFacts;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One request on a connection, from the listener's side: the connection facts a host needs and the response writer.
 * Responses are written as bytes in the connection's request order (pipelining): an exchange that is not first in
 * line holds its bytes until the ones before it complete.
 * <p>
 * Threading: every method must be called on {@link #eventLoop()}; a host on another thread hops there first.
 * Ownership: buffers passed to {@link #finishHead} and {@link #body(ByteBuf, boolean)} become the exchange's.
 * <p>
 * Every head gets the listener's {@code date} ({@link DateHeader}) and the framing headers it owns: a length or the
 * chunked coding, and {@code connection: close} or, to an HTTP/1.0 client that asked for it, {@code keep-alive}.
 * <p>
 * Time in queue: a host that cannot hand an admitted request to a worker at once calls {@link #markQueued()}, and
 * {@link #markStarted()} when a worker takes it. If no response head has been sent and the request is still queued
 * when its queue's {@code queueWait} has passed since admission, the listener answers it 503 itself and aborts the
 * host's sink. A host that never calls {@link #markQueued()} is taken to hand every request over at once.
 * <p>
 * Logging: the exchange is the {@link RequestLogFacts} of its request. A completed response is written to the access
 * log of its queue (or the listener's, for a request not routed); every answer the listener gives in the host's place
 * ({@link #sendError(int, String, ErrorReason)}) to the error log, with its reason.
 */
public final class ServerExchange extends PipelinedResponse implements AdmittedExchange, RequestLogFacts
{
    private static final long NO_DECLARED_LENGTH = -1;
    private static final String BODY_BEFORE_HEAD = "bad gateway: response body before its head";
    private static final String UNASKED_UPGRADE =
        "bad gateway: 101 Switching Protocols to a request that did not ask to upgrade";

    private final boolean headRequest;
    private final String applicationPath;
    private boolean keepAlive;
    private boolean http10;
    private boolean chunked;
    private boolean dropBody;
    private boolean headSent;
    private boolean complete;
    private boolean aborted;
    private boolean requestBodyComplete;
    private boolean waitingForStart;
    private long remainingBodyLength = NO_DECLARED_LENGTH;
    private boolean inQueue;
    private boolean queueWaitCounted;
    private long admittedNs;
    private long arrivedNs;
    private long queueWaitTimeoutNs;
    private QueueLoopCounters counters;
    private RequestQueue queue;
    private RequestSink sink;
    private String method;
    private String target;
    private String userAgent;
    private String referer;
    private int protocol = PROTOCOL_NONE;
    private QueueBinding binding;
    private long startNs;
    private boolean started;
    private long receivedBytes;
    private int status;
    private CharSequence upgradeProtocols;
    private long tunnelIdleNs;
    private boolean tunnel;

    ServerExchange(
        final HttpConnectionHandler connection,
        final boolean headRequest,
        final boolean keepAlive,
        final String applicationPath)
    {
        super(connection);
        this.headRequest = headRequest;
        this.keepAlive = keepAlive;
        this.applicationPath = applicationPath;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isHeadRequest()
    {
        return headRequest;
    }

    /**
     * {@inheritDoc}
     */
    public String applicationPath()
    {
        return applicationPath;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isHeadSent()
    {
        return headSent;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isDone()
    {
        return complete || aborted;
    }

    /**
     * {@inheritDoc}
     */
    public void resumeBody()
    {
        connection.resumeBody(this);
    }

    /**
     * {@inheritDoc}
     */
    public ByteBuf beginHead(final int status)
    {
        final ByteBuf buf = connection.alloc().directBuffer(256);
        ResponseHeads.statusLine(buf, status);
        return buf;
    }

    /**
     * {@inheritDoc}
     */
    public boolean finishHead(
        final ByteBuf head,
        final int status,
        final long contentLength,
        final DirectBuffer inlineBody,
        final int bodyOffset,
        final int bodyLength,
        final boolean last)
    {
        final int verdict = ResponseHeadChecks.check(this, head, status, true);
        if (ResponseHeadChecks.SWITCHING == verdict)
        {
            return switchProtocols(head, inlineBody, bodyOffset, bodyLength, last);
        }
        if (ResponseHeadChecks.ACCEPTED != verdict)
        {
            return ResponseHeadChecks.ANSWERED == verdict;
        }
        headSent = true;
        this.status = status;
        if (null != counters)
        {
            counters.answered(status);
        }
        if (null != upgradeProtocols)
        {
            // answered without switching: the bytes after the request are requests again
            upgradeProtocols = null;
            connection.upgradeDeclined();
        }

        final boolean bodiless = ResponseHeads.isBodiless(status);
        dropBody = headRequest || bodiless;
        boolean complete = last;
        int inlineLength = bodyLength;
        if (!bodiless)
        {
            if (contentLength >= 0)
            {
                ResponseHeads.header(head, "content-length", contentLength);
                if (!dropBody)
                {
                    if (bodyLength > contentLength)
                    {
                        // past the declared body: the rest is cut, the response ends, and the connection closes
                        complete = true;
                        inlineLength = (int)contentLength;
                        keepAlive = false;
                    }
                    else if (last && bodyLength < contentLength)
                    {
                        keepAlive = false;
                    }
                    remainingBodyLength = contentLength - inlineLength;
                }
            }
            else if (last)
            {
                ResponseHeads.header(head, "content-length", bodyLength);
            }
            else if (!headRequest && http10)
            {
                // no chunked coding for an HTTP/1.0 client (RFC 9112 7.1): the close delimits the body
                keepAlive = false;
            }
            else if (!headRequest)
            {
                chunked = true;
                ResponseHeads.header(head, "transfer-encoding", "chunked");
            }
        }
        DateHeader.SYSTEM.write(head);
        keepAlive = keepAlive && !connection.isClosing() && !connection.isDraining();
        ResponseFraming.endHead(head, keepAlive, http10);
        if (inlineLength > 0 && !dropBody)
        {
            ResponseFraming.appendBody(head, inlineBody, bodyOffset, inlineLength, chunked);
        }
        if (complete && chunked)
        {
            ResponseFraming.lastChunk(head);
        }
        emit(head);
        if (complete)
        {
            complete();
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void body(final DirectBuffer src, final int offset, final int length, final boolean last)
    {
        if (isDone())
        {
            return;
        }
        if (!headSent)
        {
            sendError(502, BODY_BEFORE_HEAD, ErrorReason.WORKER_PROTOCOL_ERROR);
            return;
        }
        if (dropBody)
        {
            if (last)
            {
                finishBody();
            }
            return;
        }
        if (tunnel)
        {
            connection.tunnelActivity();
        }
        final int sendLength = bodyLength(length, last);
        final boolean end = last || length > sendLength;
        if (sendLength == 0)
        {
            if (end)
            {
                finishBody();
            }
            return;
        }
        // a plain body goes from the host's memory straight to the socket when it takes it now; the rest is copied
        final int direct = chunked || tunnel ? 0 : emitDirect(src, offset, sendLength);
        if (direct < sendLength)
        {
            final ByteBuf buf = connection.alloc().directBuffer(sendLength - direct + 16);
            ResponseFraming.appendBody(buf, src, offset + direct, sendLength - direct, chunked);
            if (end && chunked)
            {
                ResponseFraming.lastChunk(buf);
            }
            emit(buf);
        }
        if (end)
        {
            complete();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void body(final ByteBuf content, final boolean last)
    {
        if (!isDone() && !headSent)
        {
            content.release();
            sendError(502, BODY_BEFORE_HEAD, ErrorReason.WORKER_PROTOCOL_ERROR);
            return;
        }
        if (isDone() || dropBody)
        {
            content.release();
            if (last && !isDone())
            {
                finishBody();
            }
            return;
        }
        if (tunnel)
        {
            connection.tunnelActivity();
        }
        final int length = content.readableBytes();
        final int sendLength = bodyLength(length, last);
        final boolean end = last || length > sendLength;
        content.writerIndex(content.readerIndex() + sendLength);
        if (!content.isReadable())
        {
            content.release();
            if (end)
            {
                finishBody();
            }
            return;
        }
        if (chunked)
        {
            emit(ResponseFraming.chunkSize(connection.alloc(), content.readableBytes()));
            emit(content);
            emit(ResponseFraming.chunkEnd(connection.alloc(), end));
        }
        else
        {
            emit(content);
        }
        if (end)
        {
            complete();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void sendError(final int status, final String message)
    {
        sendError(status, message, ErrorReason.ofStatus(status));
    }

    /**
     * {@inheritDoc}
     */
    public void sendError(final int status, final String message, final ErrorReason reason)
    {
        sendError(status, "text/plain", (message + "\n").getBytes(StandardCharsets.US_ASCII), reason);
    }

    /**
     * {@inheritDoc}
     */
    public void sendError(final int status, final String contentType, final byte[] body, final ErrorReason reason)
    {
        if (isDone())
        {
            return;
        }
        connection.logError(this, status, reason);
        // The listener answers in the host's place (413, 408, 503, ...): the host must stop work and not answer. A host
        // answering its own failure has already let go of the request, so this is a no-op for it. The host is told
        // after the answer is written: a host frees its hold on the request then, never before the answer is out.
        final RequestSink sink = this.sink;
        this.sink = null;
        try
        {
            if (headSent)
            {
                keepAlive = false;
                complete();
                return;
            }
            if (!requestBodyComplete)
            {
                // A refusal before the body is in: the client may still be sending it; do not read on.
                keepAlive = false;
            }
            final ByteBuf head = beginHead(status);
            ResponseHeads.header(head, "content-type", contentType);
            finishHead(head, status, body.length, new UnsafeBuffer(body), 0, body.length, true);
        }
        finally
        {
            if (null != sink)
            {
                sink.abort();
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void markQueued()
    {
        if (isDone() || headSent || waitingForStart)
        {
            return;
        }
        waitingForStart = true;
        connection.queueWaitStarted(this);
    }

    /**
     * {@inheritDoc}
     */
    public void markStarted()
    {
        if (waitingForStart)
        {
            countQueueWait(connection.nowNs());
            waitingForStart = false;
        }
    }

    /**
     * {@inheritDoc}
     */
    public ConnectionLogFacts connectionFacts()
    {
        return connection.addresses();
    }

    /**
     * {@inheritDoc}
     */
    public int protocol()
    {
        return protocol;
    }

    /**
     * {@inheritDoc}
     */
    public String method()
    {
        return method;
    }

    /**
     * {@inheritDoc}
     */
    public String target()
    {
        return target;
    }

    /**
     * {@inheritDoc}
     */
    public String userAgent()
    {
        return userAgent;
    }

    /**
     * {@inheritDoc}
     */
    public String referer()
    {
        return referer;
    }

    /**
     * {@inheritDoc}
     */
    public int status()
    {
        return status;
    }

    /**
     * {@inheritDoc}
     */
    public long sentBytes()
    {
        return sentBytes;
    }

    /**
     * {@inheritDoc}
     */
    public long receivedBytes()
    {
        return receivedBytes;
    }

    /**
     * {@inheritDoc}
     */
    public long durationNs(final long nowNs)
    {
        return started ? nowNs - startNs : 0;
    }

    /**
     * Keep what the logs say of the request: its line, the fields the access log names, its route, its size.
     *
     * @param request   the head.
     * @param binding   its route, or null.
     * @param logFields true when the access log writes this request: its {@code User-Agent} and {@code Referer} are
     *                  kept.
     * @param nowNs     when the head arrived.
     */
    void request(final HttpRequest request, final QueueBinding binding, final boolean logFields, final long nowNs)
    {
        this.method = request.method().name();
        final String uri = request.uri();
        this.target = StrictRequestDecoder.BAD_REQUEST_URI.equals(uri) && request.decoderResult().isFailure() ?
            null : uri;
        this.protocol = HttpVersion.HTTP_1_0 == request.protocolVersion() ? PROTOCOL_HTTP_1_0 : PROTOCOL_HTTP_1_1;
        this.binding = binding;
        this.startNs = nowNs;
        this.started = true;
        if (request instanceof DecodedRequest decoded)
        {
            receivedBytes = decoded.headLength();
        }
        if (logFields)
        {
            userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
            referer = request.headers().get(HttpHeaderNames.REFERER);
        }
    }

    /**
     * @param length request body bytes received for this request.
     */
    void received(final int length)
    {
        receivedBytes += length;
    }

    /**
     * {@inheritDoc}
     */
    public QueueBinding binding()
    {
        return binding;
    }

    /**
     * The request is HTTP/1.0: a kept-alive response says {@code connection: keep-alive}, and a body of unknown
     * length is delimited by the close instead of chunked.
     */
    void http10()
    {
        http10 = true;
    }

    /**
     * The request asks to switch protocols and its queue allows it: a {@code 101 Switching Protocols} head makes the
     * exchange a tunnel; any other answer is an ordinary response, after which the connection reads requests again.
     *
     * @param protocols    the request's {@code Upgrade} value, which the {@code 101} head names.
     * @param tunnelIdleNs the queue's tunnel idle timer, or {@link HttpConnectionConfig#DISABLED}.
     */
    void upgradeRequested(final CharSequence protocols, final long tunnelIdleNs)
    {
        this.upgradeProtocols = protocols;
        this.tunnelIdleNs = tunnelIdleNs;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isUpgradeRequested()
    {
        return null != upgradeProtocols;
    }

    /**
     * @return true once a {@code 101} head made this exchange a tunnel: its body is the bytes of the new protocol.
     */
    boolean isTunnel()
    {
        return tunnel;
    }

    /**
     * The tunnel's input opens: the client's bytes after the {@code 101} are this request's body from now on.
     */
    void tunnelInputOpened()
    {
        requestBodyComplete = false;
    }

    /**
     * Write {@code 100 Continue}, in order, before the final response.
     */
    public void sendContinue()
    {
        emit(ResponseFraming.continueLine(connection.alloc()));
    }

    /**
     * {@inheritDoc}
     */
    public void admitted(final RequestQueue queue, final RequestSink sink)
    {
        this.queue = queue;
        this.sink = sink;
    }

    /**
     * Count this request in its queue's counters on this loop (status, time in queue, latency, bytes).
     *
     * @param counters the counters, or null when not counted.
     * @param nowNs    when its head arrived.
     */
    void countIn(final QueueLoopCounters counters, final long nowNs)
    {
        this.counters = counters;
        this.arrivedNs = nowNs;
    }

    /**
     * Request body bytes were received for this request.
     *
     * @param length bytes.
     */
    void requestBytes(final int length)
    {
        if (null != counters)
        {
            counters.requestBytes(length);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void enterQueue(final RequestQueue queue, final long queueWaitTimeoutNs, final long nowNs)
    {
        this.inQueue = true;
        this.queue = queue;
        this.queueWaitTimeoutNs = queueWaitTimeoutNs;
        this.admittedNs = nowNs;
    }

    /**
     * @return true while the host reports the request queued, its queue has a time limit, and no head was sent.
     */
    boolean isWaitingForStart()
    {
        return waitingForStart && queueWaitTimeoutNs > 0 && !headSent && !isDone();
    }

    /**
     * @return when the request's time in queue runs out, on the connection's clock.
     */
    long queueWaitDeadlineNs()
    {
        return admittedNs + queueWaitTimeoutNs;
    }

    RequestSink sink()
    {
        return sink;
    }

    boolean isRequestBodyComplete()
    {
        return requestBodyComplete;
    }

    void requestBodyComplete()
    {
        requestBodyComplete = true;
    }

    boolean keepAlive()
    {
        return keepAlive;
    }

    void abort()
    {
        if (isDone())
        {
            return;
        }
        aborted = true;
        if (started)
        {
            // the client left (or the connection was closed) before the response was complete: logged as far as it got
            connection.logAccess(this);
        }
        countEnd(false);
        releaseHeld();
        final RequestSink sink = this.sink;
        this.sink = null;
        releaseQueue();
        if (null != sink)
        {
            sink.abort();
        }
    }

    /**
     * Send a {@code 101 Switching Protocols} head, when the request asked for it: the status line, the host's
     * checked fields, {@code connection: upgrade}, {@code upgrade:} the protocols the client asked for, and the date;
     * no framing: from here the response body is the raw bytes of the new protocol, sent as they come until the host
     * ends it (the connection then closes), and the client's bytes after the request are the request body.
     */
    private boolean switchProtocols(
        final ByteBuf head,
        final DirectBuffer inlineBody,
        final int bodyOffset,
        final int bodyLength,
        final boolean last)
    {
        final CharSequence protocols = upgradeProtocols;
        if (null == protocols || headRequest)
        {
            head.release();
            sendError(502, UNASKED_UPGRADE);
            return true;
        }
        upgradeProtocols = null;
        headSent = true;
        tunnel = true;
        keepAlive = false;
        dropBody = false;
        chunked = false;
        remainingBodyLength = NO_DECLARED_LENGTH;
        ResponseHeads.header(head, "connection", "upgrade");
        ResponseHeads.header(head, "upgrade", protocols);
        DateHeader.SYSTEM.write(head);
        ResponseHeads.end(head);
        if (bodyLength > 0)
        {
            ResponseFraming.appendBody(head, inlineBody, bodyOffset, bodyLength, false);
        }
        emit(head);
        connection.upgraded(this, tunnelIdleNs);
        if (last)
        {
            complete();
        }
        return true;
    }

    /**
     * Hold a body chunk to the declared content length: past it the rest is cut (the response then ends, and the
     * connection closes after it); a last chunk that leaves it short closes the connection after the response.
     *
     * @return how many of the chunk's bytes may be sent.
     */
    private int bodyLength(final int length, final boolean last)
    {
        if (NO_DECLARED_LENGTH == remainingBodyLength)
        {
            return length;
        }
        final int sendLength = (int)Math.min(length, remainingBodyLength);
        remainingBodyLength -= sendLength;
        if (sendLength < length || last && remainingBodyLength > 0)
        {
            keepAlive = false;
        }
        return sendLength;
    }

    private void finishBody()
    {
        if (chunked)
        {
            emit(ResponseFraming.lastChunk(connection.alloc().directBuffer(ResponseFraming.LAST_CHUNK_LENGTH)));
        }
        complete();
    }

    private void complete()
    {
        complete = true;
        countEnd(true);
        sink = null;
        releaseQueue();
        connection.logAccess(this);
        connection.responseComplete(this);
    }

    private void countQueueWait(final long nowNs)
    {
        if (null != counters && inQueue && !queueWaitCounted)
        {
            queueWaitCounted = true;
            counters.queueWait(waitingForStart ? nowNs - admittedNs : 0);
        }
    }

    private void countEnd(final boolean answered)
    {
        final QueueLoopCounters counters = this.counters;
        if (null != counters)
        {
            final long nowNs = connection.nowNs();
            countQueueWait(nowNs);
            if (answered)
            {
                counters.duration(nowNs - arrivedNs);
            }
            counters.responseBytes(emittedLength());
        }
    }

    private void releaseQueue()
    {
        final RequestQueue queue = this.queue;
        if (null != queue)
        {
            this.queue = null;
            queue.release();
        }
    }
}
