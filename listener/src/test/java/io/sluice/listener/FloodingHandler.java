package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process handler that ignores back-pressure from a thread of its own: {@code ?n=} answers {@code n} bytes of
 * {@link SampleHandler#patternByte}'s pattern, sent by a new thread in {@value #CHUNK_LENGTH}-byte chunks that never
 * stops for {@code sendBody}'s false. Any other request gets "ok". The latest response's sender is
 * {@link #latest()}, for a test to watch.
 */
public final class FloodingHandler implements Handler
{
    static final int CHUNK_LENGTH = 16 * 1024;

    private static final AtomicReference<Flood> LATEST = new AtomicReference<>();

    /**
     * Loaded by class name.
     */
    public FloodingHandler()
    {
    }

    /**
     * @return the sender of the latest flooding response, or null.
     */
    static Flood latest()
    {
        return LATEST.get();
    }

    @Override
    public void onRequest(final Exchange exchange)
    {
        final String query = exchange.query();
        if (null == query || !query.startsWith("n="))
        {
            exchange.respond(200, "text/plain", "ok".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        final long length = Long.parseLong(query.substring(2));
        exchange.sendHead(200, "application/octet-stream", length);
        final Flood flood = new Flood(exchange, length);
        flood.thread.start();
        LATEST.set(flood);
    }

    @Override
    public void onWritable(final Exchange exchange)
    {
        // ignored: the sender never stops
    }

    /**
     * One response's sending thread and what it saw.
     */
    static final class Flood
    {
        final Thread thread;
        final AtomicInteger refusals = new AtomicInteger();
        volatile long sentLength;

        Flood(final Exchange exchange, final long length)
        {
            thread = new Thread(() -> send(exchange, length), "flooding-handler");
            thread.setDaemon(true);
        }

        private void send(final Exchange exchange, final long length)
        {
            final byte[] bytes = new byte[CHUNK_LENGTH];
            final UnsafeBuffer chunk = new UnsafeBuffer(bytes);
            long position = 0;
            while (position < length)
            {
                final int chunkLength = (int)Math.min(CHUNK_LENGTH, length - position);
                for (int i = 0; i < chunkLength; i++)
                {
                    bytes[i] = SampleHandler.patternByte(position + i);
                }
                position += chunkLength;
                if (!exchange.sendBody(chunk, 0, chunkLength, position == length))
                {
                    refusals.incrementAndGet();
                }
                sentLength = position;
            }
        }
    }
}
