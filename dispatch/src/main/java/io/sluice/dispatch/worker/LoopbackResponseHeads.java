package io.sluice.dispatch.worker;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * How a loopback worker writes the head of a handler's response to the listener: the handler's content type and
 * headers, less the framing headers, which are the worker's ({@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}), and the {@code Connection} field of the connection's keep-alive. Stateless.
 */
final class LoopbackResponseHeads
{
    private LoopbackResponseHeads()
    {
    }

    /**
     * Add the handler's content type and headers, framing headers dropped.
     *
     * @param out         the response's headers.
     * @param contentType the handler's content type, or null.
     * @param extra       the headers the handler added, as name, value, name, value, ...; null when none.
     * @throws IllegalArgumentException when Netty refuses a name or value (not a token, a control character).
     * @throws NullPointerException     when a name or value is null.
     */
    static void addHeaders(final HttpHeaders out, final String contentType, final List<String> extra)
    {
        if (null != contentType)
        {
            out.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (null != extra)
        {
            for (int i = 0; i < extra.size(); i += 2)
            {
                final String name = extra.get(i);
                if (!isFramingHeader(name))
                {
                    out.add(name, extra.get(i + 1));
                }
            }
        }
    }

    /**
     * @param out       the response's headers.
     * @param keepAlive false when the connection closes after the response.
     * @param http10    true for an HTTP/1.0 request, which is told when the connection stays open.
     */
    static void addConnectionHeader(final HttpHeaders out, final boolean keepAlive, final boolean http10)
    {
        if (!keepAlive)
        {
            out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (http10)
        {
            out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * @param content an empty last chunk's buffer, released here.
     * @return the empty last content.
     */
    static LastHttpContent releaseEmpty(final ByteBuf content)
    {
        content.release();
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    /**
     * @param status the response status.
     * @return true for a status whose response has no body (204, 304).
     */
    static boolean isBodiless(final int status)
    {
        return status == 204 || status == 304;
    }

    private static boolean isFramingHeader(final String name)
    {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name) ||
            HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name) ||
            HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name);
    }
}
