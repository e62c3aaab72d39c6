package io.sluice.listener.queue;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.sluice.dispatch.worker.LoopbackProtocol;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The request header fields a handler is given, the same in every hosting model: the client's fields in the client's
 * order, less those that belong to the connection between the client and the listener, which the listener consumed.
 * <p>
 * Removed before any host sees the request (as a proxy does, RFC 9110 7.6.1): {@code Connection} and every field it
 * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Upgrade} and
 * {@code Transfer-Encoding} (hop-by-hop: the body's length is {@code Exchange.contentLength()}, -1 when chunked),
 * and {@code Expect} (the listener answers {@code 100-continue} itself, and refuses any other expectation). The
 * client's {@code Content-Length} stays where it was, as its decimal value. An absolute-form target's authority
 * replaces the {@code Host} value in place. (Client-sent {@code Sluice-*} and {@code X-Forwarded-*} fields never get
 * this far: the front's decoder, {@code http.StrictRequestDecoder}, drops them.) Stateless and thread-safe.
 */
public final class HandlerHeaders
{
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /**
     * The fields removed whatever the request says, besides those {@code Connection} names.
     */
    private static final AsciiString[] CONNECTION_FIELDS = {
        HttpHeaderNames.CONNECTION,
        KEEP_ALIVE,
        PROXY_CONNECTION,
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.EXPECT
    };

    private static final AsciiString H2C = AsciiString.cached("h2c");

    private static final AsciiString SLUICE_PREFIX = LoopbackProtocol.SLUICE_PREFIX;
    private static final AsciiString X_FORWARDED_FOR = LoopbackProtocol.X_FORWARDED_FOR;
    private static final AsciiString X_FORWARDED_PROTO = LoopbackProtocol.X_FORWARDED_PROTO;

    private HandlerHeaders()
    {
    }

    /**
     * The one rule for the request fields only the listener may send: {@code Sluice-*}, {@code X-Forwarded-For} and
     * {@code X-Forwarded-Proto} (the listener vouches for the client's address and scheme itself), in any case and
     * with {@code _} taken as {@code -} (a CGI or WSGI gateway maps both to the same variable, so a client's
     * {@code X_Forwarded_For} must go like its {@code X-Forwarded-For}). A client's copy never reaches a handler in any
     * model: {@code StrictRequestDecoder} drops it as it parses the field, and the loopback forwarder would too.
     *
     * @param name a request field name.
     * @return true when the name is reserved for the listener.
     */
    public static boolean isInternalFieldName(final CharSequence name)
    {
        final int length = name.length();
        if (length >= SLUICE_PREFIX.length() && startsWithLowerCase(name, SLUICE_PREFIX))
        {
            return true;
        }
        return length == X_FORWARDED_FOR.length() && startsWithLowerCase(name, X_FORWARDED_FOR) ||
            length == X_FORWARDED_PROTO.length() && startsWithLowerCase(name, X_FORWARDED_PROTO);
    }

    /**
     * Give a request the {@code Host} of its absolute-form target, in the place of the client's {@code Host} field
     * (after it when the client sent none), so every model sees the fields in the order the client sent them.
     *
     * @param headers the request's fields.
     * @param host    the target's authority.
     */
    public static void replaceHost(final HttpHeaders headers, final CharSequence host)
    {
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> header = it.next();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(header.getKey()))
            {
                header.setValue(host);
                return;
            }
        }
        headers.add(HttpHeaderNames.HOST, host);
    }

    /**
     * Remove the fields no handler sees; called once the listener has read what it needs from them (keep-alive,
     * expectation, framing). Allocates nothing unless {@code Connection} names other fields or the client's
     * {@code Content-Length} has leading zeros.
     *
     * @param headers       the request's fields.
     * @param contentLength of the body, -1 when chunked, 0 for none.
     */
    public static void strip(final HttpHeaders headers, final long contentLength)
    {
        final List<CharSequence> options = connectionOptions(headers);
        if (null != options)
        {
            for (int i = 0; i < options.size(); i++)
            {
                headers.remove(options.get(i));
            }
        }
        for (final AsciiString name : CONNECTION_FIELDS)
        {
            headers.remove(name);
        }
        if (contentLength < 0)
        {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        else
        {
            canonicalContentLength(headers, contentLength);
        }
    }

    /**
     * The protocols a request that may switch protocols asks for, when a host may switch to them: its one
     * {@code Upgrade} field, unless that names {@code h2c} alone (cleartext HTTP/2 is not an upgrade a host answers).
     *
     * @param headers the request's fields, before {@link #strip}.
     * @return the {@code Upgrade} value, or null when the request is not such an upgrade.
     */
    public static String tunnelUpgrade(final HttpHeaders headers)
    {
        final List<String> values = headers.getAll(HttpHeaderNames.UPGRADE);
        if (values.size() != 1)
        {
            return null;
        }
        final String value = values.get(0).trim();
        return value.isEmpty() || H2C.contentEqualsIgnoreCase(value) ? null : value;
    }

    /**
     * Remove the fields no handler sees, as {@link #strip(HttpHeaders, long)} does, except that a request its host
     * may switch to another protocol keeps its {@code Upgrade} field, and its {@code Connection} fields become one
     * {@code Connection: upgrade} in the place of the first (the other options it named are removed as ever).
     *
     * @param headers       the request's fields.
     * @param contentLength of the body, -1 when chunked, 0 for none.
     * @param upgrade       true when the host may answer {@code 101 Switching Protocols}.
     */
    public static void strip(final HttpHeaders headers, final long contentLength, final boolean upgrade)
    {
        if (!upgrade)
        {
            strip(headers, contentLength);
            return;
        }
        final List<CharSequence> options = connectionOptions(headers);
        if (null != options)
        {
            for (int i = 0; i < options.size(); i++)
            {
                if (!HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(options.get(i)))
                {
                    headers.remove(options.get(i));
                }
            }
        }
        for (final AsciiString name : CONNECTION_FIELDS)
        {
            if (name != HttpHeaderNames.CONNECTION && name != HttpHeaderNames.UPGRADE)
            {
                headers.remove(name);
            }
        }
        if (headers.getAll(HttpHeaderNames.CONNECTION).size() > 1)
        {
            headers.remove(HttpHeaderNames.CONNECTION);
            headers.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        else
        {
            final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
            while (it.hasNext())
            {
                final Map.Entry<CharSequence, CharSequence> header = it.next();
                if (HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(header.getKey()))
                {
                    header.setValue(HttpHeaderValues.UPGRADE);
                    break;
                }
            }
        }
        canonicalContentLength(headers, contentLength);
    }

    /**
     * @param name of a header.
     * @return true for the hop-by-hop headers a proxy never forwards: Connection, Keep-Alive, TE, Trailer, Upgrade,
     * Proxy-Connection, Transfer-Encoding.
     */
    public static boolean isHopByHop(final CharSequence name)
    {
        switch (name.length())
        {
            case 2:
                return HttpHeaderNames.TE.contentEqualsIgnoreCase(name);
            case 7:
                return HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name) ||
                    HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name);
            case 10:
                return HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name) ||
                    KEEP_ALIVE.contentEqualsIgnoreCase(name);
            case 16:
                return PROXY_CONNECTION.contentEqualsIgnoreCase(name);
            case 17:
                return HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name);
            default:
                return false;
        }
    }

    /**
     * The extra hop-by-hop headers a request names in its Connection header (RFC 9110 7.6.1), beyond {@code close}
     * and {@code keep-alive}.
     *
     * @param headers the request's fields.
     * @return the names, or null when there are none (the usual case: nothing is allocated).
     */
    public static List<CharSequence> connectionOptions(final HttpHeaders headers)
    {
        List<CharSequence> options = null;
        if (!headers.contains(HttpHeaderNames.CONNECTION))
        {
            return null;
        }
        final Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
        while (values.hasNext())
        {
            final CharSequence value = values.next();
            final int length = value.length();
            int start = 0;
            while (start < length)
            {
                int end = start;
                while (end < length && value.charAt(end) != ',')
                {
                    end++;
                }
                int from = start;
                int to = end;
                while (from < to && value.charAt(from) <= ' ')
                {
                    from++;
                }
                while (to > from && value.charAt(to - 1) <= ' ')
                {
                    to--;
                }
                if (to > from && !isToken(value, from, to, KEEP_ALIVE) &&
                    !isToken(value, from, to, HttpHeaderValues.CLOSE))
                {
                    if (null == options)
                    {
                        options = new ArrayList<>(2);
                    }
                    options.add(value.subSequence(from, to).toString());
                }
                start = end + 1;
            }
        }
        return options;
    }

    private static void canonicalContentLength(final HttpHeaders headers, final long contentLength)
    {
        final CharSequence value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (null == value || value.length() < 2 || value.charAt(0) != '0')
        {
            return;
        }
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> header = it.next();
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(header.getKey()))
            {
                header.setValue(Long.toString(contentLength));
                return;
            }
        }
    }

    private static boolean isToken(
        final CharSequence value, final int from, final int to, final AsciiString token)
    {
        return to - from == token.length() && AsciiString.regionMatches(value, true, from, token, 0, token.length());
    }

    /**
     * Compare a name's start with a lower-case name, ASCII case-insensitively and with {@code _} taken as {@code -}.
     */
    private static boolean startsWithLowerCase(final CharSequence name, final AsciiString prefix)
    {
        for (int i = 0; i < prefix.length(); i++)
        {
            final char c = name.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? c + 32 : '_' == c ? '-' : c) != prefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
