package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A handler that answers {@code 200 text/plain} with what it was given: {@code target=}, {@code path=},
 * {@code host=}, {@code remote=} (address) and {@code length=} (declared body length) lines, then one {@code name: value} line per request header field (names lower-cased), so a test can
 * compare the hosting models. It adds its own {@code Date} (the listener's must replace it). A path ending in
 * {@code /stream} is answered with a body of unknown length, sent in two pieces.
 */
public final class TargetEchoHandler implements Handler
{
    /**
     * The {@code Date} the handler adds to every response; never seen by a client.
     */
    public static final String HANDLER_DATE = "Thu, 01 Jan 1970 00:00:00 GMT";

    /**
     * Loaded by class name.
     */
    public TargetEchoHandler()
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
        text.append("target=").append(exchange.target()).append('\n');
        text.append("path=").append(exchange.path()).append('\n');
        text.append("host=").append(exchange.header("host")).append('\n');
        text.append("remote=").append(exchange.remoteAddress()).append('\n');
        text.append("length=").append(exchange.contentLength()).append('\n');
        for (int i = 0; i < exchange.headerCount(); i++)
        {
            text.append(exchange.headerName(i).toLowerCase(Locale.ROOT))
                .append(": ")
                .append(exchange.headerValue(i))
                .append('\n');
        }
        final byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        exchange.responseHeader("Date", HANDLER_DATE);
        if (exchange.path().endsWith("/stream"))
        {
            exchange.sendHead(200, "text/plain", Exchange.UNKNOWN_LENGTH);
            final UnsafeBuffer buffer = new UnsafeBuffer(body);
            exchange.sendBody(buffer, 0, body.length / 2, false);
            exchange.sendBody(buffer, body.length / 2, body.length - body.length / 2, true);
        }
        else
        {
            exchange.respond(200, "text/plain", body);
        }
    }
}
