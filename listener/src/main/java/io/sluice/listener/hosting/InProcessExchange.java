package io.sluice.listener.hosting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.listener.http.ResponseHeads;
import io.sluice.listener.http.ServerExchange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link Exchange} an in-process handler sees: request facts read from the decoded request, responses written
 * straight into the connection's {@link ServerExchange}. Calls from a thread other than the event loop hop to it,
 * copying the body first.
 */
final class InProcessExchange implements Exchange, RequestSink
{
    private final ServerExchange exchange;
    private final String method;
    private final String target;
    private final HttpHeaders headers;
    private final long contentLength;
    private List<Map.Entry<String, String>> headerList;
    private List<String> responseHeaders;
    private Object attachment;
    private volatile boolean aborted;

    InProcessExchange(final ServerExchange exchange, final HttpRequest request, final long contentLength)
    {
        this.exchange = exchange;
        this.method = request.method().name();
        this.target = request.uri();
        this.headers = request.headers();
        this.contentLength = contentLength;
    }

    public String method()
    {
        return method;
    }

    public String target()
    {
        return target;
    }

    public String header(final String name)
    {
        return headers.get(name);
    }

    public int headerCount()
    {
        return headerList().size();
    }

    public String headerName(final int index)
    {
        return headerList().get(index).getKey();
    }

    public String headerValue(final int index)
    {
        return headerList().get(index).getValue();
    }

    public long contentLength()
    {
        return contentLength;
    }

    public String remoteAddress()
    {
        return exchange.remoteAddress();
    }

    public Exchange responseHeader(final String name, final String value)
    {
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

    public Object attachment()
    {
        return attachment;
    }

    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
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
        final List<String> extra = responseHeaders;
        if (null != extra)
        {
            for (int i = 0; i < extra.size(); i += 2)
            {
                ResponseHeads.header(head, extra.get(i), extra.get(i + 1));
            }
        }
        exchange.finishHead(head, status, contentLength, body, offset, length, last);
    }

    private List<Map.Entry<String, String>> headerList()
    {
        if (null == headerList)
        {
            headerList = headers.entries();
        }
        return headerList;
    }

    private static UnsafeBuffer copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new UnsafeBuffer(bytes);
    }
}
