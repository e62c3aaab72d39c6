package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.FlushListener;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

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
 */
public final class ServerExchange implements ClientExchange
{
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String CONNECTION = "connection";
    private static final String CLOSE = "close";
    private static final String KEEP_ALIVE = "keep-alive";
    private static final long NO_DECLARED_LENGTH = -1;
    private static final String BODY_BEFORE_HEAD = "bad gateway: response body before its head";

    private final HttpConnectionHandler connection;
    private final boolean headRequest;
    private final String applicationPath;
    private boolean keepAlive;
    private boolean http10;
    private boolean chunked;
    private boolean dropBody;
    private boolean headSent;
    private boolean complete;
    private boolean aborted;
    private boolean active;
    private boolean requestBodyComplete;
    private boolean waitingForStart;
    private long remainingBodyLength = NO_DECLARED_LENGTH;
    private long admittedNs;
    private long queueWaitTimeoutNs;
    private RequestQueue queue;
    private RequestSink sink;
    private ArrayDeque<ByteBuf> held;
    private boolean writeBlocked;
    private FlushListener heldFlushListener;
    private long heldFlushToken;

    ServerExchange(
        final HttpConnectionHandler connection,
        final boolean headRequest,
        final boolean keepAlive,
        final String applicationPath)
    {
        this.connection = connection;
        this.headRequest = headRequest;
        this.keepAlive = keepAlive;
        this.applicationPath = applicationPath;
    }

    /**
     * @return the event loop every call must be made on.
     */
    public EventLoop eventLoop()
    {
        return connection.eventLoop();
    }

    /**
     * @return the allocator for response buffers.
     */
    public ByteBufAllocator alloc()
    {
        return connection.alloc();
    }

    /**
     * @return true when the request method is HEAD: the head is sent, body bytes are dropped.
     */
    public boolean isHeadRequest()
    {
        return headRequest;
    }

    /**
     * @return the path of the URL prefix the request matched, e.g. {@code /shm/}.
     */
    public String applicationPath()
    {
        return applicationPath;
    }

    /**
     * @return the client's IP address as text.
     */
    public String remoteAddress()
    {
        return connection.remoteAddress();
    }

    /**
     * @return the client's port.
     */
    public int remotePort()
    {
        return connection.remotePort();
    }

    /**
     * @return true once the head has been written (the status can no longer change).
     */
    public boolean isHeadSent()
    {
        return headSent;
    }

    /**
     * @return true once the response is complete or the request abandoned.
     */
    public boolean isDone()
    {
        return complete || aborted;
    }

    /**
     * Back-pressure towards the host: whether the client connection can take more of this response now. It can when
     * this exchange is the one being written (the first in pipelining order) and the connection is under its
     * write-buffer high water mark; once the response is complete or abandoned nothing waits for it, so true.
     *
     * @return true when more response bytes may be sent now.
     */
    public boolean isWritable()
    {
        return isDone() || (active && connection.isWritable());
    }

    /**
     * Ask to be told when the client connection can take more of this response: when {@link #isWritable()} is false,
     * the sink's {@link RequestSink#writable()} is called once it becomes true (on the event loop, never from within
     * this call).
     *
     * @return true when writable now (nothing is registered); false when the sink will be told later.
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
     * The host can take the request body chunk it refused again: the connection offers it now (on the event loop,
     * never from within this call). Used by a sink whose {@link RequestSink#resumesBody()} is true.
     */
    public void resumeBody()
    {
        connection.resumeBody(this);
    }

    /**
     * Start a response head: a pooled buffer holding the status line. Add headers with {@link ResponseHeads}, then
     * pass it to {@link #finishHead}.
     *
     * @param status HTTP status in 100..599.
     * @return the buffer, owned by the caller until passed on.
     */
    public ByteBuf beginHead(final int status)
    {
        final ByteBuf buf = connection.alloc().directBuffer(256);
        ResponseHeads.statusLine(buf, status);
        return buf;
    }

    /**
     * Finish and send a head started with {@link #beginHead}: add the framing headers, then queue it in request order.
     * The listener owns the framing: a status that is not final (below 200, or not a status at all) is answered 502
     * instead, and a body is held to the content length the head declares. Body bytes past it are cut and the
     * connection closed after the response; a body that ends short of it closes the connection too, so the client sees
     * the response is incomplete and nothing after it is read as part of it.
     *
     * @param head          the head buffer; becomes the exchange's.
     * @param status        the status written by {@link #beginHead}.
     * @param contentLength of the body, or -1 when not known (sent chunked).
     * @param inlineBody    body bytes to send with the head, or null.
     * @param bodyOffset    of the inline body.
     * @param bodyLength    of the inline body.
     * @param last          true when the inline body (or nothing) is the whole response.
     * @return false when the head was dropped: the exchange was done, or it had sent a head already (a second head is
     * the handler's or worker's mistake: the response cannot be repaired, so the connection is closed). A caller must
     * then not treat the response as answered by this head.
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
        if (isDone())
        {
            head.release();
            return false;
        }
        if (headSent)
        {
            head.release();
            // the head is out: the status cannot change, so the connection closes and the client sees the cut
            sendError(502, "bad gateway: a second response head");
            return false;
        }
        if (!ResponseHeads.isFinalStatus(status))
        {
            head.release();
            sendError(502, "bad gateway: invalid status");
            return true;
        }
        headSent = true;

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
        if (!keepAlive || connection.isClosing() || connection.isDraining())
        {
            keepAlive = false;
            ResponseHeads.header(head, CONNECTION, CLOSE);
        }
        else if (http10)
        {
            // HTTP/1.0 closes by default: an HTTP/1.0 client that asked to keep the connection must be told it is kept
            ResponseHeads.header(head, CONNECTION, KEEP_ALIVE);
        }
        ResponseHeads.end(head);

        if (inlineLength > 0 && !dropBody)
        {
            appendChunk(head, inlineBody, bodyOffset, inlineLength);
        }
        if (complete && chunked)
        {
            head.writeBytes(LAST_CHUNK);
        }
        emit(head);
        if (complete)
        {
            complete();
        }
        return true;
    }

    /**
     * Send a chunk of the body, copied from a buffer.
     *
     * @param src    holding the chunk.
     * @param offset of the chunk.
     * @param length of the chunk; may be 0.
     * @param last   true for the final chunk.
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
                finishBody();
            }
            return;
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
        final ByteBuf buf = connection.alloc().directBuffer(sendLength + 16);
        appendChunk(buf, src, offset, sendLength);
        if (end && chunked)
        {
            buf.writeBytes(LAST_CHUNK);
        }
        emit(buf);
        if (end)
        {
            complete();
        }
    }

    /**
     * Send a chunk of the body.
     *
     * @param content the chunk; becomes the exchange's.
     * @param last    true for the final chunk.
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
                finishBody();
            }
            return;
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
            final ByteBuf size = connection.alloc().directBuffer(12);
            ResponseHeads.chunkSize(size, content.readableBytes());
            emit(size);
            emit(content);
            final ByteBuf endOfChunk = connection.alloc().directBuffer(8);
            ResponseHeads.crlf(endOfChunk);
            if (end)
            {
                endOfChunk.writeBytes(LAST_CHUNK);
            }
            emit(endOfChunk);
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
     * Ask to hear when every response byte sent so far through this exchange has been taken by the client's socket
     * (flow control: a host grants its worker more credit then). A response waiting behind an earlier one on the
     * connection is noticed once it has been written and drained. At most one request may be pending per exchange; a
     * second replaces the first while the response waits behind another. Nothing is heard for an exchange already
     * done, nor when the connection closes first.
     *
     * @param listener told on the event loop, with the token; may serve many exchanges (nothing is allocated).
     * @param token    given back to the listener: it tells a notice for this exchange from one for an earlier.
     */
    public void notifyWhenFlushed(final FlushListener listener, final long token)
    {
        if (isDone())
        {
            return;
        }
        if (active)
        {
            connection.notifyWhenFlushed(listener, token);
        }
        else
        {
            heldFlushListener = listener;
            heldFlushToken = token;
        }
    }

    /**
     * Answer with a short text response generated by the listener (errors: 400, 404, 502, 503, ...). When the head has
     * already been sent the status cannot change: the connection is closed instead.
     *
     * @param status  HTTP status.
     * @param message body text.
     */
    public void sendError(final int status, final String message)
    {
        if (isDone())
        {
            return;
        }
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
     * The host could not hand the request to a worker at once: it waits in the queue, and the queue's time limit
     * ({@code queueWait}) applies until {@link #markStarted()}.
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
     * A worker took the request: the queue's time limit no longer applies.
     */
    public void markStarted()
    {
        waitingForStart = false;
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
     * Write {@code 100 Continue}, in order, before the final response.
     */
    void sendContinue()
    {
        emit(connection.alloc().directBuffer(CONTINUE.length).writeBytes(CONTINUE));
    }

    void admitted(final RequestQueue queue, final RequestSink sink)
    {
        this.queue = queue;
        this.sink = sink;
    }

    void enterQueue(final RequestQueue queue, final long queueWaitTimeoutNs, final long nowNs)
    {
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
     * @return when the request's time in queue runs out, on the {@link System#nanoTime()} clock.
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

    void activate()
    {
        active = true;
        if (null != held)
        {
            ByteBuf buf;
            while (null != (buf = held.poll()))
            {
                connection.write(buf);
            }
            held = null;
        }
        final FlushListener listener = heldFlushListener;
        if (null != listener)
        {
            heldFlushListener = null;
            connection.notifyWhenFlushed(listener, heldFlushToken);
        }
        if (writeBlocked)
        {
            // the host waits for this response's turn: tell it after the caller's bookkeeping, not from within it
            connection.eventLoop().execute(this::writabilityChanged);
        }
    }

    /**
     * The connection became writable, or this exchange became the one being written: tell a waiting host.
     */
    void writabilityChanged()
    {
        if (writeBlocked && !isDone() && isWritable())
        {
            writeBlocked = false;
            final RequestSink sink = this.sink;
            if (null != sink)
            {
                sink.writable();
            }
        }
    }

    void abort()
    {
        if (isDone())
        {
            return;
        }
        aborted = true;
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
            emit(connection.alloc().directBuffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK));
        }
        complete();
    }

    private void appendChunk(final ByteBuf buf, final DirectBuffer src, final int offset, final int length)
    {
        if (chunked)
        {
            ResponseHeads.chunkSize(buf, length);
        }
        buf.ensureWritable(length + 2);
        final int writerIndex = buf.writerIndex();
        src.getBytes(offset, buf.nioBuffer(writerIndex, length), length);
        buf.writerIndex(writerIndex + length);
        if (chunked)
        {
            ResponseHeads.crlf(buf);
        }
    }

    private void emit(final ByteBuf buf)
    {
        if (active)
        {
            connection.write(buf);
        }
        else
        {
            if (null == held)
            {
                held = new ArrayDeque<>(4);
            }
            held.add(buf);
        }
    }

    private void complete()
    {
        complete = true;
        sink = null;
        releaseQueue();
        connection.responseComplete(this);
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

    private void releaseHeld()
    {
        heldFlushListener = null;
        if (null != held)
        {
            ByteBuf buf;
            while (null != (buf = held.poll()))
            {
                buf.release();
            }
            held = null;
        }
    }
}
