package io.sluice.listener.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.PrefixRouter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link RequestAdmission}, the listener's rules for a request head, as a pure function of the head: each refusal with
 * its status and text, the absolute-form rewrite, routing, and the queue place an admission takes.
 */
class RequestAdmissionTest
{
    private static final int PORT = 8080;
    private static final long MAX_BODY_LENGTH = 1000;

    private final RequestQueue queue = new RequestQueue("app", 1);
    private final QueueBinding binding = new QueueBinding(queue, new NoHost(), "/app/", MAX_BODY_LENGTH, 0, 0);
    private final RequestAdmission admission = new RequestAdmission(
        PrefixRouter.<QueueBinding>builder().add("http://+:" + PORT + "/app/", binding).build(), 16, 4);

    @Test
    void shouldAdmitARoutedRequestAndTakeAPlaceInItsQueue()
    {
        final HttpRequest request = request(HttpMethod.POST, "/app/x");
        request.headers().set("content-length", "10");

        assertEquals(RequestAdmission.PROCEED, admission.checkHead(request, PORT));
        assertSame(binding, admission.binding());
        assertEquals(10, admission.contentLength());
        assertEquals(RequestAdmission.ADMITTED, admission.admit(request));
        assertEquals(1, queue.length());
    }

    @Test
    void shouldTakeAChunkedBodyAsOfUnknownLength()
    {
        final HttpRequest request = request(HttpMethod.POST, "/app/x");
        request.headers().set("transfer-encoding", "chunked");

        assertEquals(RequestAdmission.PROCEED, admission.checkHead(request, PORT));
        assertEquals(-1, admission.contentLength());
    }

    @Test
    void shouldRefuseAFullQueue()
    {
        queue.tryAcquire();
        final HttpRequest request = request(HttpMethod.GET, "/app/x");

        assertEquals(RequestAdmission.PROCEED, admission.checkHead(request, PORT));
        assertRefused(
            RequestAdmission.REFUSE, 503, "service unavailable: request queue full", admission.admit(request));
    }

    @Test
    void shouldRefuseARequestWithoutOneHostAndCloseTheConnection()
    {
        final HttpRequest none = request(HttpMethod.GET, "/app/x");
        none.headers().remove("host");
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 400, "bad request: one Host header required",
            admission.checkHead(none, PORT));

        final HttpRequest two = request(HttpMethod.GET, "/app/x");
        two.headers().add("host", "b");
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 400, "bad request: one Host header required",
            admission.checkHead(two, PORT));

        final HttpRequest invalid = request(HttpMethod.GET, "/app/x");
        invalid.headers().set("host", "user@a");
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 400, "bad request: invalid Host header",
            admission.checkHead(invalid, PORT));
    }

    @Test
    void shouldTakeAnHttp10RequestWithoutHost()
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/app/x");

        assertEquals(RequestAdmission.PROCEED, admission.checkHead(request, PORT));
        assertSame(binding, admission.binding(), "a strong wildcard matches any host");
    }

    @Test
    void shouldRewriteAnAbsoluteFormTargetToOriginFormWithItsAuthorityAsHost()
    {
        final HttpRequest request = request(HttpMethod.GET, "http://example.com:8080/app/x?q=1");

        assertEquals(RequestAdmission.PROCEED, admission.checkHead(request, PORT));
        assertEquals("/app/x?q=1", request.uri());
        assertEquals("example.com:8080", request.headers().get("host"));
        assertSame(binding, admission.binding());
    }

    @Test
    void shouldRefuseConnectAndCloseTheConnection()
    {
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 501, "not implemented: CONNECT",
            admission.checkHead(request(HttpMethod.CONNECT, "a:443"), PORT));
    }

    @Test
    void shouldRefuseAPathPastTheSegmentLimits()
    {
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 400,
            "bad request: URL path segment longer than 16 characters or more than 4 segments",
            admission.checkHead(request(HttpMethod.GET, "/app/a/b/c/d"), PORT));
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 400,
            "bad request: URL path segment longer than 16 characters or more than 4 segments",
            admission.checkHead(request(HttpMethod.GET, "/app/12345678901234567"), PORT));
    }

    @Test
    void shouldRefuseAFailedDecodeWithTheStatusOfItsCause()
    {
        final HttpRequest request = request(HttpMethod.GET, "/app/x");
        request.setDecoderResult(DecoderResult.failure(new HttpStatusException(505, "bad version")));
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 505, "http version not supported: bad version",
            admission.checkHead(request, PORT));

        assertEquals(414, RequestAdmission.statusOf(new TooLongHttpLineException("x")));
        assertEquals(431, RequestAdmission.statusOf(new TooLongHttpHeaderException("x")));
        assertEquals(413, RequestAdmission.statusOf(new TooLongFrameException("x")));
        assertEquals(400, RequestAdmission.statusOf(new IllegalStateException("x")));
        assertEquals("bad request", RequestAdmission.reasonOf(null));
    }

    @Test
    void shouldAnswerServerOptionsAndRefuseTraceWithoutRouting()
    {
        final HttpRequest options = request(HttpMethod.OPTIONS, "*");
        assertEquals(RequestAdmission.PROCEED, admission.checkHead(options, PORT));
        assertNull(admission.binding());
        assertEquals(RequestAdmission.ANSWER_SERVER_OPTIONS, admission.admit(options));

        final HttpRequest trace = request(HttpMethod.TRACE, "/app/x");
        assertEquals(RequestAdmission.PROCEED, admission.checkHead(trace, PORT));
        assertEquals(RequestAdmission.REFUSE_TRACE, admission.admit(trace));
        assertEquals(0, queue.length(), "no place taken");
    }

    @Test
    void shouldRefuseAnUnroutedRequestABodyOverTheLimitAndAnUnknownExpectation()
    {
        final HttpRequest unrouted = request(HttpMethod.GET, "/other/x");
        assertEquals(RequestAdmission.PROCEED, admission.checkHead(unrouted, PORT));
        assertRefused(RequestAdmission.REFUSE, 404, "not found", admission.admit(unrouted));

        final HttpRequest large = request(HttpMethod.POST, "/app/x");
        large.headers().set("content-length", String.valueOf(MAX_BODY_LENGTH + 1));
        assertEquals(RequestAdmission.PROCEED, admission.checkHead(large, PORT));
        assertRefused(RequestAdmission.REFUSE_AND_CLOSE, 413,
            "request entity too large: Content-Length over the limit: limit=" + MAX_BODY_LENGTH,
            admission.admit(large));

        final HttpRequest expecting = request(HttpMethod.GET, "/app/x");
        expecting.headers().set("expect", "something-else");
        assertEquals(RequestAdmission.PROCEED, admission.checkHead(expecting, PORT));
        assertRefused(RequestAdmission.REFUSE, 417, "expectation failed", admission.admit(expecting));
        assertEquals(0, queue.length(), "no place taken");
    }

    private void assertRefused(final int expectedVerdict, final int status, final String reason, final int verdict)
    {
        assertEquals(expectedVerdict, verdict);
        assertEquals(status, admission.status());
        assertEquals(reason, admission.reason());
    }

    private static HttpRequest request(final HttpMethod method, final String uri)
    {
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().set("host", "a");
        return request;
    }

    private static final class NoHost implements Host
    {
        public void start()
        {
        }

        public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
        {
            throw new AssertionError("admission opens no host");
        }

        public void close()
        {
        }
    }
}
