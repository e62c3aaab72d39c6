package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process handler for the limit and timer tests, which counts what the listener tells it, so a test can check
 * that a request the listener answered itself (413, 408, 503) was reported to the handler as abandoned. Paths,
 * relative to the queue's prefix:
 * <ul>
 *     <li>{@code GET big?mib=N}: 200 with N MiB of zero bytes, written at once;</li>
 *     <li>{@code POST early}: 200 {@code early} as soon as the head arrives, before the body;</li>
 *     <li>any other request with a body: 200 {@code received N} once the whole body is in;</li>
 *     <li>any other request: 200 {@code ok}.</li>
 * </ul>
 * Counters are static: the in-process host loads the class by name in the test's JVM.
 */
public final class LimitsHandler implements Handler
{
    static final AtomicInteger REQUESTS = new AtomicInteger();
    static final AtomicInteger ABORTS = new AtomicInteger();

    private static final int MIB = 1024 * 1024;
    private static final UnsafeBuffer ZEROS = new UnsafeBuffer(ByteBuffer.allocateDirect(MIB));
    private static final String TEXT_PLAIN = "text/plain";

    /**
     * Loaded by class name.
     */
    public LimitsHandler()
    {
    }

    static void reset()
    {
        REQUESTS.set(0);
        ABORTS.set(0);
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        REQUESTS.incrementAndGet();
        final String path = exchange.path();
        if (path.endsWith("/big"))
        {
            final int mib = Integer.parseInt(exchange.query().substring("mib=".length()));
            exchange.sendHead(200, "application/octet-stream", (long)mib * MIB);
            for (int i = 0; i < mib; i++)
            {
                exchange.sendBody(ZEROS, 0, MIB, i == mib - 1);
            }
            return;
        }
        if (path.endsWith("/early"))
        {
            exchange.respond(200, TEXT_PLAIN, ascii("early"));
            return;
        }
        if (!exchange.hasBody())
        {
            exchange.respond(200, TEXT_PLAIN, ascii("ok"));
            return;
        }
        exchange.attachment(new long[1]);
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final Object attachment = exchange.attachment();
        if (attachment instanceof long[] received)
        {
            received[0] += length;
            if (last)
            {
                exchange.respond(200, TEXT_PLAIN, ascii("received " + received[0]));
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAbort(final Exchange exchange)
    {
        ABORTS.incrementAndGet();
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
