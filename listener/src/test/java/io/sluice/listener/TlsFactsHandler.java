package io.sluice.listener;

import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The sample handler, except that {@code <prefix>tls} answers {@code 200 text/plain} with what the handler was told
 * of the connection ({@code scheme}, {@code protocol}, {@code cipher}, {@code server-name}, {@code client-cert}, each
 * {@code -} when absent) and then the request header fields it was given, one {@code name: value} line each, names
 * lower-cased: so a test sees the same facts and fields in every hosting model. Loaded by class name (in-process, or
 * in worker processes from the test class path).
 */
public final class TlsFactsHandler implements Handler
{
    private final SampleHandler sample = new SampleHandler();

    /**
     * Loaded by class name.
     */
    public TlsFactsHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        if (exchange.path().endsWith("/tls"))
        {
            final TlsInfo tls = exchange.tls();
            final StringBuilder text = new StringBuilder(512)
                .append("scheme: ").append(exchange.scheme()).append('\n')
                .append("protocol: ").append(null == tls ? "-" : tls.protocol()).append('\n')
                .append("cipher: ").append(null == tls ? "-" : tls.cipher()).append('\n')
                .append("server-name: ").append(null == tls || null == tls.serverName() ? "-" : tls.serverName())
                .append('\n')
                .append("client-cert: ")
                .append(null == tls || null == tls.clientCertificate() ? "-" : tls.clientCertificate()).append('\n');
            for (int i = 0; i < exchange.headerCount(); i++)
            {
                text.append(exchange.headerName(i).toLowerCase(Locale.ROOT)).append(": ")
                    .append(exchange.headerValue(i)).append('\n');
            }
            exchange.respond(200, "text/plain", text.toString().getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        sample.onRequest(exchange);
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        sample.onBody(exchange, buffer, offset, length, last);
    }

    /**
     * {@inheritDoc}
     */
    public void onWritable(final Exchange exchange)
    {
        sample.onWritable(exchange);
    }

    /**
     * {@inheritDoc}
     */
    public void onAbort(final Exchange exchange)
    {
        sample.onAbort(exchange);
    }
}
