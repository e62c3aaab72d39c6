package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A handler that throws where the request's last path segment says, for the handler-failure scenario run against
 * every hosting model. Every way it answers adds a header first, which the failure answer must not carry.
 * <ul>
 *     <li>{@code pid}: 200 with the process id it runs in (the listener's in-process, the worker's otherwise);</li>
 *     <li>{@code throw}: throws in {@code onRequest};</li>
 *     <li>{@code throw-body}: throws in {@code onBody} at the last chunk;</li>
 *     <li>{@code throw-after-head}: sends a chunked head and part of the body, then throws;</li>
 *     <li>{@code throw-after-head-length}: sends a head with a content length, part of the body, then throws;</li>
 *     <li>anything else: 200 {@code ok}.</li>
 * </ul>
 * Loaded by class name (in-process, or in worker processes from the test class path).
 */
public final class FailingHandler implements Handler
{
    /**
     * Body bytes sent before the handler throws, in the cases that send a head first.
     */
    static final String PARTIAL_BODY = "partial";

    /**
     * Content length declared before the handler throws in {@code throw-after-head-length}.
     */
    static final int DECLARED_LENGTH = 100;

    private static final UnsafeBuffer PARTIAL = new UnsafeBuffer(PARTIAL_BODY.getBytes(StandardCharsets.US_ASCII));

    /**
     * Loaded by class name.
     */
    public FailingHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        final String path = exchange.path();
        final String action = path.substring(path.lastIndexOf('/') + 1);
        exchange.responseHeader("x-handler", "failing");
        switch (action)
        {
            case "pid" -> exchange.respond(
                200, "text/plain", Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
            case "throw" -> throw new IllegalStateException("thrown by the handler in onRequest");
            case "throw-body" ->
            {
                // answered (or thrown) in onBody
            }
            case "throw-after-head" ->
            {
                exchange.sendHead(200, "text/plain", Exchange.UNKNOWN_LENGTH);
                exchange.sendBody(PARTIAL, 0, PARTIAL.capacity(), false);
                throw new IllegalStateException("thrown by the handler after the head");
            }
            case "throw-after-head-length" ->
            {
                exchange.sendHead(200, "text/plain", DECLARED_LENGTH);
                exchange.sendBody(PARTIAL, 0, PARTIAL.capacity(), false);
                throw new IllegalStateException("thrown by the handler after the head");
            }
            default ->
            {
                if (!exchange.hasBody())
                {
                    exchange.respond(200, "text/plain", "ok".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (!last)
        {
            return;
        }
        if (exchange.path().endsWith("/throw-body"))
        {
            throw new IllegalStateException("thrown by the handler in onBody");
        }
        exchange.respond(200, "text/plain", "ok".getBytes(StandardCharsets.US_ASCII));
    }
}
