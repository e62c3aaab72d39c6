package io.sluice.listener.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A request head as {@link StrictRequestDecoder} decoded it, with the number of bytes it took on the wire (request
 * line, field lines and the empty line), for the access log's {@code cs-bytes}.
 */
final class DecodedRequest extends DefaultHttpRequest
{
    private final int headLength;

    DecodedRequest(
        final HttpVersion version,
        final HttpMethod method,
        final String uri,
        final HttpHeaders headers,
        final int headLength)
    {
        super(version, method, uri, headers, false);
        this.headLength = headLength;
    }

    /**
     * @return the bytes of the head on the wire.
     */
    int headLength()
    {
        return headLength;
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        return super.equals(o);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return super.hashCode();
    }
}
