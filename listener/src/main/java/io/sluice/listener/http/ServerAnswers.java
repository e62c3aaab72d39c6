package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.ResponseHeads;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The answers the listener gives itself, for every route and hosting model, to requests about the server rather than
 * a resource: {@code OPTIONS *} and {@code TRACE}. Stateless.
 */
final class ServerAnswers
{
    private static final byte[] TRACE_REFUSED_BODY_BYTES =
        HttpConnectionHandler.TRACE_REFUSED_BODY.getBytes(StandardCharsets.US_ASCII);

    private ServerAnswers()
    {
    }

    /**
     * {@code OPTIONS *} asks about the server itself (RFC 9110 9.3.7): the listener answers it, 200 with
     * {@code allow} and no body, and never routes it.
     *
     * @param exchange the request.
     */
    static void serverOptions(final ClientExchange exchange)
    {
        final ByteBuf head = exchange.beginHead(HttpResponseStatus.OK.code());
        ResponseHeads.header(head, HttpHeaderNames.ALLOW, HttpConnectionHandler.SERVER_OPTIONS_ALLOW);
        exchange.finishHead(head, HttpResponseStatus.OK.code(), 0, null, 0, 0, true);
    }

    /**
     * {@code TRACE} would echo the request, credentials and cookies included, to whoever can make a client send it:
     * the listener refuses it for every route and every hosting model, 405 with the {@code allow} of
     * {@code OPTIONS *}, and never hands it to a host.
     *
     * @param exchange the request.
     */
    static void refuseTrace(final ServerExchange exchange)
    {
        exchange.connection.logError(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED.code(), ErrorReason.VERB);
        refuseTrace((ClientExchange)exchange);
    }

    /**
     * Refuse {@code TRACE} as {@link #refuseTrace(ServerExchange)} does, on an exchange of any protocol.
     *
     * @param exchange the request.
     */
    static void refuseTrace(final ClientExchange exchange)
    {
        final int status = HttpResponseStatus.METHOD_NOT_ALLOWED.code();
        final ByteBuf head = exchange.beginHead(status);
        ResponseHeads.header(head, HttpHeaderNames.ALLOW, HttpConnectionHandler.SERVER_OPTIONS_ALLOW);
        ResponseHeads.header(head, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        exchange.finishHead(
            head, status, TRACE_REFUSED_BODY_BYTES.length, new UnsafeBuffer(TRACE_REFUSED_BODY_BYTES), 0,
            TRACE_REFUSED_BODY_BYTES.length, true);
    }
}
