package io.sluice.listener.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.HandlerHeaders;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.routing.Router;
import io.sluice.listener.routing.RequestTargets;

import java.util.List;
import java.util.Locale;

/**
 * Whether a decoded request head goes to a host, and to which: the listener's rules before and after routing, with no
 * I/O of its own. A connection asks twice per request, keeping the answer's facts in this object (one per connection,
 * so nothing is allocated for an admitted request):
 * <ol>
 *     <li>{@link #checkHead} before the request has an exchange (RFC 9110/9112): a failed decode (its status from
 *     the failure: 400, 413, 414, 431), {@code CONNECT} (501: no tunnelling), one valid {@code Host}
 *     ({@code host[:port]}, no userinfo, port digits up to 65535) required in HTTP/1.1, an absolute-form target whose
 *     authority replaces {@code Host} (the request is rewritten to origin form with that authority as {@code Host},
 *     so every hosting model sees the same request), a valid target, and the path segment limits
 *     ({@link HttpConnectionConfig#maxSegmentLength()}, {@link HttpConnectionConfig#maxSegmentCount()}). Any refusal
 *     here closes the connection after its answer. Then the target is routed.</li>
 *     <li>{@link #admit} once the exchange exists: {@code OPTIONS *} is the listener's to answer, {@code TRACE} is
 *     refused (405), no route is 404, a {@code Content-Length} over the queue's body limit 413 (and close), an
 *     expectation other than {@code 100-continue} 417, a full queue 503; else a place in the queue is taken and the
 *     request is admitted.</li>
 * </ol>
 * An admitted request is then {@link #handOff handed} to its queue's host.
 * Event-loop confined.
 */
final class RequestAdmission
{
    /**
     * The head passed: route it ({@link #binding()}, null when no prefix matched) and answer or admit it.
     */
    static final int PROCEED = 0;

    /**
     * Refused with {@link #status()} and {@link #reason()}: the connection closes after the answer.
     */
    static final int REFUSE_AND_CLOSE = 1;

    /**
     * Refused with {@link #status()} and {@link #reason()}; the connection may go on.
     */
    static final int REFUSE = 2;

    /**
     * {@code OPTIONS *}: the listener answers it itself.
     */
    static final int ANSWER_SERVER_OPTIONS = 3;

    /**
     * {@code TRACE}: refused with 405 for every route.
     */
    static final int REFUSE_TRACE = 4;

    /**
     * Admitted: a place in {@link #binding()}'s queue is taken for it.
     */
    static final int ADMITTED = 5;

    private static final String ASTERISK = "*";

    private final Router<QueueBinding> router;
    private final int maxSegmentLength;
    private final int maxSegmentCount;
    private int status;
    private String reason;
    private ErrorReason errorReason;
    private boolean serverOptions;
    private long contentLength;
    private QueueBinding binding;

    /**
     * @param router           URL-prefix table built at start-up.
     * @param maxSegmentLength longest path segment.
     * @param maxSegmentCount  most path segments.
     */
    RequestAdmission(final Router<QueueBinding> router, final int maxSegmentLength, final int maxSegmentCount)
    {
        this.router = router;
        this.maxSegmentLength = maxSegmentLength;
        this.maxSegmentCount = maxSegmentCount;
    }

    /**
     * Check a decoded head before it has an exchange, and route it. May rewrite an absolute-form request to origin
     * form.
     *
     * @param request   the head.
     * @param localPort the port the connection was accepted on, for routing.
     * @return {@link #PROCEED} or {@link #REFUSE_AND_CLOSE}.
     */
    int checkHead(final HttpRequest request, final int localPort)
    {
        binding = null;
        serverOptions = false;
        contentLength = 0;
        final DecoderResult result = request.decoderResult();
        if (result.isFailure())
        {
            return refuseAndClose(
                statusOf(result.cause()), reasonOf(result.cause()), errorReasonOf(result.cause()));
        }
        if (HttpMethod.CONNECT.equals(request.method()))
        {
            // no tunnelling: refused here, never forwarded (a worker would wait for a tunnel that never comes)
            return refuseAndClose(501, "not implemented: CONNECT", ErrorReason.VERB);
        }

        final List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1))
        {
            return refuseAndClose(400, "bad request: one Host header required", ErrorReason.HOSTNAME);
        }
        CharSequence hostHeader = hosts.isEmpty() ? null : hosts.get(0);
        if (null != hostHeader && !RequestTargets.isValidAuthority(hostHeader))
        {
            return refuseAndClose(400, "bad request: invalid Host header", ErrorReason.HOSTNAME);
        }

        final String uri = request.uri();
        String pathAndQuery = uri;
        if (RequestTargets.isAbsoluteForm(uri))
        {
            // RFC 9112 3.2.2: the authority replaces Host, for routing and for the host; the host gets origin form
            hostHeader = RequestTargets.authority(uri);
            if (null == hostHeader)
            {
                return refuseAndClose(
                    400, "bad request: invalid request target authority", ErrorReason.HOSTNAME);
            }
            pathAndQuery = RequestTargets.pathAndQuery(uri).toString();
            request.setUri(pathAndQuery);
            HandlerHeaders.replaceHost(request.headers(), hostHeader);
        }

        serverOptions = ASTERISK.equals(pathAndQuery) && HttpMethod.OPTIONS.equals(request.method());
        final String path = serverOptions ? ASTERISK : PathNormalizer.normalize(pathAndQuery);
        if (null == path)
        {
            return refuseAndClose(400, "bad request: invalid request target", ErrorReason.BAD_REQUEST);
        }
        if (!serverOptions && !PathNormalizer.isWithinSegmentLimits(path, maxSegmentLength, maxSegmentCount))
        {
            return refuseAndClose(400, "bad request: URL path segment longer than " +
                maxSegmentLength + " characters or more than " + maxSegmentCount + " segments",
                ErrorReason.BAD_REQUEST);
        }

        // the decoder validated the framing: one Content-Length of digits, or chunked, or no body (RFC 9112 6.3)
        final String declaredLength = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        contentLength = HttpUtil.isTransferEncodingChunked(request) ?
            -1 : null == declaredLength ? 0 : Long.parseLong(declaredLength);
        binding = serverOptions ? null : router.route(hostHeader, localPort, path);
        return PROCEED;
    }

    /**
     * Decide a routed head that now has its exchange; when admitted, a place in the queue is taken (the exchange gives
     * it back when it ends).
     *
     * @param request the head that passed {@link #checkHead}.
     * @return {@link #ANSWER_SERVER_OPTIONS}, {@link #REFUSE_TRACE}, {@link #REFUSE}, {@link #REFUSE_AND_CLOSE} or
     * {@link #ADMITTED}.
     */
    int admit(final HttpRequest request)
    {
        if (serverOptions)
        {
            return ANSWER_SERVER_OPTIONS;
        }
        if (HttpMethod.TRACE.equals(request.method()))
        {
            return REFUSE_TRACE;
        }
        final QueueBinding binding = this.binding;
        if (null == binding)
        {
            return refuse(404, "not found", ErrorReason.NOT_FOUND);
        }
        if (contentLength > binding.maxRequestBodySize())
        {
            return refuseAndClose(
                413, tooLarge("Content-Length", binding.maxRequestBodySize()), ErrorReason.ENTITY_TOO_LARGE);
        }
        if (isUnsupportedExpectation(request))
        {
            return refuse(417, "expectation failed", ErrorReason.NOT_IMPLEMENTED);
        }
        if (!binding.queue().tryAcquire())
        {
            return refuse(503, "service unavailable: request queue full", ErrorReason.QUEUE_FULL);
        }
        return ADMITTED;
    }

    /**
     * Hand a request {@link #admit} admitted to its queue's host: its time in queue starts, {@code 100 Continue} is
     * sent first when the client expects it and a body follows, and the host is given the client's fields less those
     * of the client's connection ({@link HandlerHeaders}), the same in every hosting model. A host that cannot take it
     * gets it answered 503.
     *
     * @param request  the request.
     * @param exchange its exchange.
     * @param nowNs    the connection's clock now: when the request was admitted.
     */
    void handOff(final HttpRequest request, final AdmittedExchange exchange, final long nowNs)
    {
        final QueueBinding binding = this.binding;
        final long contentLength = this.contentLength;
        exchange.enterQueue(binding.queue(), binding.queueWaitTimeoutNs(), nowNs);
        if (binding.queue().isOffline())
        {
            // taken offline (app_offline.htm): its page, and the host never sees the request
            exchange.sendError(
                503, binding.queue().offlineContentType(), binding.queue().offlineBody(), ErrorReason.APP_OFFLINE);
            return;
        }
        if (contentLength != 0 && HttpUtil.is100ContinueExpected(request))
        {
            // before the host sees the request: an in-process handler may answer within open()
            exchange.sendContinue();
        }
        // every model hands its handler the same fields: the client's, less those of the client's connection
        HandlerHeaders.strip(request.headers(), contentLength, exchange.isUpgradeRequested());
        final RequestSink sink = binding.host().open(exchange, request, contentLength);
        if (null == sink)
        {
            exchange.sendError(503, "service unavailable", ErrorReason.APP_OFFLINE);
            return;
        }
        if (!exchange.isDone())
        {
            exchange.admitted(binding.queue(), sink);
        }
    }

    /**
     * @return the status of the last refusal.
     */
    int status()
    {
        return status;
    }

    /**
     * @return the answer's text of the last refusal.
     */
    String reason()
    {
        return reason;
    }

    /**
     * @return why the last refusal, for the error log.
     */
    ErrorReason errorReason()
    {
        return errorReason;
    }

    /**
     * @return the route of the last head that passed, or null when no prefix matched (or {@code OPTIONS *}).
     */
    QueueBinding binding()
    {
        return binding;
    }

    /**
     * @return the body length of the last head that passed: its {@code Content-Length}, -1 when chunked, 0 when none.
     */
    long contentLength()
    {
        return contentLength;
    }

    /**
     * @param what  what was over the limit.
     * @param limit the queue's body limit.
     * @return the text of a 413 answer.
     */
    static String tooLarge(final String what, final long limit)
    {
        return "request entity too large: " + what + " over the limit: limit=" + limit;
    }

    /**
     * @param cause why a decode failed, or null.
     * @return the answer's text: the status's reason phrase, and the failure's message after it.
     */
    static String reasonOf(final Throwable cause)
    {
        final String reason = HttpResponseStatus.valueOf(statusOf(cause)).reasonPhrase().toLowerCase(Locale.ROOT);
        final String detail = null == cause ? null : cause.getMessage();
        return null == detail ? reason : reason + ": " + detail;
    }

    /**
     * @param cause why a decode failed, or null.
     * @return the answer's status: the decoder's own, 414 for a long line, 431 for long fields, 413 for a long frame,
     * else 400.
     */
    static int statusOf(final Throwable cause)
    {
        if (cause instanceof HttpStatusException refusal)
        {
            return refusal.status();
        }
        if (cause instanceof TooLongHttpLineException)
        {
            return 414;
        }
        if (cause instanceof TooLongHttpHeaderException)
        {
            return 431;
        }
        if (cause instanceof TooLongFrameException)
        {
            return 413;
        }
        return 400;
    }

    /**
     * @param cause why a decode failed, or null.
     * @return the error log's reason: the limit passed (414 {@code URL_Length}; 431 {@code FieldLength} for one field
     * line, else {@code RequestLength}; 413 {@code EntityTooLarge}), 501 {@code N/I}, else {@code BadRequest}.
     */
    static ErrorReason errorReasonOf(final Throwable cause)
    {
        final int status = statusOf(cause);
        return switch (status)
        {
            case 413 -> ErrorReason.ENTITY_TOO_LARGE;
            case 414 -> ErrorReason.URL_LENGTH;
            case 431 -> null != cause && null != cause.getMessage() &&
                cause.getMessage().startsWith(StrictRequestDecoder.FIELD_LINE) ?
                ErrorReason.FIELD_LENGTH : ErrorReason.REQUEST_LENGTH;
            case 501 -> ErrorReason.NOT_IMPLEMENTED;
            default -> ErrorReason.BAD_REQUEST;
        };
    }

    private int refuseAndClose(final int status, final String reason, final ErrorReason errorReason)
    {
        this.status = status;
        this.reason = reason;
        this.errorReason = errorReason;
        return REFUSE_AND_CLOSE;
    }

    private int refuse(final int status, final String reason, final ErrorReason errorReason)
    {
        this.status = status;
        this.reason = reason;
        this.errorReason = errorReason;
        return REFUSE;
    }

    private static boolean isUnsupportedExpectation(final HttpRequest request)
    {
        final String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return null != expect && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }
}
