package io.sluice.listener.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.sluice.listener.queue.ResponseHeads;

import java.util.Map;

/**
 * An HTTP/2 request head ({@code HEADERS}, decoded by Netty's HPACK decoder, which already checked the header list
 * size, lower-case names, pseudo-header order and connection-specific fields) as the HTTP/1.1-shaped head every host
 * takes: method and target from {@code :method} and {@code :path}, {@code :authority} in the {@code Host} field's
 * place (a client's own {@code host} field then dropped), {@code cookie} crumbs joined with {@code "; "} (RFC 9113
 * 8.2.3), the other fields in the order the client sent them; a body without {@code content-length} is marked
 * {@code transfer-encoding: chunked}, as the front takes an HTTP/1.1 body of unknown length. The limits of HTTP/1.1
 * hold: a target longer than {@code maxUrlLength} is 414, a field longer than {@code maxFieldLength} 431, a method
 * that is not a token, a missing {@code :path} or a value with a control character 400. Stateless.
 */
final class Http2Requests
{
    private static final String COOKIE_SEPARATOR = "; ";

    private Http2Requests()
    {
    }

    /**
     * @param headers        the decoded head.
     * @param endStream      true when the head ends the stream: no body.
     * @param maxUrlLength   longest {@code :path}.
     * @param maxFieldLength longest field, name and value.
     * @return the head as an HTTP/1.1 request (version 1.1), to judge with {@link RequestAdmission}.
     * @throws HttpStatusException with 400, 414 or 431 when the head breaks a rule.
     */
    static HttpRequest toRequest(
        final Http2Headers headers, final boolean endStream, final int maxUrlLength, final int maxFieldLength)
    {
        final CharSequence method = headers.method();
        final CharSequence path = headers.path();
        if (null == method || !ResponseHeads.isToken(method))
        {
            throw new HttpStatusException(400, "bad request: missing or invalid :method");
        }
        if (HttpMethod.CONNECT.name().contentEquals(method))
        {
            throw new HttpStatusException(501, "not implemented: CONNECT");
        }
        if (null == path || path.length() == 0)
        {
            throw new HttpStatusException(400, "bad request: missing :path");
        }
        if (path.length() > maxUrlLength)
        {
            throw new HttpStatusException(414, "URI too long: request target over the limit: limit=" + maxUrlLength);
        }
        checkValue(path);

        final HttpHeaders fields = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        final CharSequence authority = headers.authority();
        if (null != authority)
        {
            checkField(HttpHeaderNames.HOST, authority, maxFieldLength);
            fields.add(HttpHeaderNames.HOST, authority);
        }
        boolean contentLength = false;
        StringBuilder cookie = null;
        for (final Map.Entry<CharSequence, CharSequence> field : headers)
        {
            final CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':')
            {
                continue;
            }
            final CharSequence value = field.getValue();
            checkField(name, value, maxFieldLength);
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name) && null != authority)
            {
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name))
            {
                cookie = null == cookie ? new StringBuilder(value) : cookie.append(COOKIE_SEPARATOR).append(value);
                continue;
            }
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
            {
                if (contentLength || !isDigits(value))
                {
                    throw new HttpStatusException(400, "bad request: invalid content-length");
                }
                contentLength = true;
            }
            fields.add(name, value);
        }
        if (null != cookie)
        {
            checkField(HttpHeaderNames.COOKIE, cookie, maxFieldLength);
            fields.add(HttpHeaderNames.COOKIE, cookie.toString());
        }
        if (endStream)
        {
            fields.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        else if (!contentLength)
        {
            fields.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), path.toString(), fields);
    }

    private static void checkField(final CharSequence name, final CharSequence value, final int maxFieldLength)
    {
        if (name.length() + value.length() + 2 > maxFieldLength)
        {
            throw new HttpStatusException(
                431, "request header fields too large: a field over the limit: limit=" + maxFieldLength);
        }
        checkValue(value);
    }

    private static void checkValue(final CharSequence value)
    {
        if (!ResponseHeads.isFieldValue(value))
        {
            throw new HttpStatusException(400, "bad request: invalid character in a header field");
        }
    }

    private static boolean isDigits(final CharSequence value)
    {
        final int length = value.length();
        if (length == 0 || length > 18)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }
}
