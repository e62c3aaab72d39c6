package io.sluice.listener;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.listener.http.HttpStatusException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminAnswerTest
{
    @Test
    void healthIsOkAndKeptAlive()
    {
        final AdminAnswer answer = AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health", "admin"));
        assertEquals(200, answer.status());
        assertEquals("ok\n", answer.body());
        assertTrue(answer.keepAlive());
        assertFalse(answer.headRequest());
        assertFalse(answer.allow());
    }

    @Test
    void metricsBodyIsMadeWhenAnswered()
    {
        final AdminAnswer answer = AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/metrics", "admin"));
        assertEquals(200, answer.status());
        assertNull(answer.body());
        assertTrue(answer.headRequest());
    }

    @Test
    void otherPathIsNotFoundAndOtherMethodNotAllowed()
    {
        assertEquals(404, AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nope", "admin")).status());
        final AdminAnswer post = AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "/health", "admin"));
        assertEquals(405, post.status());
        assertTrue(post.allow());
    }

    @Test
    void optionsAsteriskListsTheMethods()
    {
        final AdminAnswer answer = AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*", "admin"));
        assertEquals(200, answer.status());
        assertTrue(answer.allow());
    }

    @Test
    void refusalsCloseTheConnection()
    {
        final AdminAnswer connect = AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a:1", "a"));
        assertEquals(501, connect.status());
        assertFalse(connect.keepAlive());
        assertEquals(400, AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health", null)).status());
        assertEquals(400, AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health", "a b")).status());
        assertEquals(400, AdminAnswer.to(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "health", "admin")).status());
    }

    @Test
    void http10KeepAliveIsAnsweredSo()
    {
        final HttpRequest request = request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/health", null);
        request.headers().set("connection", "keep-alive");
        final AdminAnswer answer = AdminAnswer.to(request);
        assertEquals(200, answer.status());
        assertTrue(answer.keepAlive());
        assertTrue(answer.http10());
    }

    @Test
    void decoderRefusalKeepsItsStatusAndMessage()
    {
        final HttpRequest request = request(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health", "admin");
        request.setDecoderResult(DecoderResult.failure(new HttpStatusException(431, "header too large")));
        final AdminAnswer answer = AdminAnswer.to(request);
        assertEquals(431, answer.status());
        assertEquals("request header fields too large: header too large\n", answer.body());
        assertFalse(answer.keepAlive());
    }

    private static HttpRequest request(
        final HttpVersion version, final HttpMethod method, final String uri, final String host)
    {
        final HttpRequest request = new DefaultHttpRequest(version, method, uri);
        if (null != host)
        {
            request.headers().set("host", host);
        }
        return request;
    }
}
