package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.listener.counters.QueueLoopCounters;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/2 stream as a host sees it: the same contract as an HTTP/1.1 request's {@link ServerExchange}, written as
 * frames on the stream's child channel instead of bytes on a connection. The head a host builds (status line and
 * header lines, every field already checked by {@link ResponseHeads#checkedHeader}) is turned into a {@code HEADERS}
 * frame: {@code :status}, the names in lower case, the fields of a connection ({@code connection},
 * {@code keep-alive}, {@code transfer-encoding}, {@code upgrade}, ...) and a host's {@code date} dropped, the
 * listener's {@code date} and, when the length is known, {@code content-length} added. A body is held to its
 * declared length as over HTTP/1.1: bytes past it are cut and the stream ends; a body that ends short resets the
 * stream ({@code RST_STREAM INTERNAL_ERROR}) so that the client sees it is incomplete. An error after the head was
 * sent resets the stream too. Streams are independent: back-pressure ({@link #isWritable()}) is the stream's own
 * (its flow-control window and the connection's writability), and a stalled stream holds back no other.
 * <p>
 * Logging: the stream ({@link Http2StreamFacts}) is written once to the access log when it ends (complete, reset or
 * aborted: as far as it got), and each answer the listener gives in the host's place
 * ({@link #sendError(int, String, ErrorReason)}) to the error log with its reason.
 * <p>
 * Event-loop confined (the connection's loop, which is the stream's).
 */
final class Http2StreamExchange implements AdmittedExchange
{
    private static final long NO_DECLARED_LENGTH = -1;
    private static final int HEAD_CAPACITY = 256;
    private static final String BODY_BEFORE_HEAD = "bad gateway: response body before its head";
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString CONTINUE_STATUS = AsciiString.cached("100");

    private final Http2StreamHandler stream;
    private final boolean headRequest;
    private final String applicationPath;
    private final Http2StreamFacts facts;
    private boolean headSent;
    private boolean dropBody;
    private boolean complete;
    private boolean aborted;
    private boolean requestBodyComplete;
    private boolean waitingForStart;
    private boolean writeBlocked;
    private long remainingBodyLength = NO_DECLARED_LENGTH;
    private long admittedNs;
    private long queueWaitTimeoutNs;
    private RequestQueue queue;
    private RequestSink sink;
    private ChannelFuture lastWrite;
    private QueueLoopCounters counters;
    private boolean inQueue;
    private boolean queueWaitCounted;
    private long arrivedNs;
    private long sentBodyLength;
    private boolean logged;

    /**
     * @param stream          the stream's handler: its channel, connection facts and timers.
     * @param headRequest     true for a {@code HEAD} request.
     * @param applicationPath the matched prefix's path, or null when not routed.
     */
    Http2StreamExchange(final Http2StreamHandler stream, final boolean headRequest, final String applicationPath)
    {
        this.stream = stream;
        this.headRequest = headRequest;
        this.applicationPath = applicationPath;
        this.facts = new Http2StreamFacts(stream.connection());
    }

    /**
     * {@inheritDoc}
     */
    public EventLoop eventLoop()
    {
        return stream.eventLoop();
    }

    /**
     * {@inheritDoc}
     */
    public ByteBufAllocator alloc()
    {
        return stream.alloc();
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
    public String remoteAddress()
    {
        return stream.connection().addresses().clientAddress();
    }

    /**
     * {@inheritDoc}
     */
    public int remotePort()
    {
        return stream.connection().addresses().clientPort();
    }

    /**
     * {@inheritDoc}
     */
    public TlsInfo tls()
    {
        return stream.connection().tls();
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
    public boolean isWritable()
    {
        return isDone() || stream.isWritable();
    }

    /**
     * {@inheritDoc}
     */
    public boolean notifyWhenWritable()
    {
        if (isWritable())
        {
            return true;
        }
        writeBlocked = true;
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public void resumeBody()
    {
        stream.resumeBody();
    }

    /**
     * {@inheritDoc}
     */
    public ByteBuf beginHead(final int status)
    {
        final ByteBuf buf = stream.alloc().heapBuffer(HEAD_CAPACITY);
        ResponseHeads.statusLine(buf, ResponseHeads.isValidStatus(status) ? status : 500);
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
        // HTTP/2 has no 101 (RFC 9113 8.6): it is answered as any status that is not final
        final int verdict = ResponseHeadChecks.check(this, head, status, false);
        if (ResponseHeadChecks.ACCEPTED != verdict)
        {
            return ResponseHeadChecks.ANSWERED == verdict;
        }
        headSent = true;
        facts.status(status);
        if (null != counters)
        {
            counters.answered(status);
        }

        final Http2Headers headers;
        try
        {
            headers = Http2ResponseHeads.toHeaders(head, status);
        }
        finally
        {
            head.release();
        }
        final boolean bodiless = ResponseHeads.isBodiless(status);
        dropBody = headRequest || bodiless;
        boolean complete = last;
        boolean shortBody = false;
        int inlineLength = dropBody ? 0 : bodyLength;
        if (!bodiless)
        {
            if (contentLength >= 0)
            {
                headers.setLong(CONTENT_LENGTH, contentLength);
                if (!dropBody)
                {
                    if (bodyLength > contentLength)
                    {
                        complete = true;
                        inlineLength = (int)contentLength;
                    }
                    else if (last && bodyLength < contentLength)
                    {
                        shortBody = true;
                    }
                    remainingBodyLength = contentLength - inlineLength;
                }
            }
            else if (last)
            {
                headers.setInt(CONTENT_LENGTH, bodyLength);
            }
        }
        Http2ResponseHeads.date(headers);
        facts.sent(Http2StreamFacts.headerListSize(headers));

        if (dropBody)
        {
            // the whole response is its head: the stream ends with it, whatever the host sends after
            write(new DefaultHttp2HeadersFrame(headers, true));
            if (complete)
            {
                complete();
            }
            return true;
        }
        if (shortBody)
        {
            write(new DefaultHttp2HeadersFrame(headers, false));
            writeInline(inlineBody, bodyOffset, inlineLength, false);
            resetIncomplete();
            return true;
        }
        if (inlineLength == 0)
        {
            write(new DefaultHttp2HeadersFrame(headers, complete));
        }
        else
        {
            write(new DefaultHttp2HeadersFrame(headers, false));
            writeInline(inlineBody, bodyOffset, inlineLength, complete);
        }
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
            sendError(502, BODY_BEFORE_HEAD);
            return;
        }
        if (dropBody)
        {
            if (last)
            {
                complete();
            }
            return;
        }
        final int sendLength = bodyLength(length);
        final boolean cut = length > sendLength;
        if (last && !cut && remainingBodyLength > 0)
        {
            writeInline(src, offset, sendLength, false);
            resetIncomplete();
            return;
        }
        final boolean end = last || cut;
        if (sendLength > 0 || end)
        {
            writeInline(src, offset, sendLength, end);
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
            sendError(502, BODY_BEFORE_HEAD);
            return;
        }
        if (isDone() || dropBody)
        {
            content.release();
            if (last && !isDone())
            {
                complete();
            }
            return;
        }
        final int length = content.readableBytes();
        final int sendLength = bodyLength(length);
        final boolean cut = length > sendLength;
        content.writerIndex(content.readerIndex() + sendLength);
        if (last && !cut && remainingBodyLength > 0)
        {
            write(new DefaultHttp2DataFrame(content, false));
            resetIncomplete();
            return;
        }
        final boolean end = last || cut;
        if (sendLength > 0 || end)
        {
            write(new DefaultHttp2DataFrame(content, end));
        }
        else
        {
            content.release();
        }
        if (end)
        {
            complete();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        if (isDone())
        {
            return;
        }
        final ChannelFuture lastWrite = this.lastWrite;
        if (null == lastWrite)
        {
            stream.eventLoop().execute(() -> listener.onFlushed(token));
            return;
        }
        // a stream's frames leave in order: its last write done means every byte before it was taken by the socket
        lastWrite.addListener(
            (future) ->
            {
                if (future.isSuccess())
                {
                    listener.onFlushed(token);
                }
            });
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
    public void sendError(final int status, final String contentType, final byte[] body, final ErrorReason reason)
    {
        if (isDone())
        {
            return;
        }
        stream.connection().logError(facts, status, reason);
        if (headSent)
        {
            answerError(status, "");
            return;
        }
        final ByteBuf head = beginHead(status);
        ResponseHeads.header(head, "content-type", contentType);
        finishHead(head, status, body.length, new UnsafeBuffer(body), 0, body.length, true);
    }

    /**
     * {@inheritDoc}
     */
    public void sendError(final int status, final String message, final ErrorReason reason)
    {
        if (isDone())
        {
            return;
        }
        stream.connection().logError(facts, status, reason);
        answerError(status, message);
    }

    private void answerError(final int status, final String message)
    {
        final RequestSink sink = this.sink;
        this.sink = null;
        try
        {
            if (headSent)
            {
                // the status cannot change: the client sees the stream reset instead of a complete response
                resetIncomplete();
                return;
            }
            final byte[] body = (message + "\n").getBytes(StandardCharsets.US_ASCII);
            final ByteBuf head = beginHead(status);
            ResponseHeads.header(head, "content-type", "text/plain");
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
        if (queueWaitTimeoutNs > 0)
        {
            stream.armQueueWait(admittedNs + queueWaitTimeoutNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void markStarted()
    {
        if (waitingForStart)
        {
            countQueueWait(stream.connectionNowNs());
            waitingForStart = false;
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
     * {@inheritDoc}
     */
    public void sendContinue()
    {
        final Http2Headers headers = new DefaultHttp2Headers(false, 1);
        headers.status(CONTINUE_STATUS);
        stream.write(new DefaultHttp2HeadersFrame(headers, false));
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
     * @return true while the host reports the request queued, its queue has a time limit, and no head was sent.
     */
    boolean isWaitingForStart()
    {
        return waitingForStart && queueWaitTimeoutNs > 0 && !headSent && !isDone();
    }

    /**
     * @return the host's sink for the request body, or null once the host no longer hears of the request.
     */
    RequestSink sink()
    {
        return sink;
    }

    /**
     * @return true once the request body is all in (or there is none).
     */
    boolean isRequestBodyComplete()
    {
        return requestBodyComplete;
    }

    /**
     * The request body is all in.
     */
    void requestBodyComplete()
    {
        requestBodyComplete = true;
    }

    /**
     * The stream's child channel became writable: tell a host that waits.
     */
    void writabilityChanged()
    {
        if (writeBlocked && !isDone() && stream.isWritable())
        {
            writeBlocked = false;
            final RequestSink sink = this.sink;
            if (null != sink)
            {
                sink.writable();
            }
        }
    }

    /**
     * The stream ended before the response did (the client reset it, or the connection closed): the host is told.
     */
    void abort()
    {
        if (isDone())
        {
            return;
        }
        aborted = true;
        countEnd(false);
        final RequestSink sink = this.sink;
        this.sink = null;
        releaseQueue();
        logAccess();
        if (null != sink)
        {
            sink.abort();
        }
    }

    private int bodyLength(final int length)
    {
        if (NO_DECLARED_LENGTH == remainingBodyLength)
        {
            return length;
        }
        final int sendLength = (int)Math.min(length, remainingBodyLength);
        remainingBodyLength -= sendLength;
        return sendLength;
    }

    private void writeInline(final DirectBuffer src, final int offset, final int length, final boolean end)
    {
        final ByteBuf data;
        if (length == 0)
        {
            data = Unpooled.EMPTY_BUFFER;
        }
        else
        {
            data = stream.alloc().directBuffer(length);
            ResponseFraming.appendBody(data, src, offset, length, false);
        }
        write(new DefaultHttp2DataFrame(data, end));
    }

    private void write(final Object frame)
    {
        if (frame instanceof Http2DataFrame data)
        {
            sentBodyLength += data.content().readableBytes();
            facts.sent(data.content().readableBytes());
        }
        lastWrite = stream.write(frame);
    }

    private void resetIncomplete()
    {
        aborted = true;
        countEnd(false);
        sink = null;
        releaseQueue();
        logAccess();
        stream.resetIncomplete();
    }

    private void complete()
    {
        complete = true;
        countEnd(true);
        sink = null;
        releaseQueue();
        logAccess();
        stream.responseComplete(lastWrite);
    }

    private void logAccess()
    {
        if (facts.isStarted() && !logged)
        {
            logged = true;
            stream.connection().logAccess(facts, facts.binding());
        }
    }

    /**
     * @return what the logs say of this stream.
     */
    Http2StreamFacts facts()
    {
        return facts;
    }

    /**
     * Count this stream in its queue's counters on this loop (status, time in queue, latency, bytes).
     *
     * @param counters the counters, or null when not counted.
     * @param nowNs    when its head arrived.
     */
    void countIn(final QueueLoopCounters counters, final long nowNs)
    {
        this.counters = counters;
        this.arrivedNs = nowNs;
        facts.arrived(nowNs);
    }

    /**
     * Request body bytes were received for this stream.
     *
     * @param length bytes.
     */
    void requestBytes(final int length)
    {
        facts.received(length);
        if (null != counters)
        {
            counters.requestBytes(length);
        }
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
            final long nowNs = stream.connectionNowNs();
            countQueueWait(nowNs);
            if (answered)
            {
                counters.duration(nowNs - arrivedNs);
            }
            counters.responseBytes(sentBodyLength);
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
