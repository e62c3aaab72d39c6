package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.worker.LoopbackProtocol;
import io.sluice.listener.queue.HandlerHeaders;
import io.sluice.listener.queue.ResponseHeads;
import io.sluice.listener.routing.RequestTargets;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes what the loopback proxy sends and relays, as bytes and without intermediate objects: the forwarded request
 * head (hop-by-hop headers and client-sent {@code Sluice-*} / {@code X-Forwarded-*} removed, the client's
 * {@code Content-Length} in its place, then the listener's own: {@code X-Forwarded-For} first, so a worker can tell
 * them from the client's, then {@code X-Forwarded-Proto} ({@code https} followed by the TLS facts of
 * {@link TlsInfo} for a request over TLS), {@code Sluice-Appl-Path}, the framing the client did not send, and the
 * token)
 * and the relayed response headers (hop-by-hop and framing headers removed: the listener frames the response itself).
 * Stateless and thread-safe.
 */
final class LoopbackHeaders
{
    /**
     * First capacity of a forwarded request head; the buffer grows when a head is larger: {@value} bytes.
     */
    static final int REQUEST_HEAD_LENGTH_ESTIMATE = 512;

    static final AsciiString SLUICE_TOKEN = LoopbackProtocol.SLUICE_TOKEN;
    static final AsciiString SLUICE_EVENT = LoopbackProtocol.SLUICE_EVENT;
    static final AsciiString SLUICE_APPL_PATH = LoopbackProtocol.SLUICE_APPL_PATH;
    static final AsciiString X_FORWARDED_FOR = LoopbackProtocol.X_FORWARDED_FOR;
    static final AsciiString X_FORWARDED_PROTO = LoopbackProtocol.X_FORWARDED_PROTO;

    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString TLS_PROTOCOL = AsciiString.cached(TlsInfo.PROTOCOL_FIELD);
    private static final AsciiString TLS_CIPHER = AsciiString.cached(TlsInfo.CIPHER_FIELD);
    private static final AsciiString TLS_SERVER_NAME = AsciiString.cached(TlsInfo.SERVER_NAME_FIELD);
    private static final AsciiString CLIENT_CERT = AsciiString.cached(TlsInfo.CLIENT_CERT_FIELD);
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final byte[] HTTP_1_1_LINE_END = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private LoopbackHeaders()
    {
    }

    /**
     * Encode the head of a request forwarded to a worker, all but its last line: the caller ends it with
     * {@link #tokenLine(String)} once it knows the worker.
     *
     * @param alloc           for the buffer.
     * @param request         the client's request head.
     * @param contentLength   of the body, -1 for chunked, 0 for none.
     * @param remoteAddress   the client's address, sent as {@code X-Forwarded-For}.
     * @param applicationPath the path of the prefix the request matched, sent as {@code Sluice-Appl-Path}.
     * @param tls             the TLS facts of the client's connection, or null for cleartext: sent as
     *                        {@code X-Forwarded-Proto: https} and the {@link TlsInfo} fields.
     * @return the head, owned by the caller.
     */
    static ByteBuf encodeRequestHead(
        final ByteBufAllocator alloc,
        final HttpRequest request,
        final long contentLength,
        final String remoteAddress,
        final String applicationPath,
        final TlsInfo tls)
    {
        return encodeRequestHead(alloc, request, contentLength, remoteAddress, applicationPath, tls, false);
    }

    /**
     * Encode the head of a request forwarded to a worker, as {@link #encodeRequestHead(ByteBufAllocator, HttpRequest,
     * long, String, String, TlsInfo)} does; a request that may switch protocols keeps its {@code Upgrade} and
     * {@code Connection: upgrade} fields, in their places.
     *
     * @param alloc           for the buffer.
     * @param request         the client's request head.
     * @param contentLength   of the body, -1 for chunked, 0 for none.
     * @param remoteAddress   the client's address, sent as {@code X-Forwarded-For}.
     * @param applicationPath the path of the prefix the request matched, sent as {@code Sluice-Appl-Path}.
     * @param tls             the TLS facts of the client's connection, or null for cleartext.
     * @param upgrade         true when the worker may answer {@code 101 Switching Protocols}.
     * @return the head, owned by the caller.
     */
    static ByteBuf encodeRequestHead(
        final ByteBufAllocator alloc,
        final HttpRequest request,
        final long contentLength,
        final String remoteAddress,
        final String applicationPath,
        final TlsInfo tls,
        final boolean upgrade)
    {
        final ByteBuf buf = alloc.directBuffer(REQUEST_HEAD_LENGTH_ESTIMATE);
        buf.writeCharSequence(request.method().asciiName(), StandardCharsets.ISO_8859_1);
        buf.writeByte(' ');
        final String uri = request.uri();
        final CharSequence target = RequestTargets.isAbsoluteForm(uri) ? RequestTargets.pathAndQuery(uri) : uri;
        buf.writeCharSequence(null == target ? uri : target, StandardCharsets.ISO_8859_1);
        buf.writeBytes(HTTP_1_1_LINE_END);

        final HttpHeaders headers = request.headers();
        final List<CharSequence> connectionOptions = HandlerHeaders.connectionOptions(headers);
        boolean lengthSent = false;
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> header = it.next();
            final CharSequence name = header.getKey();
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
            {
                // the client's own, in its place, as the handlers of the other models see it
                if (contentLength >= 0 && !lengthSent && !isListed(connectionOptions, name))
                {
                    ResponseHeads.header(buf, name, contentLength);
                    lengthSent = true;
                }
            }
            else if (upgrade && isUpgradeField(name) ||
                !isStrippedRequestHeader(name) && !isListed(connectionOptions, name))
            {
                ResponseHeads.header(buf, name, header.getValue());
            }
        }

        // the listener's fields follow the client's, X-Forwarded-For first: a worker tells them apart by position
        ResponseHeads.header(buf, X_FORWARDED_FOR, remoteAddress);
        if (null == tls)
        {
            ResponseHeads.header(buf, X_FORWARDED_PROTO, HTTP);
        }
        else
        {
            ResponseHeads.header(buf, X_FORWARDED_PROTO, HTTPS);
            ResponseHeads.header(buf, TLS_PROTOCOL, tls.protocol());
            ResponseHeads.header(buf, TLS_CIPHER, tls.cipher());
            if (null != tls.serverName())
            {
                ResponseHeads.header(buf, TLS_SERVER_NAME, tls.serverName());
            }
            if (null != tls.clientCertificateField())
            {
                ResponseHeads.header(buf, CLIENT_CERT, tls.clientCertificateField());
            }
        }
        if (null != applicationPath)
        {
            ResponseHeads.header(buf, SLUICE_APPL_PATH, applicationPath);
        }
        if (contentLength < 0)
        {
            ResponseHeads.header(buf, HttpHeaderNames.TRANSFER_ENCODING, CHUNKED);
        }
        else if (!lengthSent)
        {
            // explicit framing even without a body: the worker's decoder must not guess (e.g. legacy WebSocket keys)
            ResponseHeads.header(buf, HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        return buf;
    }

    /**
     * @param token the worker's secret.
     * @return the bytes that end a forwarded request head: the {@code Sluice-Token} line and the blank line.
     */
    static byte[] tokenLine(final String token)
    {
        return (SLUICE_TOKEN + ": " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Copy a worker's response headers into a response head, less hop-by-hop and framing headers, checking each as
     * {@link ResponseHeads#checkedHeader(ByteBuf, CharSequence, CharSequence)} does.
     *
     * @param head    the head being written (after its status line).
     * @param headers the worker's response headers.
     * @return false when a header name is not a token or a value holds a control character: the response must not
     * be sent.
     */
    static boolean copyResponseHeaders(final ByteBuf head, final HttpHeaders headers)
    {
        final Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> header = it.next();
            final CharSequence name = header.getKey();
            if (!isHopByHop(name) && !ResponseHeads.checkedHeader(head, name, header.getValue()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param name of a header.
     * @return true for the hop-by-hop headers a proxy never forwards: Connection, Keep-Alive, TE, Trailer, Upgrade,
     * Proxy-Connection, Transfer-Encoding.
     */
    static boolean isHopByHop(final CharSequence name)
    {
        return HandlerHeaders.isHopByHop(name);
    }

    /**
     * @param name of a request header.
     * @return true when the proxy drops it: hop-by-hop, {@code Expect} (the listener answers 100-continue itself),
     * and any client-sent {@code Sluice-*}, {@code X-Forwarded-For} or {@code X-Forwarded-Proto}, which only the
     * listener may set ({@link HandlerHeaders#isInternalFieldName}).
     */
    static boolean isStrippedRequestHeader(final CharSequence name)
    {
        if (isHopByHop(name))
        {
            return true;
        }
        final int length = name.length();
        if (length == 6)
        {
            return HttpHeaderNames.EXPECT.contentEqualsIgnoreCase(name);
        }
        return HandlerHeaders.isInternalFieldName(name);
    }

    private static boolean isUpgradeField(final CharSequence name)
    {
        return HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name) ||
            HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name);
    }

    private static boolean isListed(final List<CharSequence> options, final CharSequence name)
    {
        if (null == options)
        {
            return false;
        }
        for (int i = 0; i < options.size(); i++)
        {
            if (AsciiString.contentEqualsIgnoreCase(options.get(i), name))
            {
                return true;
            }
        }
        return false;
    }
}
