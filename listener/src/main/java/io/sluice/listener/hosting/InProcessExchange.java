package io.sluice.listener.hosting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.worker.HttpRequestExchange;
import io.sluice.listener.http.ResponseHeads;
import io.sluice.listener.http.ServerExchange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * The {@link Exchange} an in-process handler sees: request facts read from the decoded request, responses written
 * straight into the connection's {@link ServerExchange}. Calls from a thread other than the event loop hop to it,
 * copying the body first.
 */
final class InProcessExchange extends HttpRequestExchange implements RequestSink
{
    private final ServerExchange exchange;
    private volatile boolean aborted;

    InProcessExchange(final ServerExchange exchange, final HttpRequest request, final long contentLength)
    {
        super(request, contentLength);
        this.exchange = exchange;
    }

    public String remoteAddress()
    {
        return exchange.remoteAddress();
    }

    public void respond(
        final int status, final String contentType, final DirectBuffer body, final int offset, final int length)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            writeHead(status, contentType, length, body, offset, length, true);
        }
        else
        {
            final UnsafeBuffer copy = copyOf(body, offset, length);
            loop.execute(() -> writeHead(status, contentType, length, copy, 0, length, true));
        }
    }

    public void sendHead(final int status, final String contentType, final long contentLength)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            writeHead(status, contentType, contentLength, null, 0, 0, false);
        }
        else
        {
            loop.execute(() -> writeHead(status, contentType, contentLength, null, 0, 0, false));
        }
    }

    public void sendBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final EventLoop loop = exchange.eventLoop();
        if (loop.inEventLoop())
        {
            exchange.body(buffer, offset, length, last);
        }
        else
        {
            final UnsafeBuffer copy = copyOf(buffer, offset, length);
            loop.execute(() -> exchange.body(copy, 0, length, last));
        }
    }

    public boolean body(final ByteBuf content, final boolean last)
    {
        return true;
    }

    public void abort()
    {
        aborted = true;
    }

    private void writeHead(
        final int status,
        final String contentType,
        final long contentLength,
        final DirectBuffer body,
        final int offset,
        final int length,
        final boolean last)
    {
        if (aborted)
        {
            return;
        }
        if (!ResponseHeads.isValidStatus(status))
        {
            exchange.sendError(500, "internal server error: invalid status");
            return;
        }
        final ByteBuf head = exchange.beginHead(status);
        if (null != contentType)
        {
            ResponseHeads.header(head, "content-type", contentType);
        }
        final List<String> extra = responseHeaders();
        if (null != extra)
        {
            for (int i = 0; i < extra.size(); i += 2)
            {
                ResponseHeads.header(head, extra.get(i), extra.get(i + 1));
            }
        }
        exchange.finishHead(head, status, contentLength, body, offset, length, last);
    }

    private static UnsafeBuffer copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }
}
