package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A handler that answers every request with {@code 200 text/plain} listing the request header fields it was given,
 * one {@code name: value} line each, in order, names lower-cased, so a test can see exactly what reached the handler
 * in each hosting model. Loaded by class name (in-process, or in worker processes from the test class path).
 */
public final class HeaderEchoHandler implements Handler
{
    /**
     * Loaded by class name.
     */
    public HeaderEchoHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        if (!exchange.hasBody())
        {
            respond(exchange);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (last)
        {
            respond(exchange);
        }
    }

    private static void respond(final Exchange exchange)
    {
        final StringBuilder text = new StringBuilder(256);
        for (int i = 0; i < exchange.headerCount(); i++)
        {
            text.append(exchange.headerName(i).toLowerCase(Locale.ROOT))
                .append(": ")
                .append(exchange.headerValue(i))
                .append('\n');
        }
        exchange.respond(200, "text/plain", text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
