package io.sluice.listener;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.http.HttpStatusException;
import io.sluice.listener.http.StrictRequestDecoder;
import io.sluice.listener.routing.RequestTargets;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What one admin request is answered, decided when its head arrives; answered once its body (if any) is in.
 *
 * @param status      HTTP status.
 * @param body        text of the body, or null for the metrics, made when answered.
 * @param headRequest true for {@code HEAD}: the head of the answer only.
 * @param keepAlive   true when the connection stays open after the answer.
 * @param http10      true for an HTTP/1.0 request: a kept connection is answered with {@code connection:
 *                    keep-alive}.
 * @param allow       true to list the methods the admin port serves ({@code allow}).
 */
record AdminAnswer(int status, String body, boolean headRequest, boolean keepAlive, boolean http10, boolean allow)
{
    private static final String ASTERISK = "*";
    private static final String HEALTH_PATH = "/health";
    private static final String METRICS_PATH = "/metrics";
    private static final Function<String, String> NO_DOCUMENTS = (path) -> null;

    /**
     * @param status HTTP status.
     * @param body   text of the body, without its line end.
     * @return an answer that closes the connection.
     */
    static AdminAnswer refusal(final int status, final String body)
    {
        return new AdminAnswer(status, body + "\n", false, false, false, false);
    }

    /**
     * Decide the answer to a request head, by the rules the data plane applies before routing (RFC 9110/9112): a
     * refusal of the decoder, {@code CONNECT}, a missing, repeated or invalid {@code Host} and an invalid target are
     * answered and the connection closed; then {@code /health} and {@code /metrics} serve {@code GET} and
     * {@code HEAD} (another method 405), {@code OPTIONS *} lists them, and any other path is 404.
     *
     * @param request as decoded by {@link StrictRequestDecoder}.
     * @return the answer.
     */
    static AdminAnswer to(final HttpRequest request)
    {
        return to(request, NO_DOCUMENTS);
    }

    /**
     * Decide the answer to a request head as {@link #to(HttpRequest)}, with more documents: a path the lookup knows
     * serves its text ({@code GET} and {@code HEAD}), read when the head arrives.
     *
     * @param request   as decoded by {@link StrictRequestDecoder}.
     * @param documents the text of a further path (e.g. {@code /config}), or null for a path it does not serve.
     * @return the answer.
     */
    static AdminAnswer to(final HttpRequest request, final Function<String, String> documents)
    {
        final DecoderResult result = request.decoderResult();
        if (result.isFailure())
        {
            return refusalOf(result.cause());
        }
        final HttpMethod method = request.method();
        if (HttpMethod.CONNECT.equals(method))
        {
            return AdminAnswer.refusal(HttpResponseStatus.NOT_IMPLEMENTED.code(), "not implemented: CONNECT");
        }
        final List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1))
        {
            return AdminAnswer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: one Host header required");
        }
        if (!hosts.isEmpty() && !RequestTargets.isValidAuthority(hosts.get(0)))
        {
            return AdminAnswer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid Host header");
        }
        CharSequence target = request.uri();
        if (RequestTargets.isAbsoluteForm(target))
        {
            if (null == RequestTargets.authority(target))
            {
                return AdminAnswer.refusal(
                    HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid request target authority");
            }
            target = RequestTargets.pathAndQuery(target);
        }

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        final boolean headRequest = HttpMethod.HEAD.equals(method);
        if (ASTERISK.contentEquals(target) && HttpMethod.OPTIONS.equals(method))
        {
            return new AdminAnswer(HttpResponseStatus.OK.code(), "", false, keepAlive, http10, true);
        }
        final String path = PathNormalizer.normalize(target);
        if (null == path)
        {
            return AdminAnswer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid request target");
        }
        final boolean health = HEALTH_PATH.equals(path);
        final String document = health || METRICS_PATH.equals(path) ? null : documents.apply(path);
        if (!health && !METRICS_PATH.equals(path) && null == document)
        {
            return new AdminAnswer(
                HttpResponseStatus.NOT_FOUND.code(), "not found\n", headRequest, keepAlive, http10, false);
        }
        if (!headRequest && !HttpMethod.GET.equals(method))
        {
            return new AdminAnswer(
                HttpResponseStatus.METHOD_NOT_ALLOWED.code(), "method not allowed\n", false, keepAlive, http10, true);
        }
        return new AdminAnswer(
            HttpResponseStatus.OK.code(), health ? "ok\n" : document, headRequest, keepAlive, http10, false);
    }

    /**
     * @param cause why the decoder refused a request.
     * @return the refusal: the status the cause names (400 when it names none) and its message.
     */
    static AdminAnswer refusalOf(final Throwable cause)
    {
        final int status = cause instanceof HttpStatusException refusal ?
            refusal.status() : HttpResponseStatus.BAD_REQUEST.code();
        final String reason = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
        return AdminAnswer.refusal(status, null == cause.getMessage() ? reason : reason + ": " + cause.getMessage());
    }
}
