package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each emitted message is turned into one line of a transcript, and released at once:
 * <ul>
 *     <li>{@code GET /x HTTP/1.1 [Name: value]...}: a successfully decoded request;</li>
 *     <li>{@code REFUSED <status> <message>}: a request with a failed decoder result;</li>
 *     <li>{@code CONTENT <bytes>}: a {@link DefaultHttpContent};</li>
 *     <li>{@code LAST <bytes> [Name: value]...}: a {@link DefaultLastHttpContent};</li>
 *     <li>{@code END}: {@link LastHttpContent#EMPTY_LAST_CONTENT} itself;</li>
 *     <li>{@code REFUSED-BODY <status> <message>}: a content message with a failed decoder result.</li>
 * </ul>
 * Inputs come from the (leak-aware, pooled) default allocator, and every one must be fully released when the test
 * ends.
 */
class StrictRequestDecoderTest
{
    private static final String GET = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String GET_LINE = "GET /x HTTP/1.1 [Host: a]";
    private static final String CHUNKED_WITH_EXTENSIONS_AND_TRAILERS =
        "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;ilovew3=\"I \\\"love\\\"; \\\\extensions\\\\\";somuchlove=aretheseparametersfor;blah\r\nhello\r\n" +
        "6 ; a = b ;c\r\n world\r\n" +
        "000\r\nVary: *\r\nX-Checksum:  abc \r\n\r\n";

    private final List<ByteBuf> inputs = new ArrayList<>();
    private EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder());

    @AfterEach
    void tearDown()
    {
        channel.finishAndReleaseAll();
        for (final ByteBuf input : inputs)
        {
            assertEquals(0, input.refCnt(), "input not released");
        }
    }

    @Test
    void shouldDecodeRequestWithoutBodyAsRequestThenEmptyLastContent()
    {
        channel.writeInbound(input("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Two:  v 1\t\r\nx-two: v2\r\n\r\n"));

        final HttpRequest request = channel.readInbound();
        assertInstanceOf(DefaultHttpRequest.class, request);
        assertFalse(request instanceof FullHttpRequest);
        assertSame(DecoderResult.SUCCESS, request.decoderResult());
        assertSame(HttpMethod.GET, request.method());
        assertEquals("/a?b=c", request.uri());
        assertSame(HttpVersion.HTTP_1_1, request.protocolVersion());
        assertInstanceOf(DefaultHttpHeaders.class, request.headers());
        assertEquals("[Host=example.com, X-Two=v 1, x-two=v2]", request.headers().entries().toString());
        assertEquals(List.of("v 1", "v2"), request.headers().getAll("X-TWO"));
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, channel.readInbound());
        assertNullInbound();
    }

    @Test
    void shouldDecodeHttp10Request()
    {
        assertEquals(List.of("GET / HTTP/1.0", "END"), decode("GET / HTTP/1.0\r\n\r\n"));
    }

    @Test
    void shouldAcceptAnyTokenAsMethod()
    {
        assertEquals(List.of("MKCOL-A! /x HTTP/1.1 [Host: a]", "END"),
            decode("MKCOL-A! /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GE(T / HTTP/1.1\r\n\r\n", " GET / HTTP/1.1\r\n\r\n", "GET\t/ HTTP/1.1\r\n\r\n",
        "G\u00c9T / HTTP/1.1\r\n\r\n" })
    void shouldRejectMethodThatIsNotATokenFollowedBySp(final String wire)
    {
        assertEquals(List.of("REFUSED 400 invalid request line: method is not a token followed by one SP"),
            decode(wire));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET  / HTTP/1.1\r\n\r\n", "GET /foo bar/ HTTP/1.1\r\n\r\n",
        "GET /a\u0001 HTTP/1.1\r\n\r\n",
        "GET /\u00ce\u00b4 HTTP/1.1\r\n\r\n", "GET /a\u007f HTTP/1.1\r\n\r\n", "GET /a\tb HTTP/1.1\r\n\r\n",
        "GET /\r\n\r\n", "GET \r\n\r\n" })
    void shouldRejectRequestTargetThatIsNotVisibleAsciiFollowedBySp(final String wire)
    {
        final List<String> transcript = decode(wire);

        // "GET /foo bar/ HTTP/1.1" has a target "/foo" followed by one SP, and then a bad version.
        final String expected = wire.startsWith("GET /foo bar/") ?
            "REFUSED 400 invalid request line: HTTP-version is not HTTP/1.1 or HTTP/1.0 followed by CRLF" :
            "REFUSED 400 invalid request line: request-target is not visible ASCII followed by one SP";
        assertEquals(List.of(expected), transcript);
    }

    @ParameterizedTest
    @ValueSource(strings = { "HTTP/5.6", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9" })
    void shouldAnswer505ForOtherHttpVersion(final String version)
    {
        assertEquals(List.of("REFUSED 505 HTTP version not supported: " + version),
            decode("GET / " + version + "\r\nHost: a\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "ICE/1.0", "RTSP/1.0", "IHTTP/1.0", "HTTP/1.1 ", "http/1.1", "HTTP/1.10", "HTTP/1",
        "HTTP/a.b",
        "HTTP/1.1\t" })
    void shouldRejectVersionThatIsNotHttpDigitDotDigit(final String version)
    {
        assertEquals(
            List.of("REFUSED 400 invalid request line: HTTP-version is not HTTP/1.1 or HTTP/1.0 followed by CRLF"),
            decode("GET / " + version + "\r\nHost: a\r\n\r\n"));
    }

    @Test
    void shouldRejectBareLfAfterRequestLine()
    {
        assertEquals(List.of("REFUSED 400 bare LF in request line"), decode("GET / HTTP/1.1\nHost: a\n\n"));
    }

    @Test
    void shouldRejectBareCrAfterRequestLine()
    {
        assertEquals(List.of("REFUSED 400 bare CR in request line"), decode("GET / HTTP/1.1\rHost: a\r\n\r\n"));
    }

    @Test
    void shouldSkipUpToFourEmptyLinesBeforeRequestLine()
    {
        assertEquals(List.of(GET_LINE, "END", GET_LINE, "END"),
            decode("\r\n" + GET + "\r\n\r\n\r\n\r\n" + GET));
    }

    @Test
    void shouldRejectFiveEmptyLinesBeforeRequestLine()
    {
        assertEquals(List.of("REFUSED 400 too many empty lines before request line"),
            decode("\r\n\r\n\r\n\r\n\r\n" + GET));
    }

    @Test
    void shouldRejectATlsHandshakeOnACleartextPortAtItsFirstByte()
    {
        // a TLS record header and the start of a ClientHello, no line end: answered at once, not after headerWait
        assertEquals(List.of("REFUSED 400 invalid request line: method is not a token followed by one SP"),
            decode("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"));
    }

    @Test
    void shouldRejectBareLfOrCrAsEmptyLineBeforeRequestLine()
    {
        assertEquals(List.of("REFUSED 400 bare LF before request line"), decode("\n" + GET));
        use(new StrictDecoderConfig());
        assertEquals(List.of("REFUSED 400 bare CR before request line"), decode("\rX" + GET));
    }

    @Test
    void shouldAnswer414WhenRequestLineIsLongerThanLimit()
    {
        final String atLimit = "GET /" + "a".repeat(64 - 14) + " HTTP/1.1";
        use(new StrictDecoderConfig().maxInitialLineLength(64));

        assertEquals(64, atLimit.length());
        assertEquals(List.of("GET /" + "a".repeat(50) + " HTTP/1.1 [Host: a]", "END"),
            decode(atLimit + "\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("REFUSED 414 request line over the limit"),
            decode("GET /a" + atLimit.substring(5) + "\r\n"));
    }

    @Test
    void shouldAnswer414BeforeLongRequestLineEnds()
    {
        use(new StrictDecoderConfig().maxInitialLineLength(64));

        assertEquals(List.of(), decode("GET /" + "a".repeat(59)));
        assertEquals(List.of("REFUSED 414 request line over the limit"), decode("a"));
    }

    @Test
    void shouldRejectWhitespaceBetweenFieldNameAndColon()
    {
        assertEquals(List.of("REFUSED 400 invalid field name: not a token followed by ':'"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nConnection : upgrade\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { ": Bar", "Fo@: x", "Foo\u0001\test: Bar", "NoColon", "X\u00e9: y", "name\r\n : value" })
    void shouldRejectFieldNameThatIsNotANonEmptyToken(final String line)
    {
        assertEquals(List.of("REFUSED 400 invalid field name: not a token followed by ':'"),
            decode("GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n\r\n"));
    }

    @Test
    void shouldTrimOwsAroundFieldValueAndKeepInnerWhitespace()
    {
        assertEquals(List.of("GET / HTTP/1.1 [Host: a] [A: x \t y] [B: ] [C: ]", "END"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nA: \t x \t y \t\r\nB:\r\nC: \t \r\n\r\n"));
    }

    @Test
    void shouldKeepObsTextInFieldValue()
    {
        final List<String> transcript =
            decode("GET / HTTP/1.1\r\nHost: a\r\nTest: D\u00c3\u00bcsseldorf \u00ff\r\n\r\n");

        assertEquals(List.of("GET / HTTP/1.1 [Host: a] [Test: D\u00c3\u00bcsseldorf \u00ff]", "END"), transcript);
    }

    @ParameterizedTest
    @ValueSource(strings = { "a\u0000b", "\f", "hello\fworld", "a\u007fb", "a\u0001", "a\u001b" })
    void shouldRejectControlCharacterInFieldValue(final String value)
    {
        assertEquals(List.of("REFUSED 400 invalid character in field value"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nX: " + value + "\r\n\r\n"));
    }

    @Test
    void shouldRejectBareCrInFieldLine()
    {
        assertEquals(List.of("REFUSED 400 bare CR in request header section"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep\ralive\r\n\r\n"));
    }

    @Test
    void shouldRejectBareLfAfterFieldLine()
    {
        assertEquals(List.of("REFUSED 400 bare LF in request header section"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nx:x\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n"));
    }

    @Test
    void shouldRejectCrWithoutLfAfterHeaderSection()
    {
        assertEquals(List.of("REFUSED 400 bare CR in request header section"),
            decode("PUT /url HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\rabc\r\n\r\n"));
    }

    @Test
    void shouldRejectObsFold()
    {
        assertEquals(List.of("REFUSED 400 field line starts with whitespace (obs-fold)"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nLine1: abc\r\n\tdef\r\n\r\n"));
    }

    @Test
    void shouldRejectWhitespaceBeforeFirstFieldLine()
    {
        assertEquals(List.of("REFUSED 400 field line starts with whitespace (obs-fold)"),
            decode("GET / HTTP/1.1\r\n Host: foo\r\nHost: a\r\n\r\n"));
    }

    @Test
    void shouldAnswer431WhenRequestLineAndHeadersAreLargerThanLimit()
    {
        // 16 + 9 + 37 + 2 = 64 bytes: exactly at the limit.
        final String head = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(32) + "\r\n";
        use(new StrictDecoderConfig().maxHeaderSize(64));

        assertEquals(64, head.length() + 2);
        assertEquals(List.of("GET / HTTP/1.1 [Host: a] [X: " + "v".repeat(32) + "]", "END"), decode(head + "\r\n"));
        assertEquals(List.of("REFUSED 431 request header section over the limit"),
            decode(head.replace("X: ", "X: v") + "\r\n"));
    }

    @Test
    void shouldAnswer431WhenOneFieldLineIsLongerThanFieldLimit()
    {
        // "X: " + 61 characters = 64 bytes: exactly at the field limit, far below the section limit.
        use(new StrictDecoderConfig().maxFieldLength(64));

        assertEquals(List.of("GET / HTTP/1.1 [Host: a] [X: " + "v".repeat(61) + "]", "END"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(61) + "\r\n\r\n"));
        assertEquals(List.of("REFUSED 431 header field over the limit"),
            decode("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(62) + "\r\n\r\n"));
    }

    @Test
    void shouldAnswer431BeforeFieldLineLongerThanFieldLimitEnds()
    {
        use(new StrictDecoderConfig().maxFieldLength(64));

        assertEquals(List.of(), decode("GET / HTTP/1.1\r\nX: " + "v".repeat(61)));
        assertEquals(List.of("REFUSED 431 header field over the limit"), decode("v"));
    }

    @Test
    void shouldNameSectionLimitWhenItBindsBeforeFieldLimit()
    {
        // 16 bytes of request line leave 46 for the field lines: less than the 64-byte field limit.
        use(new StrictDecoderConfig().maxHeaderSize(64).maxFieldLength(64));

        assertEquals(List.of("REFUSED 431 request header section over the limit"),
            decode("GET / HTTP/1.1\r\nX: " + "v".repeat(44) + "\r\n\r\n"));
    }

    @Test
    void shouldAnswer431WhenOneTrailerFieldIsLongerThanFieldLimit()
    {
        use(new StrictDecoderConfig().maxFieldLength(64));

        assertEquals(
            List.of("POST / HTTP/1.1 [Transfer-Encoding: chunked]", "REFUSED-BODY 431 header field over the limit"),
            decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + "v".repeat(62) + "\r\n\r\n"));
    }

    @Test
    void shouldAnswer414WhenRequestTargetIsLongerThanUrlLimit()
    {
        use(new StrictDecoderConfig().maxUrlLength(8));

        assertEquals(List.of("GET /1234567 HTTP/1.1 [Host: a]", "END"),
            decode("GET /1234567 HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(List.of("REFUSED 414 request-target over the limit: limit=8"),
            decode("GET /12345678 HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void shouldTellWhetherRequestHeadIsUnderWay()
    {
        assertTrue(decoder().isAwaitingRequest());
        assertFalse(decoder().isReceivingHead());
        decode("\r\n");
        assertFalse(decoder().isAwaitingRequest());
        assertTrue(decoder().isReceivingHead());
        decode("GET / HTTP/1.1\r\nHost: a\r\n");
        assertTrue(decoder().isReceivingHead());
        decode("\r\n");
        assertTrue(decoder().isAwaitingRequest());
        assertFalse(decoder().isReceivingHead());
        decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx");
        assertFalse(decoder().isAwaitingRequest());
        assertFalse(decoder().isReceivingHead());
    }

    @Test
    void shouldAnswer431BeforeLargeFieldLineEnds()
    {
        use(new StrictDecoderConfig().maxHeaderSize(64));

        assertEquals(List.of(), decode("GET / HTTP/1.1\r\nX: " + "v".repeat(43)));
        assertEquals(List.of("REFUSED 431 request header section over the limit"), decode("v"));
    }

    @Test
    void shouldRejectTransferEncodingWithContentLength()
    {
        assertEquals(List.of("REFUSED 400 both Transfer-Encoding and Content-Length"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"));
    }

    @Test
    void shouldRejectTransferEncodingInHttp10()
    {
        assertEquals(List.of("REFUSED 400 Transfer-Encoding in an HTTP/1.0 request"),
            decode("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "chunked, deflate", "pigeons", "identity", "chunkedchunked", "", ",", "chunked;x=1",
        "\"chunked\"", "gzip chunked", "chunked, chunked", "chunked\r\nTransfer-Encoding: chunked",
        "chunked\r\nTransfer-Encoding: deflate", "gzip, ;q=1, chunked" })
    void shouldRejectTransferEncodingNotEndingInOneChunked(final String value)
    {
        assertEquals(List.of("REFUSED 400 Transfer-Encoding does not end in one chunked coding"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n5\r\nWorld\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "gzip, chunked", "deflate\r\nTransfer-Encoding: chunked", "pigeons , chunked",
        "gzip;q=1, chunked" })
    void shouldAnswer501ForOtherTransferCodingBeforeChunked(final String value)
    {
        assertEquals(List.of("REFUSED 501 transfer coding not implemented: only chunked is"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n5\r\nWorld\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "chunked", "Chunked", "CHUNKED", " , chunked ,", "chunked\t" })
    void shouldAcceptChunkedCaseInsensitivelyWithOwsAndEmptyListElements(final String value)
    {
        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: " + value.strip() + "]", "CONTENT World",
            "END"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n5\r\nWorld\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "4 2", "+5", "-1", "0x5", "5, 5", "5,", "1.0", "\u00b9" })
    void shouldRejectContentLengthThatIsNotDigits(final String value)
    {
        assertEquals(List.of("REFUSED 400 Content-Length is not digits"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\n"));
    }

    @Test
    void shouldRejectEmptyContentLength()
    {
        assertEquals(List.of("REFUSED 400 empty Content-Length"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t\r\n\r\n"));
    }

    @Test
    void shouldRejectSecondContentLengthEvenWithEqualValue()
    {
        assertEquals(List.of("REFUSED 400 more than one Content-Length"),
            decode("POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 1\r\nContent-Length: 1\r\n\r\nx"));
    }

    @Test
    void shouldAnswer413ForContentLengthOverLimitBeforeReadingBody()
    {
        use(new StrictDecoderConfig().maxRequestBodySize(10));

        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Content-Length: 10]", "LAST 0123456789"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"));
        assertEquals(List.of("REFUSED 413 Content-Length over the limit: limit=10"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"));
    }

    @Test
    void shouldAnswer413ForContentLengthTooLargeForLong()
    {
        assertEquals(List.of("REFUSED 413 Content-Length over the limit: limit=30000000"),
            decode("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000000000000\r\n\r\n"));
    }

    @Test
    void shouldStreamContentLengthBodyAsRetainedSlicesOfTheInput()
    {
        final byte[] wire = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0010\r\n\r\n0123456789"
            .getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuf in = ByteBufAllocator.DEFAULT.heapBuffer(wire.length).writeBytes(wire);
        inputs.add(in);
        use(new StrictDecoderConfig().maxChunkSize(4));

        channel.writeInbound(in);

        ReferenceCountUtil.release(channel.readInbound());
        final List<HttpContent> contents = List.of(channel.readInbound(), channel.readInbound(), channel.readInbound());
        try
        {
            assertEquals(DefaultHttpContent.class, contents.get(0).getClass());
            assertEquals(DefaultHttpContent.class, contents.get(1).getClass());
            assertEquals(DefaultLastHttpContent.class, contents.get(2).getClass());
            assertEquals("0123|4567|89", text(contents.get(0)) + "|" + text(contents.get(1)) + "|" +
                text(contents.get(2)));
            for (final HttpContent content : contents)
            {
                assertSame(in.array(), content.content().array(), "body bytes must not be copied");
            }
            assertTrue(((LastHttpContent)contents.get(2)).trailingHeaders().isEmpty());
        }
        finally
        {
            contents.forEach(ReferenceCountUtil::release);
        }
        assertNullInbound();
    }

    @Test
    void shouldTreatRequestWithoutContentLengthOrTransferEncodingAsBodiless()
    {
        // A draft-76 WebSocket handshake: Netty's HttpUtil would give it an 8-byte body; RFC 9112 6.3 gives it none.
        assertEquals(List.of("GET /demo HTTP/1.1 [Host: a] [Connection: Upgrade] [Upgrade: WebSocket] " +
            "[Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5] [Sec-WebSocket-Key2: 12998 5 Y3 1  .P00]", "END",
            GET_LINE, "END"),
            decode("GET /demo HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n" +
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n" + GET));
    }

    @Test
    void shouldDecodeConnectAsOrdinaryRequest()
    {
        assertEquals(List.of("CONNECT example.com:443 HTTP/1.1 [Host: example.com:443]", "END", GET_LINE, "END"),
            decode("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n" + GET));
    }

    @Test
    void shouldDecodeChunkedBodyWithExtensionsAndTrailers()
    {
        assertEquals(List.of(
            "POST /up HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT hello", "CONTENT  world",
            "LAST  [Vary: *] [X-Checksum: abc]"), decode(CHUNKED_WITH_EXTENSIONS_AND_TRAILERS));
    }

    @Test
    void shouldEndChunkedBodyWithoutTrailersWithEmptyLastContent()
    {
        assertEquals(List.of("PUT / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT 0123456789",
            "CONTENT 0123456789", "END"),
            decode("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n"));
    }

    @Test
    void shouldSplitLargeChunkIntoMaxChunkSizePieces()
    {
        use(new StrictDecoderConfig().maxChunkSize(4));

        assertEquals(List.of("PUT / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT 0123", "CONTENT 4567",
            "CONTENT 89", "END"),
            decode("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "g", "x5", " 5", "-5" })
    void shouldRejectChunkSizeWithoutHexDigits(final String sizeLine)
    {
        assertChunkedRefusal("REFUSED-BODY 400 invalid chunk size: no hex digits", sizeLine + "\r\nhello\r\n0\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = { "00000000000000005", "8000000000000000", "FFFFFFFFFFFFFFFF" })
    void shouldRejectChunkSizeOverSixteenHexDigitsOrLongMax(final String sizeLine)
    {
        assertChunkedRefusal("REFUSED-BODY 400 invalid chunk size: too large", sizeLine + "\r\nhello\r\n0\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = { "5;", "5 x", "5 ", "5;a ", "5;a=", "5;a=\"b", "5;a=b c", "5;a=\"\u0001\"",
        "5;a=\"\\\u0001\"",
        "5;\u00e9", "5;a=\u00e9", "5;;a", "5;a=\"b\"c" })
    void shouldRejectMalformedChunkExtension(final String sizeLine)
    {
        final List<String> transcript = decode(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + sizeLine + "\r\nhello\r\n0\r\n\r\n");

        assertEquals(2, transcript.size(), transcript::toString);
        assertEquals("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", transcript.get(0));
        assertTrue(transcript.get(1).startsWith("REFUSED-BODY 400 invalid chunk extension: "), transcript::toString);
    }

    @Test
    void shouldRejectBareLfAfterChunkSize()
    {
        assertChunkedRefusal("REFUSED-BODY 400 bare LF in chunk-size line", "3 \n  \r\nfoo\r\n\r\n");
    }

    @Test
    void shouldRejectBareCrAfterChunkSize()
    {
        assertChunkedRefusal("REFUSED-BODY 400 bare CR in chunk-size line", "5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n");
    }

    @Test
    void shouldRejectChunkDataNotFollowedByCrlf()
    {
        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT ABCDE",
            "REFUSED-BODY 400 chunk data not followed by CRLF"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nABCDE0\r\n\r\n" + GET));
        use(new StrictDecoderConfig());
        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT ABCDE",
            "REFUSED-BODY 400 chunk data not followed by CRLF"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nABCDE\r0\r\n\r\n"));
    }

    @Test
    void shouldRejectMissingLastChunk()
    {
        assertChunkedRefusal("REFUSED-BODY 400 invalid chunk size: no hex digits", "3\r\nfoo\r\n\r\n", "CONTENT foo");
    }

    @Test
    void shouldAnswer413WhenChunkedBodyPassesLimit()
    {
        use(new StrictDecoderConfig().maxRequestBodySize(10));

        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT 01234", "CONTENT 56789",
            "REFUSED-BODY 413 chunked body over the limit: limit=10"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "5\r\n01234\r\n5\r\n56789\r\n1\r\nX\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { " Folded: x", "Bad Name: x", "X: a\u0000b", "Content-Length: 5",
        "transfer-encoding: chunked" })
    void shouldValidateTrailerFieldsLikeHeaderFieldsAndRefuseFramingFields(final String trailer)
    {
        final String expected = trailer.startsWith(" ") ?
            "REFUSED-BODY 400 field line starts with whitespace (obs-fold)" :
            trailer.startsWith("Bad") ? "REFUSED-BODY 400 invalid field name: not a token followed by ':'" :
            trailer.startsWith("X") ? "REFUSED-BODY 400 invalid character in field value" :
            "REFUSED-BODY 400 framing field in trailer section: " + trailer.substring(0, trailer.indexOf(':'));

        assertChunkedRefusal(expected, "0\r\nVary: *\r\n" + trailer + "\r\n\r\n");
    }

    @Test
    void shouldAnswer431WhenTrailerSectionIsLargerThanLimit()
    {
        use(new StrictDecoderConfig().maxHeaderSize(64));

        assertEquals(
            List.of("POST / HTTP/1.1 [Transfer-Encoding: chunked]", "REFUSED-BODY 431 trailer section over the limit"),
            decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + "v".repeat(60) + "\r\n\r\n"));
    }

    @Test
    void shouldDiscardEverythingAfterRefusal()
    {
        assertEquals(List.of("REFUSED 400 field line starts with whitespace (obs-fold)"),
            decode("POST /hello HTTP/1.1\r\nHost: a\r\nFoo: bar\r\n Content-Length: 38\r\n\r\n" + GET));
        assertEquals(List.of(), decode(GET + GET));
    }

    @Test
    void shouldRefuseWithPlaceholderRequestWhenRequestLineIsUnreadable()
    {
        channel.writeInbound(input("GET /\u0000 HTTP/1.1\r\n\r\n"));

        final HttpRequest request = channel.readInbound();
        assertSame(HttpMethod.GET, request.method());
        assertEquals(StrictRequestDecoder.BAD_REQUEST_URI, request.uri());
        assertSame(HttpVersion.HTTP_1_0, request.protocolVersion());
        assertTrue(request.headers().isEmpty());
        final HttpStatusException cause = assertInstanceOf(HttpStatusException.class, request.decoderResult().cause());
        assertEquals(400, cause.status());
        assertNullInbound();
    }

    @Test
    void shouldRefuseWithParsedMethodWhenRequestLineWasRead()
    {
        channel.writeInbound(input("HEAD /x HTTP/1.1\r\nHost: a\r\nX\u0001: y\r\n\r\n"));

        final HttpRequest request = channel.readInbound();
        assertSame(HttpMethod.HEAD, request.method());
        assertEquals("/x", request.uri());
        assertSame(HttpVersion.HTTP_1_1, request.protocolVersion());
        assertTrue(request.decoderResult().isFailure());
        assertNullInbound();
    }

    @Test
    void shouldDiscardEverythingAfterConnectionClose()
    {
        assertEquals(List.of("POST / HTTP/1.1 [Host: a] [Content-Length: 4] [Connection: keep-alive, Close]",
            "LAST q=42"),
            decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nConnection: keep-alive, Close\r\n\r\n" +
                "q=42\r\n\r\n" + GET));
    }

    @Test
    void shouldDiscardEverythingAfterHttp10RequestWithoutKeepAlive()
    {
        assertEquals(List.of("PUT /url HTTP/1.0", "END"), decode("PUT /url HTTP/1.0\r\n\r\nPUT /url HTTP/1.1\r\n\r\n"));
    }

    @Test
    void shouldContinueAfterHttp10RequestWithKeepAlive()
    {
        assertEquals(List.of("GET / HTTP/1.0 [Connection: Keep-Alive]", "END", GET_LINE, "END"),
            decode("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" + GET));
    }

    @Test
    void shouldDecodePipelinedRequestsInTurn()
    {
        assertEquals(List.of(
            "POST /aaa HTTP/1.1 [Host: a] [Content-Length: 3]", "LAST AAA",
            "PUT /bbb HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]", "CONTENT BBBB", "END",
            GET_LINE, "END"),
            decode("POST /aaa HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nAAA\r\n" +
                "PUT /bbb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nBBBB\r\n0\r\n\r\n" + GET));
    }

    @ParameterizedTest
    @ValueSource(strings = { GET, CHUNKED_WITH_EXTENSIONS_AND_TRAILERS,
        "\r\nPOST /p?q HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 12\r\nX-E: \u00e9\r\n\r\nhello, world",
        "POST /aaa HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nAAA\r\n" +
            "PUT /bbb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "4;x=\"y\"\r\nBBBB\r\n2\r\nCC\r\n0\r\nT: 1\r\n\r\n" +
            GET + "GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n" })
    void shouldDecodeSameWhenFedByteAtATime(final String wire)
    {
        final List<String> oneShot = merged(decode(wire));
        use(new StrictDecoderConfig());

        final List<String> byteAtATime = new ArrayList<>();
        for (final byte b : wire.getBytes(StandardCharsets.ISO_8859_1))
        {
            byteAtATime.addAll(decode(new String(new byte[] { b }, StandardCharsets.ISO_8859_1)));
        }

        assertFalse(oneShot.isEmpty());
        assertFalse(oneShot.stream().anyMatch((line) -> line.startsWith("REFUSED")), oneShot::toString);
        assertEquals(oneShot, merged(byteAtATime));
    }

    @Test
    void shouldWaitForLfAfterCrSplitAcrossReads()
    {
        assertEquals(List.of(), decode("GET /x HTTP/1.1\r"));
        assertEquals(List.of(), decode("\nHost: a\r"));
        assertEquals(List.of(), decode("\n\r"));
        assertEquals(List.of(GET_LINE, "END"), decode("\n"));
    }

    @Test
    void shouldUseDefaultsAndValidateConfigSetters()
    {
        final StrictDecoderConfig config = new StrictDecoderConfig();

        assertEquals("StrictDecoderConfig{maxInitialLineLength=8192, maxHeaderSize=16384, maxFieldLength=16384, " +
            "maxUrlLength=4096, maxRequestBodySize=30000000, maxChunkSize=65536}", config.toString());
        assertEquals("maxInitialLineLength too small: maxInitialLineLength=63, limit=64",
            assertThrows(IllegalArgumentException.class, () -> config.maxInitialLineLength(63)).getMessage());
        assertEquals("maxHeaderSize too small: maxHeaderSize=10, limit=64",
            assertThrows(IllegalArgumentException.class, () -> config.maxHeaderSize(10)).getMessage());
        assertEquals("maxFieldLength too small: maxFieldLength=63, limit=64",
            assertThrows(IllegalArgumentException.class, () -> config.maxFieldLength(63)).getMessage());
        assertEquals("maxUrlLength too small: maxUrlLength=0, limit=1",
            assertThrows(IllegalArgumentException.class, () -> config.maxUrlLength(0)).getMessage());
        assertEquals("maxRequestBodySize negative: maxRequestBodySize=-1, limit=0",
            assertThrows(IllegalArgumentException.class, () -> config.maxRequestBodySize(-1)).getMessage());
        assertEquals("maxChunkSize too small: maxChunkSize=0, limit=1",
            assertThrows(IllegalArgumentException.class, () -> config.maxChunkSize(0)).getMessage());
        assertSame(config, config.maxInitialLineLength(64).maxHeaderSize(64).maxFieldLength(64).maxUrlLength(1)
            .maxRequestBodySize(0).maxChunkSize(1));
        assertEquals("StrictDecoderConfig{maxInitialLineLength=64, maxHeaderSize=64, maxFieldLength=64, " +
            "maxUrlLength=1, maxRequestBodySize=0, maxChunkSize=1}", config.toString());
    }

    @Test
    void shouldRejectStatusThatIsNotAnError()
    {
        assertEquals("status out of range: status=200, range=400..599",
            assertThrows(IllegalArgumentException.class, () -> new HttpStatusException(200, "x")).getMessage());
        assertEquals(431, new HttpStatusException(431, "x").status());
    }

    private void assertChunkedRefusal(final String expected, final String body, final String... contents)
    {
        final List<String> transcript = new ArrayList<>();
        transcript.add("POST / HTTP/1.1 [Host: a] [Transfer-Encoding: chunked]");
        transcript.addAll(List.of(contents));
        transcript.add(expected);

        assertEquals(transcript,
            decode("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body + GET));
    }

    private void use(final StrictDecoderConfig config)
    {
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel(new StrictRequestDecoder(config));
    }

    private StrictRequestDecoder decoder()
    {
        return channel.pipeline().get(StrictRequestDecoder.class);
    }

    private ByteBuf input(final String wire)
    {
        final byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuf in = ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
        inputs.add(in);
        return in;
    }

    private List<String> decode(final String wire)
    {
        channel.writeInbound(input(wire));
        final List<String> transcript = new ArrayList<>();
        Object msg;
        while (null != (msg = channel.readInbound()))
        {
            try
            {
                transcript.add(describe(msg));
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }
        return transcript;
    }

    private void assertNullInbound()
    {
        final Object msg = channel.readInbound();
        ReferenceCountUtil.release(msg);
        assertNull(msg);
    }

    private static String describe(final Object msg)
    {
        final StringBuilder sb = new StringBuilder();
        final DecoderResult result = ((HttpObject)msg).decoderResult();
        if (result.isFailure())
        {
            final HttpStatusException cause = assertInstanceOf(HttpStatusException.class, result.cause());
            return (msg instanceof HttpRequest ? "REFUSED " : "REFUSED-BODY ") + cause.status() + " " +
                cause.getMessage();
        }
        assertSame(DecoderResult.SUCCESS, result);
        if (msg instanceof HttpRequest request)
        {
            assertEquals(DecodedRequest.class, request.getClass());
            sb.append(request.method().name()).append(' ').append(request.uri()).append(' ')
                .append(request.protocolVersion());
            appendFields(sb, request.headers());
        }
        else if (msg == LastHttpContent.EMPTY_LAST_CONTENT)
        {
            sb.append("END");
        }
        else if (msg instanceof LastHttpContent last)
        {
            assertEquals(DefaultLastHttpContent.class, last.getClass());
            sb.append("LAST ").append(text(last));
            appendFields(sb, last.trailingHeaders());
        }
        else
        {
            final HttpContent content = assertInstanceOf(HttpContent.class, msg);
            assertEquals(DefaultHttpContent.class, content.getClass());
            assertTrue(content.content().isReadable(), "empty content message");
            sb.append("CONTENT ").append(text(content));
        }
        return sb.toString();
    }

    private static void appendFields(final StringBuilder sb, final HttpHeaders fields)
    {
        for (final Map.Entry<String, String> field : fields)
        {
            sb.append(" [").append(field.getKey()).append(": ").append(field.getValue()).append(']');
        }
    }

    private static String text(final HttpContent content)
    {
        assertNotNull(content.content());
        return content.content().toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * The transcript with each body joined into one {@code BODY} line, so that different splits compare equal.
     */
    private static List<String> merged(final List<String> transcript)
    {
        final List<String> merged = new ArrayList<>();
        StringBuilder body = null;
        for (final String line : transcript)
        {
            if (line.startsWith("CONTENT ") || line.startsWith("LAST "))
            {
                body = null == body ? new StringBuilder() : body;
                final String rest = line.substring(line.indexOf(' ') + 1);
                if (line.startsWith("LAST "))
                {
                    final int fields = rest.indexOf(" [");
                    body.append(fields < 0 ? rest : rest.substring(0, fields));
                    merged.add("BODY " + body);
                    merged.add("END" + (fields < 0 ? "" : rest.substring(fields)));
                    body = null;
                }
                else
                {
                    body.append(rest);
                }
            }
            else if ("END".equals(line))
            {
                if (null != body)
                {
                    merged.add("BODY " + body);
                    body = null;
                }
                merged.add(line);
            }
            else
            {
                merged.add(line);
            }
        }
        return merged;
    }
}
