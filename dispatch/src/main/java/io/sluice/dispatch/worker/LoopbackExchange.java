package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.dispatch.http.TlsInfo;
import io.netty.handler.codec.http.LastHttpContent;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The {@link Exchange} a handler sees in a loopback worker: request facts read from the decoded Netty request,
 * responses written as Netty HTTP objects on the connection's event loop.
 * <p>
 * Threading: request accessors and {@link #responseHeader} belong to the handler's thread. Response calls made on the
 * event loop write at once (flushed at the end of the read, or at once outside a read); calls from another thread copy
 * the bytes and hop to the event loop. Back-pressure: {@link #sendBody} answers false while the connection to the
 * listener is over its write-buffer high water mark (or too many bytes are on their way from handler threads), and
 * {@link Handler#onWritable(Exchange)} follows on the event loop once it has room; a handler thread that sends on after
 * false waits for room instead. The listener stops reading this connection while its client is not writable, so the
 * whole path is bounded by the slowest reader. The response state ({@code headSent}, {@code complete}, ...) is confined to the event loop.
 */
final class LoopbackExchange extends HttpRequestExchange implements FailableExchange
{
    private static final Logger LOG = Logger.getLogger(LoopbackExchange.class.getName());
    private static final int MIN_STATUS = 200;
    private static final int MAX_STATUS = 599;
    private static final int SWITCHING_PROTOCOLS = 101;

    private final LoopbackConnectionHandler connection;
    private final boolean headRequest;
    private final boolean http10;
    private boolean dispatched;
    private boolean keepAlive;
    private String remoteAddress;
    private TlsInfo tls;

    private boolean headSent;
    private boolean complete;
    private boolean dropBody;
    private long remainingLength;
    private boolean tunnel;
    private volatile boolean aborted;
    private final AtomicBoolean writableOwed = new AtomicBoolean();

    LoopbackExchange(
        final LoopbackConnectionHandler connection,
        final HttpRequest request,
        final long contentLength,
        final boolean keepAlive)
    {
        super(request, contentLength);
        this.connection = connection;
        this.headRequest = HttpMethod.HEAD.equals(request.method());
        this.http10 = HttpVersion.HTTP_1_0.equals(request.protocolVersion());
        this.keepAlive = keepAlive;
    }

    /**
     * The client's address: the listener's {@code X-Forwarded-For} (trusted: the request carried the worker's token),
     * else the connection's peer.
     *
     * @return the address as text.
     */
    public String remoteAddress()
    {
        if (null == remoteAddress)
        {
            remoteAddress = connection.peerAddress();
        }
        return remoteAddress;
    }

    /**
     * @param forwardedFor the listener's {@code X-Forwarded-For}, taken from the request before the handler sees it;
     *                     null when absent.
     */
    void forwardedFor(final String forwardedFor)
    {
        if (null != forwardedFor && !forwardedFor.isBlank())
        {
            final int comma = forwardedFor.lastIndexOf(',');
            remoteAddress = (comma < 0 ? forwardedFor : forwardedFor.substring(comma + 1)).trim();
        }
    }

    /**
     * {@inheritDoc}
     */
    public TlsInfo tls()
    {
        return tls;
    }

    /**
     * @param tls the TLS facts the listener sent with the request, or null for cleartext.
     */
    void tls(final TlsInfo tls)
    {
        this.tls = tls;
    }

    /**
     * {@inheritDoc}
     */
    public void respond(
        final int status, final String contentType, final DirectBuffer body, final int offset, final int length)
    {
        final EventLoop loop = connection.eventLoop();
        if (loop.inEventLoop())
        {
            writeFull(status, contentType, connection.hop().copy(body, offset, length));
        }
        else if (!aborted)
        {
            final ByteBuf copy = LoopbackHop.copyOffLoop(body, offset, length);
            connection.hop().hopped(length);
            loop.execute(
                () ->
                {
                    connection.hop().landed(length);
                    writeFull(status, contentType, copy);
                });
        }
    }

    /**
     * {@inheritDoc}
     */
    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        final EventLoop loop = connection.eventLoop();
        if (loop.inEventLoop())
        {
            writeHead(status, contentType, contentLength);
        }
        else if (!aborted)
        {
            loop.execute(() -> writeHead(status, contentType, contentLength));
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final EventLoop loop = connection.eventLoop();
        if (loop.inEventLoop())
        {
            writeBody(connection.hop().copy(buffer, offset, length), last);
            if (last || complete || aborted || connection.hop().isWritable())
            {
                return true;
            }
            writableOwed.set(true);
            connection.notifyWhenWritable(this);
            return false;
        }
        if (aborted)
        {
            return true;
        }
        if (writableOwed.get())
        {
            // the handler sends on after false: its thread waits for room, so the worker never buffers without bound
            connection.hop().awaitWritable(this);
        }
        final ByteBuf copy = LoopbackHop.copyOffLoop(buffer, offset, length);
        connection.hop().hopped(length);
        loop.execute(
            () ->
            {
                connection.hop().landed(length);
                writeBody(copy, last);
            });
        if (last || connection.hop().isWritable())
        {
            return true;
        }
        writableOwed.set(true);
        loop.execute(() -> connection.notifyWhenWritable(this));
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isWritable()
    {
        return aborted || connection.hop().isWritable();
    }

    /**
     * The connection has room again after {@link #sendBody} answered false: the handler is owed one
     * {@link Handler#onWritable(Exchange)}. Event loop only.
     *
     * @return true when the call is owed now (and is no longer owed after this).
     */
    boolean takeWritableOwed()
    {
        return !complete && !aborted && writableOwed.compareAndSet(true, false);
    }

    /**
     * The connection filled up again before the owed call could be made: it is owed still. Event loop only.
     */
    void oweWritable()
    {
        writableOwed.set(true);
    }

    /**
     * The request is the handler's: from now on it hears of the body and of an abort.
     */
    void dispatch()
    {
        dispatched = true;
    }

    boolean isDispatched()
    {
        return dispatched;
    }

    boolean isHeadSent()
    {
        return headSent;
    }

    boolean isComplete()
    {
        return complete;
    }

    boolean isAborted()
    {
        return aborted;
    }

    boolean keepAlive()
    {
        return keepAlive;
    }

    /**
     * The connection went away before the response completed. Event loop only.
     */
    void abort()
    {
        aborted = true;
    }

    /**
     * Answer with a short text generated by the worker (400, 404, 500, the shutdown acknowledgement), outside the
     * handler. Event loop only.
     *
     * @param status         HTTP status.
     * @param message        body text.
     * @param closeAfterward true to close the connection once the answer is written.
     */
    void reply(final int status, final String message, final boolean closeAfterward)
    {
        if (closeAfterward)
        {
            keepAlive = false;
        }
        final byte[] body = (message + "\n").getBytes(StandardCharsets.US_ASCII);
        writeFull(status, "text/plain", Unpooled.wrappedBuffer(body));
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: a 500 closes the connection to the listener after it; a response already begun is ended by closing the
     * connection without its end, which the listener passes on to the client. Event loop only.
     */
    public void handlerFailed()
    {
        if (!headSent)
        {
            clearResponseHeaders();
        }
        fail();
    }

    /**
     * The handler failed, or its response broke its own framing: answer 500 if nothing was sent yet, else end the
     * connection. Event loop only.
     */
    void fail()
    {
        if (complete || aborted)
        {
            return;
        }
        if (!headSent)
        {
            reply(HandlerInvoker.FAILURE_STATUS, "internal server error", true);
        }
        else
        {
            complete = true;
            keepAlive = false;
            connection.responseComplete(this);
        }
    }

    private void writeFull(final int status, final String contentType, final ByteBuf content)
    {
        if (aborted || headSent)
        {
            content.release();
            if (headSent && !aborted)
            {
                LOG.warning(() -> "respond after the head was sent: " + method() + " " + target());
            }
            return;
        }
        if (status < MIN_STATUS || status > MAX_STATUS)
        {
            content.release();
            LOG.warning(() -> "invalid response status " + status + " for " + method() + " " + target());
            reply(502, "bad gateway: invalid status from the handler", true);
            return;
        }
        final boolean bodiless = LoopbackResponseHeads.isBodiless(status);
        final int length = content.readableBytes();
        final ByteBuf body = headRequest || bodiless ? Unpooled.EMPTY_BUFFER : content;
        if (body != content)
        {
            content.release();
        }
        final DefaultFullHttpResponse response =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        if (!addHeaders(response, contentType))
        {
            response.release();
            // the 502 carries none of the handler's headers (with them it would fail again, without end)
            clearResponseHeaders();
            reply(502, "bad gateway: invalid response header from the handler", true);
            return;
        }
        if (!bodiless)
        {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        addConnectionHeader(response);
        headSent = true;
        complete = true;
        connection.write(response);
        connection.responseComplete(this);
    }

    private void writeHead(final int status, final String contentType, final long length)
    {
        if (aborted || headSent)
        {
            return;
        }
        if (SWITCHING_PROTOCOLS == status)
        {
            switchProtocols(contentType);
            return;
        }
        if (status < MIN_STATUS || status > MAX_STATUS)
        {
            LOG.warning(() -> "invalid response status " + status + " for " + method() + " " + target());
            reply(502, "bad gateway: invalid status from the handler", true);
            return;
        }
        final boolean bodiless = LoopbackResponseHeads.isBodiless(status);
        final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        if (!addHeaders(response, contentType))
        {
            // the 502 carries none of the handler's headers (with them it would fail again, without end)
            clearResponseHeaders();
            reply(502, "bad gateway: invalid response header from the handler", true);
            return;
        }
        remainingLength = length;
        if (!bodiless)
        {
            if (length >= 0)
            {
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
            }
            else if (http10)
            {
                // HTTP/1.0 has no chunked coding: the end of the connection ends the body.
                keepAlive = false;
            }
            else
            {
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        dropBody = headRequest || bodiless;
        addConnectionHeader(response);
        headSent = true;
        connection.write(response);
    }

    private void writeBody(final ByteBuf content, final boolean last)
    {
        if (aborted || complete)
        {
            content.release();
            return;
        }
        if (!headSent)
        {
            content.release();
            LOG.warning(() -> "sendBody before sendHead: " + method() + " " + target());
            reply(502, "bad gateway: response body before its head", true);
            return;
        }
        final int length = content.readableBytes();
        if (tunnel)
        {
            // the tunnel's bytes, as they are: the connection has no HTTP codec any more
            if (length > 0)
            {
                connection.write(content);
            }
            else
            {
                content.release();
            }
            if (last)
            {
                complete = true;
                connection.responseComplete(this);
            }
            return;
        }
        if (dropBody)
        {
            content.release();
            if (last)
            {
                finish(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        if (remainingLength >= 0)
        {
            remainingLength -= length;
            if (remainingLength < 0 || (last && remainingLength > 0))
            {
                content.release();
                LOG.warning(() -> "response body length differs from its Content-Length: " + method() + " " + target());
                fail();
                return;
            }
        }
        if (last)
        {
            finish(length == 0 ? LoopbackResponseHeads.releaseEmpty(content) : new DefaultLastHttpContent(content));
        }
        else if (length > 0)
        {
            connection.write(new DefaultHttpContent(content));
        }
        else
        {
            content.release();
        }
    }

    /**
     * The handler answers {@code 101 Switching Protocols}: only to a request that asked to upgrade (the listener sends
     * its {@code Upgrade} only when its queue allows it), else 502. The head goes out through the HTTP codec, which
     * then leaves the connection: from here the handler's bytes and the listener's are the tunnel's, and the end of
     * the tunnel ends the connection.
     */
    private void switchProtocols(final String contentType)
    {
        final String protocols = header(HttpHeaderNames.UPGRADE.toString());
        if (null == protocols)
        {
            LOG.warning(() -> "101 to a request that did not ask to upgrade: " + method() + " " + target());
            reply(502, "bad gateway: 101 Switching Protocols to a request that did not ask to upgrade", true);
            return;
        }
        final HttpResponse response =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        if (!addHeaders(response, contentType))
        {
            clearResponseHeaders();
            reply(502, "bad gateway: invalid response header from the handler", true);
            return;
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        response.headers().set(HttpHeaderNames.UPGRADE, protocols);
        headSent = true;
        tunnel = true;
        keepAlive = false;
        remainingLength = UNKNOWN_LENGTH;
        connection.write(response);
        connection.upgraded(this);
    }

    /**
     * @return true once the handler switched protocols: the connection carries this exchange's tunnel.
     */
    boolean isTunnel()
    {
        return tunnel;
    }

    private void finish(final LastHttpContent last)
    {
        complete = true;
        connection.write(last);
        connection.responseComplete(this);
    }

    private boolean addHeaders(final HttpResponse response, final String contentType)
    {
        try
        {
            LoopbackResponseHeads.addHeaders(response.headers(), contentType, responseHeaders());
            return true;
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            LOG.warning(() -> "invalid response header for " + method() + " " + target() + ": " + ex.getMessage());
            return false;
        }
    }

    private void addConnectionHeader(final HttpResponse response)
    {
        LoopbackResponseHeads.addConnectionHeader(response.headers(), keepAlive, http10);
    }
}
