package io.sluice.dispatch.sample;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sample application Sluice ships, serves in its default configuration, tests and benchmarks. Paths are relative
 * to the queue's prefix (the application path):
 * <ul>
 *     <li>{@code GET <prefix>} (and any other GET): 200, text/plain, {@code Hello, World!};</li>
 *     <li>{@code POST <prefix>echo}: 200, the request body streamed back byte for byte;</li>
 *     <li>{@code GET <prefix>sleep?ms=N}: 200 after N milliseconds, answered from a timer thread.</li>
 * </ul>
 */
public final class SampleHandler implements Handler
{
    /**
     * The hello response body.
     */
    public static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private static final UnsafeBuffer HELLO_BUFFER = new UnsafeBuffer(HELLO);
    private static final byte[] SLEPT = "slept".getBytes(StandardCharsets.US_ASCII);
    private static final String TEXT_PLAIN = "text/plain";
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final long MAX_SLEEP_MS = 600_000;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
        (r) ->
        {
            final Thread thread = new Thread(r, "sample-timer");
            thread.setDaemon(true);
            return thread;
        });

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        final String path = exchange.path();
        if ("POST".equals(exchange.method()) && path.endsWith("/echo"))
        {
            final String type = exchange.header("content-type");
            exchange.sendHead(200, null != type ? type : OCTET_STREAM, exchange.contentLength());
            if (!exchange.hasBody())
            {
                exchange.sendBody(HELLO_BUFFER, 0, 0, true);
            }
            return;
        }

        if (path.endsWith("/sleep"))
        {
            final long ms = sleepMs(exchange.query());
            if (ms < 0)
            {
                exchange.respond(400, TEXT_PLAIN, "sleep needs ms=0..600000".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            exchange.attachment(Boolean.TRUE);
            TIMER.schedule(() -> exchange.respond(200, TEXT_PLAIN, SLEPT), ms, TimeUnit.MILLISECONDS);
            return;
        }

        if ("GET".equals(exchange.method()) || "HEAD".equals(exchange.method()))
        {
            if (!exchange.hasBody())
            {
                exchange.respond(200, TEXT_PLAIN, HELLO_BUFFER, 0, HELLO.length);
            }
            return;
        }

        if (!exchange.hasBody())
        {
            exchange.respond(405, TEXT_PLAIN, "method not allowed".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if ("POST".equals(exchange.method()) && exchange.path().endsWith("/echo"))
        {
            exchange.sendBody(buffer, offset, length, last);
        }
        else if (last)
        {
            if ("GET".equals(exchange.method()) || "HEAD".equals(exchange.method()))
            {
                exchange.respond(200, TEXT_PLAIN, HELLO_BUFFER, 0, HELLO.length);
            }
            else
            {
                exchange.respond(405, TEXT_PLAIN, "method not allowed".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static long sleepMs(final String query)
    {
        if (null == query)
        {
            return -1;
        }

        for (final String pair : query.split("&"))
        {
            if (pair.startsWith("ms="))
            {
                try
                {
                    final long ms = Long.parseLong(pair.substring(3));
                    return ms >= 0 && ms <= MAX_SLEEP_MS ? ms : -1;
                }
                catch (final NumberFormatException ex)
                {
                    return -1;
                }
            }
        }

        return -1;
    }
}
