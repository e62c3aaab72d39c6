package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A handler that misbehaves through the {@link Exchange} API as its last path segment asks, the same misbehaviour
 * {@link HostileWorker} writes as raw ring records, so one scenario runs against every hosting model. Anything else
 * gets {@code 200 text/plain} {@code ok}.
 */
public final class HostileHandler implements Handler
{
    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        final String path = exchange.path();
        switch (path.substring(path.lastIndexOf('/') + 1))
        {
            case "crlf" -> exchange.responseHeader("x-test", "a\r\nInjected: yes").respond(200, "text/plain", ok());
            case "lf" -> exchange.responseHeader("x-test", "a\nInjected: yes").respond(200, "text/plain", ok());
            case "nul" -> exchange.responseHeader("x-test", "a\0b").respond(200, "text/plain", ok());
            case "bad-name" -> exchange.responseHeader("x test", "a").respond(200, "text/plain", ok());
            case "empty-name" -> exchange.responseHeader("", "a").respond(200, "text/plain", ok());
            case "framing" -> exchange
                .responseHeader("Content-Length", "0")
                .responseHeader("Transfer-Encoding", "chunked")
                .responseHeader("Connection", "keep-alive")
                .responseHeader("Keep-Alive", "timeout=5")
                .responseHeader("Upgrade", "h2c")
                .responseHeader("x-kept", "yes")
                .respond(200, null, "0123456789".getBytes(StandardCharsets.US_ASCII));
            case "status100" -> exchange.respond(100, "text/plain", ok());
            case "status103" -> exchange.respond(103, "text/plain", ok());
            case "status0" -> exchange.respond(0, "text/plain", ok());
            case "status999" -> exchange.respond(999, "text/plain", ok());
            case "status-1" -> exchange.respond(-1, "text/plain", ok());
            case "status204" ->
                exchange.respond(204, "text/plain", "body of a 204".getBytes(StandardCharsets.US_ASCII));
            case "status304" ->
                exchange.respond(304, "text/plain", "body of a 304".getBytes(StandardCharsets.US_ASCII));
            case "long-body", "long-chunks" ->
            {
                exchange.sendHead(200, "text/plain", 5);
                send(exchange, "0123456789");
            }
            case "short-body", "short-chunks" ->
            {
                exchange.sendHead(200, "text/plain", 10);
                send(exchange, "01234");
            }
            case "second-head" ->
            {
                exchange.sendHead(200, "text/plain", -1);
                final byte[] bytes = "abc".getBytes(StandardCharsets.US_ASCII);
                exchange.sendBody(new UnsafeBuffer(bytes), 0, bytes.length, false);
                exchange.respond(200, "text/plain", "xyz".getBytes(StandardCharsets.US_ASCII));
            }
            case "body-first" -> send(exchange, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
            default -> exchange.respond(200, "text/plain", ok());
        }
    }

    private static byte[] ok()
    {
        return "ok".getBytes(StandardCharsets.US_ASCII);
    }

    private static void send(final Exchange exchange, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        exchange.sendBody(new UnsafeBuffer(bytes), 0, bytes.length, true);
    }
}
