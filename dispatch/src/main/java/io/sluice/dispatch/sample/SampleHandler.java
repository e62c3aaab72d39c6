package io.sluice.dispatch.sample;

import io.sluice.dispatch.websocket.WebSocket;
import io.sluice.dispatch.websocket.WebSocketEndpoint;
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
 *     <li>{@code GET <prefix>sleep?ms=N}: 200 after N milliseconds, answered from a timer thread;</li>
 *     <li>{@code GET <prefix>bytes?n=N}: 200, application/octet-stream, N bytes (0 to {@value #MAX_BYTES_LENGTH}) of a
 *     repeating pattern ({@link #patternByte(long)}), streamed in {@value #BYTES_CHUNK_LENGTH}-byte chunks that follow
 *     the exchange's back-pressure: sending stops when {@link Exchange#sendBody} answers false and resumes from
 *     {@link Handler#onWritable(Exchange)}, so a client that reads slowly costs little memory;</li>
 *     <li>{@code GET <prefix>ws}: a WebSocket echo ({@link WebSocket}): each text or binary message, up to 16 MiB,
 *     is sent back as it came; a request that is not a WebSocket handshake gets 426.</li>
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

    /**
     * Largest body {@code bytes?n=} answers: {@value} bytes.
     */
    public static final long MAX_BYTES_LENGTH = 1L << 32;

    /**
     * Chunk size of a {@code bytes?n=} body: {@value} bytes.
     */
    public static final int BYTES_CHUNK_LENGTH = 16 * 1024;

    private static final int PATTERN_PERIOD = 251;
    private static final UnsafeBuffer PATTERN = pattern();

    private static final WebSocketEndpoint ECHO = new WebSocketEndpoint()
    {
        public void onText(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            webSocket.sendText(buffer, offset, length);
        }

        public void onBinary(final WebSocket webSocket, final DirectBuffer buffer, final int offset, final int length)
        {
            webSocket.sendBinary(buffer, offset, length);
        }
    };

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
        if (path.endsWith("/ws"))
        {
            WebSocket.accept(exchange, ECHO);
            return;
        }

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

        if (path.endsWith("/bytes") && ("GET".equals(exchange.method()) || "HEAD".equals(exchange.method())))
        {
            final long length = queryLong(exchange.query(), "n=", MAX_BYTES_LENGTH);
            if (length < 0)
            {
                exchange.respond(400, TEXT_PLAIN, ("bytes needs n=0.." + MAX_BYTES_LENGTH)
                    .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            exchange.sendHead(200, OCTET_STREAM, length);
            final BytesBody body = new BytesBody(length);
            exchange.attachment(body);
            body.send(exchange);
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
     * A {@code bytes?n=} body was held back: go on with it.
     *
     * @param exchange the exchange that may continue.
     */
    public void onWritable(final Exchange exchange)
    {
        if (exchange.attachment() instanceof BytesBody body)
        {
            body.send(exchange);
        }
        else if (exchange.attachment() instanceof WebSocket webSocket)
        {
            webSocket.onWritable();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAbort(final Exchange exchange)
    {
        if (exchange.attachment() instanceof WebSocket webSocket)
        {
            webSocket.onAbort();
        }
    }

    /**
     * The byte at a position of a {@code bytes?n=} body, so a client can check what it got.
     *
     * @param position from the start of the body.
     * @return the byte.
     */
    public static byte patternByte(final long position)
    {
        return (byte)('a' + (position % PATTERN_PERIOD) % 26);
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        final WebSocket webSocket = WebSocket.of(exchange);
        if (null != webSocket)
        {
            webSocket.onBody(buffer, offset, length, last);
        }
        else if ("POST".equals(exchange.method()) && exchange.path().endsWith("/echo"))
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
        return queryLong(query, "ms=", MAX_SLEEP_MS);
    }

    private static long queryLong(final String query, final String prefix, final long max)
    {
        if (null == query)
        {
            return -1;
        }

        for (final String pair : query.split("&"))
        {
            if (pair.startsWith(prefix))
            {
                try
                {
                    final long value = Long.parseLong(pair.substring(prefix.length()));
                    return value >= 0 && value <= max ? value : -1;
                }
                catch (final NumberFormatException ex)
                {
                    return -1;
                }
            }
        }

        return -1;
    }

    private static UnsafeBuffer pattern()
    {
        // a whole number of periods longer than a chunk: any position's chunk is one contiguous slice of it
        final int periods = BYTES_CHUNK_LENGTH / PATTERN_PERIOD + 2;
        final byte[] bytes = new byte[periods * PATTERN_PERIOD];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = patternByte(i);
        }
        return new UnsafeBuffer(bytes);
    }

    /**
     * The progress of one {@code bytes?n=} body; sent from {@code onRequest}, then from each {@code onWritable}.
     */
    private static final class BytesBody
    {
        private final long length;
        private long sent;

        BytesBody(final long length)
        {
            this.length = length;
        }

        void send(final Exchange exchange)
        {
            boolean more = true;
            do
            {
                final int chunk = (int)Math.min(BYTES_CHUNK_LENGTH, length - sent);
                final int offset = (int)(sent % PATTERN_PERIOD);
                sent += chunk;
                more = exchange.sendBody(PATTERN, offset, chunk, sent == length);
            }
            while (more && sent < length);
        }
    }
}
