package io.sluice.dispatch.worker;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.http.PathNormalizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The request side of an {@link Exchange} read from a decoded Netty {@link HttpRequest} (the in-process and loopback
 * models), plus the response headers a handler adds and its attachment. Subclasses write the response.
 */
public abstract class HttpRequestExchange implements Exchange
{
    private final String method;
    private final String target;
    private String path;
    private final HttpHeaders headers;
    private final long contentLength;
    private List<Map.Entry<String, String>> headerList;
    private List<String> responseHeaders;
    private Object attachment;

    /**
     * @param request       the decoded request head; its headers are kept, not copied.
     * @param contentLength of the body, -1 when chunked, 0 when none.
     */
    protected HttpRequestExchange(final HttpRequest request, final long contentLength)
    {
        this.method = request.method().name();
        this.target = request.uri();
        this.headers = request.headers();
        this.contentLength = contentLength;
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
    public String path()
    {
        if (null == path)
        {
            path = PathNormalizer.pathOf(target);
        }
        return path;
    }

    /**
     * {@inheritDoc}
     */
    public String header(final String name)
    {
        return headers.get(name);
    }

    /**
     * {@inheritDoc}
     */
    public int headerCount()
    {
        return headerList().size();
    }

    /**
     * {@inheritDoc}
     */
    public String headerName(final int index)
    {
        return headerList().get(index).getKey();
    }

    /**
     * {@inheritDoc}
     */
    public String headerValue(final int index)
    {
        return headerList().get(index).getValue();
    }

    /**
     * {@inheritDoc}
     */
    public long contentLength()
    {
        return contentLength;
    }

    /**
     * {@inheritDoc}
     */
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

    /**
     * {@inheritDoc}
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * {@inheritDoc}
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return the request's headers.
     */
    protected HttpHeaders headers()
    {
        return headers;
    }

    /**
     * @return the headers the handler added, as name, value, name, value, ...; null when none.
     */
    protected List<String> responseHeaders()
    {
        return responseHeaders;
    }

    /**
     * Forget the headers the handler added: the answer for a handler that failed carries none of them.
     */
    protected void clearResponseHeaders()
    {
        responseHeaders = null;
    }

    private List<Map.Entry<String, String>> headerList()
    {
        if (null == headerList)
        {
            headerList = headers.entries();
        }
        return headerList;
    }
}
