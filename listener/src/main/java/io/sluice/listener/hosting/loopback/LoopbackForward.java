package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.listener.hosting.InFlightList;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.ResponseHeads;

/**
 * One request forwarded to a worker over loopback: the {@link RequestSink} the client connection streams the body
 * into, and the relay of the worker's response into the client's {@link ClientExchange}.
 * <p>
 * Life: waiting for a ready worker (head encoded, body chunks held up to {@link LoopbackEarlyBody#LIMIT_LENGTH}), then
 * queued on a {@link LoopbackUpstream} (head, token and held chunks written once it is connected and it is this
 * request's turn: the requests of its client connection before it are written, and answered unless they and it are
 * {@link #isPipelinable() pipelinable}), then relaying the response; done when the response is complete, the request
 * failed (502, 504, or 503 when the queue stopped) or the client went away. Once done it leaves the upstream
 * connection's queue; the connection carries on with the requests behind, or goes back to the idle pool, if the
 * exchange left it clean, and closes otherwise (the requests behind then get {@link #upstreamLost()}).
 * <p>
 * A lost worker connection (the worker died, or closed a kept-alive connection as the request was written to it):
 * the worker gets nothing more until it is probed ready again ({@link LoopbackHost}), and a request not yet written to
 * any worker (its connection never came up) is dispatched again, to another ready worker or, parked, to the probed
 * or replacement one; a request written and not yet answered (no response byte arrived, so the client has seen
 * nothing) is sent again once, on a fresh connection, when it is a GET, HEAD or OPTIONS without a body, and is
 * answered 502 otherwise, as in the shared-memory model. A request with a body or another method never runs twice.
 * <p>
 * Back-pressure: while the client connection is not writable for this response ({@link ClientExchange#isWritable()})
 * the forward stops reading the worker's connection, and reads on when the client has taken enough
 * ({@link #writable()}): a slow client holds about the client connection's high water mark in the listener, and the
 * rest of the response waits in the worker (whose own {@code sendBody} then answers false).
 * <p>
 * Buffer ownership: the forward owns its encoded head and held chunks until it writes them (the channel then owns
 * them) or is done (it releases them). Response content handed to {@link ClientExchange#body(ByteBuf, boolean)}
 * becomes the exchange's.
 * <p>
 * Tunnel: a worker's {@code 101} to a request that asked to upgrade ({@link ClientExchange#isUpgradeRequested()}) is
 * relayed, and from then on the worker connection carries the tunnel alone: the client's bytes are written to it as
 * they come ({@link #body}, the client's end of input as the end of the listener's output), the worker's bytes go to
 * the client as they come, with the same back-pressure both ways, no {@code requestTimeout}, and the end of the worker
 * connection ends the tunnel (the client connection closes). Such a request is never pipelined behind others nor sent
 * twice, and its connection never goes back to the pool. A {@code 101} to any other request is a 502.
 * Event-loop confined.
 */
final class LoopbackForward extends InFlightList.Entry implements RequestSink
{
    /**
     * Largest complete response body sent in the same buffer as its head: {@value} bytes.
     */
    static final int INLINE_BODY_MAX_LENGTH = 4 * 1024;

    private static final int TOKEN_LINE_LENGTH_ESTIMATE = 64;
    private static final int MIN_STATUS = 200;
    private static final int MAX_STATUS = 599;

    /**
     * The next request queued on the same worker connection ({@link LoopbackUpstream}'s link).
     */
    LoopbackForward nextOnUpstream;

    private final LoopbackLoop loop;
    private final ClientExchange exchange;
    private final Object orderKey;
    private final long contentLength;
    private final boolean headRequest;
    private final boolean retryable;
    private ByteBuf head;
    private ByteBuf retryHead;
    private boolean retried;
    private LoopbackEarlyBody early;
    private LoopbackUpstream upstream;
    private boolean requestSent;
    private boolean done;

    private ByteBuf responseHead;
    private int status;
    private long responseLength;
    private boolean responseReusable;
    private boolean informational;
    private boolean tunnel;

    /**
     * @param loop          the event loop's share of the queue.
     * @param exchange      the client's exchange.
     * @param contentLength of the request body, -1 for chunked, 0 for none.
     * @param head          the encoded request head, less the token line; becomes the forward's.
     * @param retryable     true when the request may be sent to a worker a second time ({@link #isRetryable}, no
     *                      body).
     */
    LoopbackForward(
        final LoopbackLoop loop,
        final ClientExchange exchange,
        final long contentLength,
        final ByteBuf head,
        final boolean retryable)
    {
        this.loop = loop;
        this.exchange = exchange;
        this.orderKey = exchange.orderKey();
        this.contentLength = contentLength;
        this.headRequest = exchange.isHeadRequest();
        this.head = head;
        this.retryable = retryable;
    }

    /**
     * Methods a request of which may be sent to a worker a second time (RFC 9110 9.2.2 idempotent and safe ones),
     * as the shared-memory model retries them.
     *
     * @param method the request's method.
     * @return true for GET, HEAD and OPTIONS.
     */
    static boolean isRetryable(final HttpMethod method)
    {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
    }

    /**
     * {@inheritDoc}
     */
    public boolean body(final ByteBuf content, final boolean last)
    {
        if (done)
        {
            return true;
        }
        final LoopbackUpstream upstream = this.upstream;
        if (tunnel)
        {
            return null == upstream || tunnelInput(upstream, content, last);
        }
        if (null == upstream || !upstream.isActive() || null != head)
        {
            if (null == early)
            {
                early = new LoopbackEarlyBody();
            }
            return early.hold(content, last);
        }
        final Channel channel = upstream.channel();
        if (!channel.isWritable())
        {
            channel.flush();
            if (!channel.isWritable())
            {
                return false;
            }
        }
        writeBody(upstream, content.retain(), last);
        loop.flushLater(upstream);
        if (last)
        {
            upstream.requestWritten(this);
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void abort()
    {
        end();
    }

    boolean isHeadRequest()
    {
        return headRequest;
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * @return true once the worker switched protocols: the connection carries this request's tunnel alone.
     */
    boolean isTunnel()
    {
        return tunnel;
    }

    /**
     * @return true when the request may be written behind others awaiting their responses on one worker connection:
     * it may be sent twice ({@link #isRetryable}, no body), so losing the connection costs no answer.
     */
    boolean isPipelinable()
    {
        return retryable;
    }

    /**
     * @return the order key of the client connection: its requests share one worker connection.
     */
    Object orderKey()
    {
        return orderKey;
    }

    /**
     * Carry this request over a connection; it is written in its turn once the connection is up.
     *
     * @param upstream the connection, this forward already queued on it.
     */
    void attach(final LoopbackUpstream upstream)
    {
        if (done || upstream.isClosed())
        {
            // a connect that failed at once was handled already (the request dispatched again or answered)
            return;
        }
        exchange.markStarted();
        this.upstream = upstream;
        upstream.sendQueued();
    }

    /**
     * No worker is ready: the request waits in this event loop's pending list, and the queue's time limit applies.
     */
    void parked()
    {
        exchange.markQueued();
    }

    /**
     * The worker sent an invalid response: 502.
     */
    void upstreamFailed()
    {
        upstream = null;
        fail(502, "bad gateway", ErrorReason.WORKER_PROTOCOL_ERROR);
    }

    /**
     * The attached connection failed to connect, or closed before the response completed (the worker's doing, or the
     * listener's when a request before this one on it ended early). A request never written is dispatched again; one written is sent once more on a fresh connection when it may be ({@link #retryable},
     * not retried yet, no response byte arrived), else answered 502.
     */
    void upstreamLost()
    {
        upstream = null;
        if (done)
        {
            return;
        }
        if (tunnel)
        {
            // the worker ended the tunnel (or died): the client connection closes after what it sent
            done = true;
            loop.untrack(this);
            exchange.body(Unpooled.EMPTY_BUFFER, true);
            return;
        }
        if (null != head)
        {
            // its connection never came up: nothing reached a worker
            loop.redispatch(this, false);
            return;
        }
        final ByteBuf retryHead = this.retryHead;
        if (null != retryHead)
        {
            this.retryHead = null;
            retried = true;
            final ByteBuf copy = exchange.alloc().directBuffer(retryHead.readableBytes() + TOKEN_LINE_LENGTH_ESTIMATE);
            copy.writeBytes(retryHead);
            retryHead.release();
            head = copy;
            loop.retried();
            loop.redispatch(this, true);
            return;
        }
        fail(502, "bad gateway", ErrorReason.CONNECTION_ABANDONED_BY_WORKER);
    }

    /**
     * Answer without a worker (502, or 503 when the queue stopped) and forget the request.
     *
     * @param status  HTTP status.
     * @param message body text.
     * @param reason  why, for the error log.
     */
    void fail(final int status, final String message, final ErrorReason reason)
    {
        if (end())
        {
            exchange.sendError(status, message, reason);
        }
    }

    /**
     * Drop the request without answering it (the listener is stopping).
     */
    void discard()
    {
        abort();
    }

    /**
     * The worker's response head arrived: copy status and headers into a head for the client, sent with the first
     * body bytes so a small response leaves in one buffer.
     *
     * @param response the decoded head.
     */
    void onResponseHead(final HttpResponse response)
    {
        if (done)
        {
            return;
        }
        releaseRetryHead();
        final int code = response.status().code();
        if (code < MIN_STATUS)
        {
            if (code == ResponseHeads.SWITCHING_PROTOCOLS)
            {
                switchProtocols(response);
                return;
            }
            informational = true;
            return;
        }
        if (code > MAX_STATUS)
        {
            fail(502, "bad gateway: invalid status", ErrorReason.WORKER_PROTOCOL_ERROR);
            return;
        }
        final boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        status = code;
        responseLength = chunked ? -1 : HttpUtil.getContentLength(response, -1L);
        final boolean delimited = chunked || responseLength >= 0 || headRequest || ResponseHeads.isBodiless(code);
        responseReusable = delimited && HttpUtil.isKeepAlive(response);
        if (null != responseHead)
        {
            responseHead.release();
        }
        responseHead = exchange.beginHead(code);
        if (!LoopbackHeaders.copyResponseHeaders(responseHead, response.headers()))
        {
            fail(502, "bad gateway: invalid response header", ErrorReason.WORKER_PROTOCOL_ERROR);
        }
    }

    /**
     * A whole response of the common form arrived, its head checked byte by byte ({@link LoopbackPlainResponse}):
     * its status and header lines go into a head for the client, with its body in the same buffer when small.
     *
     * @param response the response; released here.
     */
    void onPlainResponse(final LoopbackPlainResponse response)
    {
        if (done)
        {
            response.release();
            return;
        }
        releaseRetryHead();
        final int code = response.status();
        final int length = response.contentLength();
        status = code;
        responseLength = length;
        responseReusable = response.isKeepAlive();
        if (null != responseHead)
        {
            responseHead.release();
            responseHead = null;
        }
        final ByteBuf head = exchange.beginHead(code);
        response.copyHeaders(head);
        final ByteBuf bytes = response.bytes();
        if (length <= INLINE_BODY_MAX_LENGTH)
        {
            exchange.finishHead(head, code, length, loop.view(bytes), response.bodyIndex(), length, true);
            loop.clearView();
            response.release();
        }
        else
        {
            exchange.finishHead(head, code, length, null, 0, 0, false);
            exchange.body(bytes.skipBytes(response.bodyIndex()), true);
        }
        complete();
    }

    /**
     * A chunk of the worker's response body arrived.
     *
     * @param content the chunk; its buffer becomes this forward's.
     */
    void onResponseContent(final HttpContent content)
    {
        final ByteBuf data = content.content();
        final boolean last = content instanceof LastHttpContent;
        if (tunnel)
        {
            // the end of the 101 head, which has no body: what follows comes as bytes (onTunnelBytes)
            data.release();
            return;
        }
        if (informational || done)
        {
            data.release();
            if (last)
            {
                informational = false;
            }
            return;
        }
        final ByteBuf head = responseHead;
        if (null != head)
        {
            responseHead = null;
            final int length = data.readableBytes();
            if (last && length <= INLINE_BODY_MAX_LENGTH)
            {
                exchange.finishHead(head, status, responseLength, loop.view(data), 0, length, true);
                loop.clearView();
                data.release();
                complete();
                return;
            }
            exchange.finishHead(head, status, responseLength, null, 0, 0, false);
        }
        exchange.body(data, last);
        if (last)
        {
            complete();
        }
        else if (!exchange.notifyWhenWritable())
        {
            // the client holds this response back: stop reading the worker until it takes more (writable())
            final LoopbackUpstream upstream = this.upstream;
            if (null != upstream)
            {
                upstream.pauseReading();
            }
        }
    }

    /**
     * Bytes of the tunnel from the worker, after its {@code 101}.
     *
     * @param data the bytes; become the forward's.
     */
    void onTunnelBytes(final ByteBuf data)
    {
        if (done)
        {
            data.release();
            return;
        }
        exchange.body(data, false);
        if (!exchange.notifyWhenWritable())
        {
            final LoopbackUpstream upstream = this.upstream;
            if (null != upstream)
            {
                upstream.pauseReading();
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * The client connection took enough of the response: read the worker's connection again.
     */
    public void writable()
    {
        final LoopbackUpstream upstream = this.upstream;
        if (!done && null != upstream)
        {
            upstream.resumeReading();
        }
    }

    /**
     * Write the request (head, token, and the body held so far) in its turn on the connection.
     *
     * @param upstream the connection, up.
     * @return true when the whole request is written: the next one on the connection may follow.
     */
    boolean send(final LoopbackUpstream upstream)
    {
        final ByteBuf head = this.head;
        if (null == head)
        {
            return requestSent;
        }
        this.head = null;
        if (retryable && !retried)
        {
            // the head as encoded, less the token line written after it: sent again if the connection is lost
            retryHead = head.retainedSlice();
        }
        head.writeBytes(upstream.slot().tokenLine());
        upstream.write(head);
        if (contentLength == 0)
        {
            requestSent = true;
        }
        if (null != early)
        {
            early.drainTo((chunk, last) -> writeBody(upstream, chunk, last));
        }
        loop.flushLater(upstream);
        return requestSent;
    }

    /**
     * The worker answered {@code 101}: relay it when the client asked to upgrade (the head the listener writes, with
     * the worker's checked fields), and the connection becomes the tunnel; else 502.
     */
    private void switchProtocols(final HttpResponse response)
    {
        if (!exchange.isUpgradeRequested())
        {
            fail(502, "bad gateway: unexpected protocol switch", ErrorReason.WORKER_PROTOCOL_ERROR);
            return;
        }
        final ByteBuf head = exchange.beginHead(ResponseHeads.SWITCHING_PROTOCOLS);
        if (!LoopbackHeaders.copyResponseHeaders(head, response.headers()))
        {
            head.release();
            fail(502, "bad gateway: invalid response header", ErrorReason.WORKER_PROTOCOL_ERROR);
            return;
        }
        tunnel = true;
        status = ResponseHeads.SWITCHING_PROTOCOLS;
        // a tunnel lasts as long as its ends want: requestTimeout no longer applies (tunnelIdle does)
        loop.untrack(this);
        exchange.finishHead(head, ResponseHeads.SWITCHING_PROTOCOLS, -1, null, 0, 0, false);
    }

    /**
     * The client's bytes of the tunnel: written as they come; its end of input ends the listener's output to the
     * worker, which sees the end of its input and may still send.
     */
    private boolean tunnelInput(final LoopbackUpstream upstream, final ByteBuf content, final boolean last)
    {
        final Channel channel = upstream.channel();
        if (!channel.isWritable())
        {
            channel.flush();
            if (!channel.isWritable())
            {
                return false;
            }
        }
        if (content.isReadable())
        {
            upstream.write(content.retain());
        }
        if (last)
        {
            upstream.shutdownOutputAfterFlush();
        }
        else
        {
            loop.flushLater(upstream);
        }
        return true;
    }

    private void writeBody(final LoopbackUpstream upstream, final ByteBuf content, final boolean last)
    {
        LoopbackBodyWriter.write(upstream, content, last, contentLength < 0);
        if (last)
        {
            requestSent = true;
        }
    }

    private void complete()
    {
        done = true;
        loop.untrack(this);
        releaseRetryHead();
        final LoopbackUpstream upstream = this.upstream;
        this.upstream = null;
        if (null != upstream)
        {
            loop.responseDone(upstream, this, responseReusable && requestSent);
        }
    }

    /**
     * Forget the request (done, untracked, its buffers released, its worker connection closed) unless it is done
     * already.
     *
     * @return true when this call ended it.
     */
    private boolean end()
    {
        if (done)
        {
            return false;
        }
        done = true;
        loop.untrack(this);
        final boolean written = null == head;
        releaseBuffers();
        final LoopbackUpstream upstream = this.upstream;
        this.upstream = null;
        if (null != upstream)
        {
            if (tunnel)
            {
                // an abandoned tunnel ends with a reset, so the worker's handler hears of an abort, not a half-close
                upstream.resetOnClose();
            }
            loop.abandon(upstream, this, written);
        }
        return true;
    }

    private void releaseRetryHead()
    {
        if (null != retryHead)
        {
            retryHead.release();
            retryHead = null;
        }
    }

    private void releaseBuffers()
    {
        releaseRetryHead();
        if (null != head)
        {
            head.release();
            head = null;
        }
        if (null != early)
        {
            early.release();
        }
        if (null != responseHead)
        {
            responseHead.release();
            responseHead = null;
        }
    }
}
