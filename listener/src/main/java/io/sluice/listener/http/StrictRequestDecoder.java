package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import io.netty.util.CharsetUtil;
import io.sluice.listener.queue.HandlerHeaders;

import java.util.List;

import static io.sluice.listener.http.HttpGrammar.CHUNKED;
import static io.sluice.listener.http.HttpGrammar.CLOSE;
import static io.sluice.listener.http.HttpGrammar.CR;
import static io.sluice.listener.http.HttpGrammar.FIELD_CHAR;
import static io.sluice.listener.http.HttpGrammar.HTAB;
import static io.sluice.listener.http.HttpGrammar.KEEP_ALIVE;
import static io.sluice.listener.http.HttpGrammar.LF;
import static io.sluice.listener.http.HttpGrammar.SP;
import static io.sluice.listener.http.HttpGrammar.TCHAR;
import static io.sluice.listener.http.HttpGrammar.UPGRADE;
import static io.sluice.listener.http.HttpGrammar.VCHAR;
import static io.sluice.listener.http.HttpGrammar.badRequest;
import static io.sluice.listener.http.HttpGrammar.equalsIgnoreCase;
import static io.sluice.listener.http.HttpGrammar.fieldName;
import static io.sluice.listener.http.HttpGrammar.isDigit;
import static io.sluice.listener.http.HttpGrammar.isOws;
import static io.sluice.listener.http.HttpGrammar.method;
import static io.sluice.listener.http.HttpGrammar.parseChunkSizeLine;
import static io.sluice.listener.http.HttpGrammar.scan;
import static io.sluice.listener.http.HttpGrammar.skipOws;
import static io.sluice.listener.http.HttpGrammar.version;

/**
 * A strict RFC 9112 HTTP/1.1 request decoder for a front that other servers sit behind: anything a lenient parser
 * and a strict one could read differently is refused, so no request can be smuggled past it.
 * <p>
 * <b>Messages emitted</b>, per request: one {@link io.netty.handler.codec.http.HttpRequest} (a
 * {@link DefaultHttpRequest}: method, request-target exactly as received, HTTP/1.0 or HTTP/1.1, the field lines in
 * order with names as received and values trimmed of surrounding whitespace); then, for a body, zero or more
 * {@link DefaultHttpContent} pieces of at most {@link StrictDecoderConfig#maxChunkSize()} bytes; then one
 * {@link LastHttpContent}. A Content-Length body's final piece travels in the {@link LastHttpContent}; a chunked
 * body ends with an empty {@link LastHttpContent} carrying the trailer fields, if any; a request without a body is
 * followed by {@link LastHttpContent#EMPTY_LAST_CONTENT}. Body content is a retained slice of the received bytes
 * (zero-copy): whoever receives a content message owns it and releases it.
 * <p>
 * <b>Refusals.</b> A malformed request is emitted as a {@link DefaultHttpRequest} whose
 * {@link DecoderResult#cause()} is an {@link HttpStatusException} carrying the status to answer (400, 413, 414, 431,
 * 501 or 505), or, once the request has been emitted (a malformed or too large chunked body), as a
 * {@link LastHttpContent} with such a failed result. Nothing is emitted after a refusal: every further byte on the
 * connection is discarded, so no request hidden behind a malformed one is ever processed. The same holds after a
 * request that ends the connection ({@code Connection: close}, or HTTP/1.0 without {@code keep-alive}), as RFC 9112
 * 9.6 requires.
 * <p>
 * <b>Rules.</b> Request line: {@code method SP request-target SP HTTP-version CRLF}, the method a token, the target
 * visible ASCII, the version exactly {@code HTTP/1.1} or {@code HTTP/1.0} (another {@code HTTP/d.d} is 505); up to
 * {@value #MAX_LEADING_EMPTY_LINES} empty lines before it are skipped. Field lines: a token name directly followed by
 * a colon, a value of HTAB, SP, VCHAR and obs-text only; no line folding, no whitespace before a field line; every
 * line ends with CRLF (a bare CR or LF anywhere is 400). Framing (RFC 9112 6): Transfer-Encoding with Content-Length,
 * Transfer-Encoding in HTTP/1.0, a transfer coding list not ending in one {@code chunked}, more than one
 * Content-Length field or a Content-Length that is not digits are 400; {@code <coding>, chunked} is 501. Chunked
 * body: hex chunk sizes of at most 16 digits, chunk extensions of the RFC grammar, CRLF after every chunk, trailer
 * fields checked as header fields (and never Content-Length or Transfer-Encoding). A request with neither
 * Content-Length nor Transfer-Encoding has no body.
 * <p>
 * <b>Limits</b> ({@link StrictDecoderConfig}): request line (414), request-target (414), one field line (431, as
 * HTTP.sys MaxFieldLength), request line plus header section (431, as HTTP.sys MaxRequestBytes), body (413: a
 * Content-Length over it is refused before any body byte is read; a chunked body as soon as a chunk would pass it),
 * trailer section (431), chunk-size line (400, bounded by the request line limit). A line too long for both the field
 * limit and what is left of its section is refused as soon as it passes the smaller of the two.
 * <p>
 * The grammar's character tables and byte helpers are {@link HttpGrammar}'s.
 * <p>
 * <b>Cost model.</b> The end of each head line is found by a {@link ByteProcessor} scan of the cumulation (a line
 * arriving in pieces is not rescanned); the complete line is then copied once into a reusable array, which is
 * validated and cut into the strings the request carries. Common methods and header names are shared constants.
 * Body bytes are never copied.
 * <p>
 * <b>Pipeline position</b>: first after the socket; then a handler consuming {@code HttpRequest}/{@code HttpContent}
 * (here {@link HttpConnectionHandler}). One instance per connection; event-loop confined.
 */
public final class StrictRequestDecoder extends ByteToMessageDecoder
{
    /**
     * Most empty lines (CRLF) skipped before a request line (RFC 9112 2.2); one more is refused with 400.
     */
    public static final int MAX_LEADING_EMPTY_LINES = 4;

    /**
     * Most hex digits in a chunk size; more is refused with 400.
     */
    public static final int MAX_CHUNK_SIZE_DIGITS = 16;

    /**
     * Request-target of a refused request whose request line could not be read.
     */
    public static final String BAD_REQUEST_URI = "/bad-request";

    /**
     * What a refusal for one header field line over {@code maxFieldLength} calls it: its message starts so.
     */
    static final String FIELD_LINE = "header field";

    private static final int NEED_MORE = -1;
    private static final int INITIAL_LINE_BUFFER_LENGTH = 256;
    private static final DefaultHttpHeadersFactory HEADERS_FACTORY =
        DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final DefaultHttpHeadersFactory TRAILERS_FACTORY =
        DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private enum State
    {
        REQUEST_LINE, HEADERS, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, DISCARD, UPGRADE_WAIT,
        TUNNEL
    }

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final int maxFieldLength;
    private final int maxUrlLength;
    private final long maxRequestBodySize;
    private final int maxChunkSize;

    private byte[] line = new byte[INITIAL_LINE_BUFFER_LENGTH];
    private State state = State.REQUEST_LINE;
    private int scanOffset;
    private int emptyLineCount;
    private int headSize;
    private boolean requestEmitted;

    private HttpMethod method;
    private String uri;
    private HttpVersion version;
    private HttpHeaders headers;
    private HttpHeaders trailers;
    private int trailerSize;

    private int contentLengthCount;
    private long contentLength;
    private boolean transferEncoding;
    private boolean chunkedLast;
    private boolean otherCoding;
    private boolean invalidCoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean keepAlive;
    private boolean connectionUpgrade;
    private boolean upgradeField;
    private boolean holdUpgrades;

    private long remaining;
    private long bodySize;

    /**
     * A decoder with the default limits.
     */
    public StrictRequestDecoder()
    {
        this(new StrictDecoderConfig());
    }

    /**
     * @param config limits; copied, so later changes to it do not affect this decoder.
     */
    public StrictRequestDecoder(final StrictDecoderConfig config)
    {
        this.maxInitialLineLength = config.maxInitialLineLength();
        this.maxHeaderSize = config.maxHeaderSize();
        this.maxFieldLength = config.maxFieldLength();
        this.maxUrlLength = config.maxUrlLength();
        this.maxRequestBodySize = config.maxRequestBodySize();
        this.maxChunkSize = config.maxChunkSize();
    }

    /**
     * @return true between requests with no byte of the next one received yet (not even an empty line before it);
     * false inside a request, and after a refusal or a request that ends the connection.
     */
    public boolean isAwaitingRequest()
    {
        return State.REQUEST_LINE == state && 0 == emptyLineCount && !internalBuffer().isReadable();
    }

    /**
     * @return true when part of a request head (request line or header section) has arrived but not all of it.
     */
    public boolean isReceivingHead()
    {
        return State.HEADERS == state || (State.REQUEST_LINE == state && !isAwaitingRequest());
    }

    /**
     * Hold the bytes after an upgrade request: from now on, a request that may switch protocols (RFC 9110 7.8: HTTP/1.1
     * {@code GET} without a body, kept alive, with an {@code Upgrade} field and {@code upgrade} among its
     * {@code Connection} options) is emitted as a request without a body, and the decoder then emits nothing more until
     * the connection decides: {@link #upgradeDeclined()} (the bytes after it are requests again) or
     * {@link #upgradeAccepted()} (they are the tunnel's). Off by default (a connection that never decides, as the
     * admin port, would wait for ever).
     */
    public void holdUpgrades()
    {
        holdUpgrades = true;
    }

    /**
     * @return true while the decoder holds the bytes after an upgrade request, waiting for the connection to decide.
     */
    public boolean isUpgradePending()
    {
        return State.UPGRADE_WAIT == state;
    }

    /**
     * The upgrade request was answered otherwise than by switching protocols: the bytes after it are decoded as
     * requests again (or discarded when the request ended the connection). The caller has the held bytes decoded
     * ({@link #decodeHeld}).
     */
    public void upgradeDeclined()
    {
        if (State.UPGRADE_WAIT == state)
        {
            state = State.REQUEST_LINE;
        }
    }

    /**
     * The upgrade request was answered {@code 101 Switching Protocols}: every byte after it, held or still to come, is
     * the tunnel's, emitted as {@link DefaultHttpContent} pieces (never parsed as HTTP, not held to the body limit);
     * the end of the client's input ({@code ChannelInputShutdownEvent}, with half-closure allowed) is emitted as
     * {@link LastHttpContent#EMPTY_LAST_CONTENT}. The caller has the held bytes decoded ({@link #decodeHeld}).
     */
    public void upgradeAccepted()
    {
        if (State.UPGRADE_WAIT == state)
        {
            state = State.TUNNEL;
        }
    }

    /**
     * @return true once the connection is a tunnel ({@link #upgradeAccepted()}).
     */
    public boolean isTunnel()
    {
        return State.TUNNEL == state;
    }

    /**
     * Decode the bytes held while an upgrade was pending, now that it was decided; call outside this decoder's own
     * {@code channelRead} (e.g. from a task on the event loop).
     *
     * @param ctx this decoder's context.
     */
    public void decodeHeld(final ChannelHandlerContext ctx)
    {
        if (null == ctx || ctx.isRemoved())
        {
            return;
        }
        try
        {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
        }
        catch (final Exception ex)
        {
            ctx.fireExceptionCaught(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    protected void decodeLast(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        throws Exception
    {
        if (State.TUNNEL == state)
        {
            if (in.isReadable())
            {
                tunnelBytes(in, out);
            }
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.DISCARD;
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    /**
     * {@inheritDoc}
     */
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        try
        {
            boolean progress = true;
            while (progress && in.isReadable())
            {
                progress = step(in, out);
            }
        }
        catch (final HttpStatusException ex)
        {
            refuse(in, out, ex);
        }
    }

    private boolean step(final ByteBuf in, final List<Object> out)
    {
        switch (state)
        {
            case REQUEST_LINE:
                return requestLine(in);
            case HEADERS:
                return headerLine(in, out);
            case FIXED_BODY:
                return fixedBody(in, out);
            case CHUNK_SIZE:
                return chunkSizeLine(in);
            case CHUNK_DATA:
                return chunkData(in, out);
            case CHUNK_DATA_END:
                return chunkDataEnd(in);
            case TRAILERS:
                return trailerLine(in, out);
            case UPGRADE_WAIT:
                return false;
            case TUNNEL:
                return tunnelBytes(in, out);
            default:
                in.skipBytes(in.readableBytes());
                return false;
        }
    }

    private boolean requestLine(final ByteBuf in)
    {
        if (0 == scanOffset && !skipEmptyLines(in))
        {
            return false;
        }

        final int lineLimit = Math.min(maxInitialLineLength, maxHeaderSize - 2);
        final int length = lineLength(in, lineLimit, maxInitialLineLength == lineLimit ? 414 : 431, "request line");
        if (NEED_MORE == length)
        {
            return false;
        }

        parseRequestLine(copyLine(in, length), length);
        in.skipBytes(length + 2);
        headSize = length + 2;
        state = State.HEADERS;
        return true;
    }

    private boolean skipEmptyLines(final ByteBuf in)
    {
        while (in.isReadable())
        {
            final int index = in.readerIndex();
            final byte first = in.getByte(index);
            if (LF == first)
            {
                throw badRequest("bare LF before request line");
            }
            if (CR != first)
            {
                if (!HttpGrammar.is(first, TCHAR))
                {
                    // a request line never starts so (e.g. a TLS handshake on a cleartext port): answer now rather
                    // than wait for a line end that may never come
                    throw badRequest("invalid request line: method is not a token followed by one SP");
                }
                return true;
            }
            if (in.readableBytes() < 2)
            {
                return false;
            }
            if (LF != in.getByte(index + 1))
            {
                throw badRequest("bare CR before request line");
            }
            if (++emptyLineCount > MAX_LEADING_EMPTY_LINES)
            {
                throw badRequest("too many empty lines before request line");
            }
            in.skipBytes(2);
        }
        return false;
    }

    private void parseRequestLine(final byte[] bytes, final int end)
    {
        final int methodEnd = scan(bytes, 0, end, TCHAR);
        if (0 == methodEnd || end == methodEnd || SP != bytes[methodEnd])
        {
            throw badRequest("invalid request line: method is not a token followed by one SP");
        }
        method = method(bytes, methodEnd);

        final int targetStart = methodEnd + 1;
        final int targetEnd = scan(bytes, targetStart, end, VCHAR);
        if (targetStart == targetEnd || end == targetEnd || SP != bytes[targetEnd])
        {
            throw badRequest("invalid request line: request-target is not visible ASCII followed by one SP");
        }

        version = version(bytes, targetEnd + 1, end);
        if (targetEnd - targetStart > maxUrlLength)
        {
            throw new HttpStatusException(414, "request-target over the limit: limit=" + maxUrlLength);
        }
        uri = new String(bytes, targetStart, targetEnd - targetStart, CharsetUtil.ISO_8859_1);
        headers = HEADERS_FACTORY.newHeaders();
    }

    private boolean headerLine(final ByteBuf in, final List<Object> out)
    {
        final int length = fieldLineLength(in, maxHeaderSize - headSize - 2, "request header section");
        if (NEED_MORE == length)
        {
            return false;
        }

        if (0 == length)
        {
            in.skipBytes(2);
            headSize += 2;
            endOfHead(out);
            return true;
        }

        parseField(copyLine(in, length), length, false);
        in.skipBytes(length + 2);
        headSize += length + 2;
        return true;
    }

    private void endOfHead(final List<Object> out)
    {
        boolean chunked = false;
        if (transferEncoding)
        {
            if (contentLengthCount > 0)
            {
                throw badRequest("both Transfer-Encoding and Content-Length");
            }
            if (HttpVersion.HTTP_1_0 == version)
            {
                throw badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (invalidCoding || !chunkedLast)
            {
                throw badRequest("Transfer-Encoding does not end in one chunked coding");
            }
            if (otherCoding)
            {
                throw new HttpStatusException(501, "transfer coding not implemented: only chunked is");
            }
            chunked = true;
        }
        else if (contentLength > maxRequestBodySize)
        {
            throw new HttpStatusException(413, "Content-Length over the limit: limit=" + maxRequestBodySize);
        }

        keepAlive = !connectionClose && (HttpVersion.HTTP_1_1 == version || connectionKeepAlive);
        out.add(new DecodedRequest(version, method, uri, headers, headSize));
        requestEmitted = true;

        if (chunked)
        {
            bodySize = 0;
            state = State.CHUNK_SIZE;
        }
        else if (contentLength > 0)
        {
            remaining = contentLength;
            state = State.FIXED_BODY;
        }
        else
        {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            final boolean upgrade = holdUpgrades && isUpgradeRequest();
            endOfRequest();
            if (upgrade)
            {
                state = State.UPGRADE_WAIT;
            }
        }
    }

    /**
     * A request that may switch protocols (RFC 9110 7.8): HTTP/1.1 {@code GET} without a body, kept alive, with an
     * {@code Upgrade} field and {@code upgrade} among its {@code Connection} options.
     */
    private boolean isUpgradeRequest()
    {
        return connectionUpgrade && upgradeField && keepAlive && HttpVersion.HTTP_1_1 == version &&
            HttpMethod.GET.equals(method);
    }

    private boolean tunnelBytes(final ByteBuf in, final List<Object> out)
    {
        out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
        return false;
    }

    private boolean fixedBody(final ByteBuf in, final List<Object> out)
    {
        final int length = (int)Math.min(Math.min(remaining, in.readableBytes()), maxChunkSize);
        final ByteBuf piece = in.readRetainedSlice(length);
        remaining -= length;
        if (0 == remaining)
        {
            out.add(new DefaultLastHttpContent(piece, EmptyHttpHeaders.INSTANCE));
            endOfRequest();
        }
        else
        {
            out.add(new DefaultHttpContent(piece));
        }
        return true;
    }

    private boolean chunkSizeLine(final ByteBuf in)
    {
        final int length = lineLength(in, maxInitialLineLength, 400, "chunk-size line");
        if (NEED_MORE == length)
        {
            return false;
        }

        final long size = parseChunkSizeLine(copyLine(in, length), length);
        in.skipBytes(length + 2);
        if (0 == size)
        {
            trailerSize = 0;
            state = State.TRAILERS;
        }
        else
        {
            if (size > maxRequestBodySize - bodySize)
            {
                throw new HttpStatusException(413, "chunked body over the limit: limit=" + maxRequestBodySize);
            }
            bodySize += size;
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean chunkData(final ByteBuf in, final List<Object> out)
    {
        final int length = (int)Math.min(Math.min(remaining, in.readableBytes()), maxChunkSize);
        out.add(new DefaultHttpContent(in.readRetainedSlice(length)));
        remaining -= length;
        if (0 == remaining)
        {
            state = State.CHUNK_DATA_END;
        }
        return true;
    }

    private boolean chunkDataEnd(final ByteBuf in)
    {
        final int index = in.readerIndex();
        if (CR != in.getByte(index))
        {
            throw badRequest("chunk data not followed by CRLF");
        }
        if (in.readableBytes() < 2)
        {
            return false;
        }
        if (LF != in.getByte(index + 1))
        {
            throw badRequest("chunk data not followed by CRLF");
        }
        in.skipBytes(2);
        state = State.CHUNK_SIZE;
        return true;
    }

    private boolean trailerLine(final ByteBuf in, final List<Object> out)
    {
        final int length = fieldLineLength(in, maxHeaderSize - trailerSize - 2, "trailer section");
        if (NEED_MORE == length)
        {
            return false;
        }

        if (0 == length)
        {
            in.skipBytes(2);
            out.add(null == trailers ?
                LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
            endOfRequest();
            return true;
        }

        if (null == trailers)
        {
            trailers = TRAILERS_FACTORY.newHeaders();
        }
        parseField(copyLine(in, length), length, true);
        in.skipBytes(length + 2);
        trailerSize += length + 2;
        return true;
    }

    /**
     * Find the end of a field line (or of the empty line ending its section): 431 past the field line limit or past
     * what is left of the section's limit, whichever is smaller, named after the limit that binds.
     */
    private int fieldLineLength(final ByteBuf in, final int sectionLeft, final String section)
    {
        return maxFieldLength <= sectionLeft ?
            lineLength(in, maxFieldLength, 431, FIELD_LINE) : lineLength(in, sectionLeft, 431, section);
    }

    /**
     * Find the end of the line at the reader index without consuming it.
     *
     * @return the line's length without its CRLF, or {@link #NEED_MORE} if its end has not arrived yet.
     * @throws HttpStatusException with {@code tooLongStatus} past {@code limit}, or 400 for a bare CR or LF.
     */
    private int lineLength(final ByteBuf in, final int limit, final int tooLongStatus, final String what)
    {
        final int start = in.readerIndex();
        final int readable = in.readableBytes();
        final int found = scanOffset < readable ?
            in.forEachByte(start + scanOffset, readable - scanOffset, ByteProcessor.FIND_CRLF) : -1;
        if (found < 0)
        {
            if (readable > limit)
            {
                throw new HttpStatusException(tooLongStatus, what + " over the limit");
            }
            scanOffset = readable;
            return NEED_MORE;
        }

        final int length = found - start;
        if (length > limit)
        {
            throw new HttpStatusException(tooLongStatus, what + " over the limit");
        }
        if (LF == in.getByte(found))
        {
            throw badRequest("bare LF in " + what);
        }
        if (length + 1 == readable)
        {
            scanOffset = length;
            return NEED_MORE;
        }
        if (LF != in.getByte(found + 1))
        {
            throw badRequest("bare CR in " + what);
        }
        scanOffset = 0;
        return length;
    }

    private byte[] copyLine(final ByteBuf in, final int length)
    {
        if (line.length < length)
        {
            line = new byte[Math.max(length, line.length << 1)];
        }
        in.getBytes(in.readerIndex(), line, 0, length);
        return line;
    }

    private void parseField(final byte[] bytes, final int end, final boolean trailer)
    {
        final byte first = bytes[0];
        if (SP == first || HTAB == first)
        {
            throw badRequest("field line starts with whitespace (obs-fold)");
        }
        final int colon = scan(bytes, 0, end, TCHAR);
        if (0 == colon || end == colon || ':' != bytes[colon])
        {
            throw badRequest("invalid field name: not a token followed by ':'");
        }
        if (scan(bytes, colon + 1, end, FIELD_CHAR) != end)
        {
            throw badRequest("invalid character in field value");
        }
        final int valueStart = skipOws(bytes, colon + 1, end);
        int valueEnd = end;
        while (valueEnd > valueStart && isOws(bytes[valueEnd - 1]))
        {
            valueEnd--;
        }

        final AsciiString name = fieldName(bytes, colon);
        if (HandlerHeaders.isInternalFieldName(name))
        {
            // Sluice-* and X-Forwarded-For/-Proto (any case, '_' for '-') are the listener's to send; a client's
            // copy is dropped, in every model
            return;
        }
        if (trailer)
        {
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name) ||
                HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name))
            {
                throw badRequest("framing field in trailer section: " + name);
            }
        }
        else
        {
            framingField(bytes, name, valueStart, valueEnd);
        }

        final String value = valueEnd == valueStart ?
            "" : new String(bytes, valueStart, valueEnd - valueStart, CharsetUtil.ISO_8859_1);
        (trailer ? trailers : headers).add(name, value);
    }

    private void framingField(final byte[] bytes, final AsciiString name, final int valueStart, final int valueEnd)
    {
        if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
        {
            contentLength(bytes, valueStart, valueEnd);
        }
        else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name))
        {
            transferEncoding = true;
            listElements(bytes, valueStart, valueEnd, true);
        }
        else if (HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name))
        {
            listElements(bytes, valueStart, valueEnd, false);
        }
        else if (HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name))
        {
            upgradeField = true;
        }
    }

    private void contentLength(final byte[] bytes, final int start, final int end)
    {
        if (++contentLengthCount > 1)
        {
            throw badRequest("more than one Content-Length");
        }
        if (start == end)
        {
            throw badRequest("empty Content-Length");
        }
        long length = 0;
        for (int i = start; i < end; i++)
        {
            final byte b = bytes[i];
            if (!isDigit(b))
            {
                throw badRequest("Content-Length is not digits");
            }
            final int digit = b - '0';
            // Saturate: any value past the body limit is refused with 413 at the end of the head, however long.
            length = length > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : length * 10 + digit;
        }
        contentLength = length;
    }

    private void listElements(final byte[] bytes, final int start, final int end, final boolean transferCodings)
    {
        int index = start;
        while (index <= end)
        {
            int elementEnd = index;
            while (elementEnd < end && ',' != bytes[elementEnd])
            {
                elementEnd++;
            }
            final int elementStart = skipOws(bytes, index, elementEnd);
            int trimmedEnd = elementEnd;
            while (trimmedEnd > elementStart && isOws(bytes[trimmedEnd - 1]))
            {
                trimmedEnd--;
            }
            // RFC 9110 5.6.1: empty list elements are ignored.
            if (trimmedEnd > elementStart)
            {
                if (transferCodings)
                {
                    transferCoding(bytes, elementStart, trimmedEnd);
                }
                else
                {
                    connectionOption(bytes, elementStart, trimmedEnd);
                }
            }
            index = elementEnd + 1;
        }
    }

    private void transferCoding(final byte[] bytes, final int start, final int end)
    {
        if (chunkedLast)
        {
            invalidCoding = true;
        }
        final int nameEnd = scan(bytes, start, end, TCHAR);
        final boolean chunked = equalsIgnoreCase(bytes, start, nameEnd - start, CHUNKED);
        if (nameEnd < end)
        {
            if (nameEnd == start || chunked || ';' != bytes[skipOws(bytes, nameEnd, end)])
            {
                invalidCoding = true;
            }
            otherCoding = true;
            chunkedLast = false;
        }
        else
        {
            chunkedLast = chunked;
            otherCoding |= !chunked;
        }
    }

    private void connectionOption(final byte[] bytes, final int start, final int end)
    {
        if (equalsIgnoreCase(bytes, start, end - start, CLOSE))
        {
            connectionClose = true;
        }
        else if (equalsIgnoreCase(bytes, start, end - start, KEEP_ALIVE))
        {
            connectionKeepAlive = true;
        }
        else if (equalsIgnoreCase(bytes, start, end - start, UPGRADE))
        {
            connectionUpgrade = true;
        }
    }

    private void endOfRequest()
    {
        final boolean next = keepAlive;
        resetRequest();
        state = next ? State.REQUEST_LINE : State.DISCARD;
    }

    private void resetRequest()
    {
        scanOffset = 0;
        emptyLineCount = 0;
        headSize = 0;
        requestEmitted = false;
        method = null;
        uri = null;
        version = null;
        headers = null;
        trailers = null;
        trailerSize = 0;
        contentLengthCount = 0;
        contentLength = 0;
        transferEncoding = false;
        chunkedLast = false;
        otherCoding = false;
        invalidCoding = false;
        connectionClose = false;
        connectionKeepAlive = false;
        keepAlive = false;
        connectionUpgrade = false;
        upgradeField = false;
        remaining = 0;
        bodySize = 0;
    }

    private void refuse(final ByteBuf in, final List<Object> out, final HttpStatusException cause)
    {
        in.skipBytes(in.readableBytes());
        final DecoderResult result = DecoderResult.failure(cause);
        if (requestEmitted)
        {
            final LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
            last.setDecoderResult(result);
            out.add(last);
        }
        else
        {
            final DefaultHttpRequest request = new DefaultHttpRequest(
                null == version ? HttpVersion.HTTP_1_0 : version,
                null == method ? HttpMethod.GET : method,
                null == uri ? BAD_REQUEST_URI : uri,
                null == headers ? HEADERS_FACTORY.newHeaders() : headers,
                false);
            request.setDecoderResult(result);
            out.add(request);
        }
        resetRequest();
        state = State.DISCARD;
    }
}
