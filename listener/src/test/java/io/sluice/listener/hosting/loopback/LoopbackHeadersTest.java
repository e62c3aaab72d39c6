package io.sluice.listener.hosting.loopback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackHeadersTest
{
    @Test
    void shouldStripHopByHopAndForwardingHeadersWhenEncodingRequestHead()
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/app/echo?x=1");
        request.headers()
            .add("Host", "example.com")
            .add("Connection", "keep-alive, X-Private")
            .add("X-Private", "secret")
            .add("Keep-Alive", "timeout=5")
            .add("TE", "trailers")
            .add("Trailer", "X-T")
            .add("Upgrade", "websocket")
            .add("Proxy-Connection", "keep-alive")
            .add("Expect", "100-continue")
            .add("Sluice-Token", "forged")
            .add("sluice-event", "shutdown")
            .add("X-Forwarded-For", "203.0.113.9")
            .add("X-Forwarded-Proto", "https")
            .add("Content-Length", "3")
            .add("Accept", "*/*");

        assertEquals(
            "POST /app/echo?x=1 HTTP/1.1\r\n" +
            "Host: example.com\r\n" +
            "Content-Length: 3\r\n" +
            "Accept: */*\r\n" +
            "x-forwarded-for: 192.0.2.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /app/\r\n",
            encode(request, 3));
    }

    @Test
    void shouldSendChunkedWhenLengthUnknown()
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/app/");
        request.headers()
            .add("Transfer-Encoding", "chunked")
            .add("Content-Length", "10");

        assertEquals(
            "PUT /app/ HTTP/1.1\r\n" +
            "x-forwarded-for: 192.0.2.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /app/\r\n" +
            "transfer-encoding: chunked\r\n",
            encode(request, -1));
    }

    @Test
    void shouldSendOriginFormWhenClientSentAbsoluteForm()
    {
        final HttpRequest request =
            new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://example.com:8080/app/x?q");

        assertTrue(encode(request, 0).startsWith("GET /app/x?q HTTP/1.1\r\n"));
    }

    @Test
    void shouldKeepZeroContentLengthWhenClientSentIt()
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/app/");
        request.headers().add("Content-Length", "0").add("Accept", "*/*");

        assertEquals(
            "POST /app/ HTTP/1.1\r\n" +
            "Content-Length: 0\r\n" +
            "Accept: */*\r\n" +
            "x-forwarded-for: 192.0.2.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /app/\r\n",
            encode(request, 0));
    }

    @Test
    void shouldAddZeroContentLengthAfterForwardingFieldsWhenClientSentNone()
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app/");
        request.headers().add("Host", "example.com");

        assertEquals(
            "GET /app/ HTTP/1.1\r\n" +
            "Host: example.com\r\n" +
            "x-forwarded-for: 192.0.2.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /app/\r\n" +
            "content-length: 0\r\n",
            encode(request, 0));
    }

    @Test
    void shouldEndHeadWithTokenAndBlankLine()
    {
        assertEquals(
            "sluice-token: abc\r\n\r\n", new String(LoopbackHeaders.tokenLine("abc"), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldDropHopByHopAndFramingHeadersWhenCopyingResponse()
    {
        final HttpResponse response = new DefaultHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, new DefaultHttpHeaders());
        response.headers()
            .add("Content-Type", "text/plain")
            .add("Content-Length", "13")
            .add("Transfer-Encoding", "chunked")
            .add("Connection", "keep-alive")
            .add("Keep-Alive", "timeout=5")
            .add("Set-Cookie", "a=1")
            .add("Set-Cookie", "b=2");
        final ByteBuf head = Unpooled.buffer();
        try
        {
            LoopbackHeaders.copyResponseHeaders(head, response.headers());

            assertEquals(
                "Content-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n",
                head.toString(StandardCharsets.US_ASCII));
        }
        finally
        {
            head.release();
        }
    }

    @Test
    void shouldClassifyHeaderNamesCaseInsensitively()
    {
        assertTrue(LoopbackHeaders.isHopByHop("TRANSFER-ENCODING"));
        assertTrue(LoopbackHeaders.isStrippedRequestHeader("Sluice-Anything"));
        assertTrue(LoopbackHeaders.isStrippedRequestHeader("x-FORWARDED-for"));
        assertFalse(LoopbackHeaders.isStrippedRequestHeader("X-Forwarded-Host"));
        assertFalse(LoopbackHeaders.isStrippedRequestHeader("Sluice"));
        assertFalse(LoopbackHeaders.isHopByHop("Content-Type"));
    }

    private static String encode(final HttpRequest request, final long contentLength)
    {
        final ByteBuf head = LoopbackHeaders.encodeRequestHead(
            ByteBufAllocator.DEFAULT, request, contentLength, "192.0.2.1", "/app/", null);
        try
        {
            return head.toString(StandardCharsets.US_ASCII);
        }
        finally
        {
            head.release();
        }
    }
}
