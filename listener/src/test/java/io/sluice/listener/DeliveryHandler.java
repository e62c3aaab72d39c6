package io.sluice.listener;

import io.sluice.dispatch.worker.Exchange;
import io.sluice.dispatch.worker.Handler;
import org.agrona.DirectBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker handler for the failure tests, run in worker processes (loaded by class name from the test class path).
 * Every request carrying an {@code X-Id} header is logged to standard output as {@code exec <method> <id>} when the
 * handler starts it, and {@code abort <id>} when the listener aborts it, so a test can count executions in the
 * worker's {@code stdoutLog}. Paths, relative to the queue's prefix:
 * <ul>
 *     <li>{@code POST .../echo}: 200, the body, sent in one message once the whole body is in;</li>
 *     <li>{@code POST .../stream}: 200, the body streamed back chunk by chunk as it arrives (needs a Content-Length);
 *     </li>
 *     <li>{@code ?hold=MS} on an echo or a hello: the answer is sent MS milliseconds later from a timer thread (the
 *     request stays started in the worker meanwhile);</li>
 *     <li>{@code ?release=FILE} on an echo or a hello: the answer is sent from a timer thread once FILE exists (the
 *     test creates it when it is done with the request held);</li>
 *     <li>{@code .../stall?marker=FILE&stalls=N}: counts the requests it sees in FILE; the first N are never
 *     answered (started, then silence), later ones get 200 {@code recovered};</li>
 *     <li>{@code .../block?marker=FILE}: creates FILE and blocks the worker's dispatch thread for ever (a hung
 *     worker);</li>
 *     <li>{@code .../pause?ms=N}: blocks the worker's dispatch thread N ms, then 200 {@code paused};</li>
 *     <li>{@code GET .../halfway}: sends a head announcing 100 bytes and 10 of them, then nothing more;</li>
 *     <li>anything else without a body: 200 {@code Hello, World!}.</li>
 * </ul>
 */
public final class DeliveryHandler implements Handler
{
    static final String HELLO = "Hello, World!";
    static final String RECOVERED = "recovered";

    private static final long RELEASE_POLL_MS = 10;

    private static final byte[] HELLO_BYTES = HELLO.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECOVERED_BYTES = RECOVERED.getBytes(StandardCharsets.US_ASCII);
    private static final Object STREAM = new Object();
    private static final byte[] PAUSED_BYTES = "paused".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEN_BYTES = "0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final Set<String> ABORTED = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
        (r) ->
        {
            final Thread thread = new Thread(r, "delivery-timer");
            thread.setDaemon(true);
            return thread;
        });

    /**
     * Loaded by class name.
     */
    /**
     * The {@code exec} lines of a worker's {@code stdoutLog}, in the order the worker logged them.
     *
     * @param log the worker's log file.
     * @return its {@code exec <method> <id>} lines.
     * @throws IOException when the log cannot be read.
     */
    static List<String> executionLines(final Path log) throws IOException
    {
        final List<String> executed = new ArrayList<>();
        for (final String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1))
        {
            if (line.startsWith("exec "))
            {
                executed.add(line);
            }
        }
        return executed;
    }

    /**
     * How many times the workers logging to {@code log} started each request.
     *
     * @param log the workers' log file.
     * @return {@code <method> <id>} to the number of its {@code exec} lines.
     * @throws IOException when the log cannot be read.
     */
    static Map<String, Integer> executions(final Path log) throws IOException
    {
        final Map<String, Integer> executions = new HashMap<>();
        for (final String line : executionLines(log))
        {
            executions.merge(line.substring("exec ".length()), 1, Integer::sum);
        }
        return executions;
    }

    /**
     * @param id the {@code X-Id} of a request.
     * @return true once a handler in this JVM (in-process) was told the request was aborted.
     */
    static boolean isAborted(final String id)
    {
        return ABORTED.contains(id);
    }

    /**
     * Wait up to 20 s for a {@code stall} marker file to hold {@code content} (the number of requests it saw).
     *
     * @param marker  the marker file named in the request.
     * @param content the content awaited.
     * @throws Exception when interrupted or the marker cannot be read.
     * @throws AssertionError when the time runs out.
     */
    static void awaitMarker(final Path marker, final String content) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (Files.exists(marker) && content.equals(Files.readString(marker).trim()))
            {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the worker did not reach " + marker + " = " + content);
    }

    /**
     * Loaded by class name.
     */
    public DeliveryHandler()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onRequest(final Exchange exchange)
    {
        final String id = exchange.header("x-id");
        if (null != id)
        {
            System.out.println("exec " + exchange.method() + " " + id);
        }
        final String path = exchange.path();
        if (path.endsWith("/echo") && "POST".equals(exchange.method()))
        {
            exchange.attachment(new ByteArrayOutputStream());
            if (!exchange.hasBody())
            {
                exchange.respond(200, "application/octet-stream", new byte[0]);
            }
        }
        else if (path.endsWith("/stream") && "POST".equals(exchange.method()))
        {
            exchange.attachment(STREAM);
            exchange.sendHead(200, "application/octet-stream", exchange.contentLength());
            if (!exchange.hasBody())
            {
                exchange.sendBody(new org.agrona.concurrent.UnsafeBuffer(new byte[0]), 0, 0, true);
            }
        }
        else if (path.endsWith("/stall"))
        {
            stall(exchange);
        }
        else if (path.endsWith("/block"))
        {
            touch(Path.of(parameter(exchange.query(), "marker")), "1");
            while (true)
            {
                try
                {
                    Thread.sleep(60_000);
                }
                catch (final InterruptedException ignore)
                {
                    // hung means hung
                }
            }
        }
        else if (path.endsWith("/pause"))
        {
            try
            {
                Thread.sleep(Long.parseLong(parameter(exchange.query(), "ms")));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            exchange.respond(200, "text/plain", PAUSED_BYTES);
        }
        else if (path.endsWith("/halfway"))
        {
            exchange.sendHead(200, "text/plain", 100);
            exchange.sendBody(new org.agrona.concurrent.UnsafeBuffer(TEN_BYTES), 0, TEN_BYTES.length, false);
        }
        else if (!exchange.hasBody())
        {
            respond(exchange, "text/plain", HELLO_BYTES);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBody(
        final Exchange exchange, final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (exchange.attachment() == STREAM)
        {
            exchange.sendBody(buffer, offset, length, last);
        }
        else if (exchange.attachment() instanceof ByteArrayOutputStream body)
        {
            final byte[] chunk = new byte[length];
            buffer.getBytes(offset, chunk);
            body.writeBytes(chunk);
            if (last)
            {
                respond(exchange, "application/octet-stream", body.toByteArray());
            }
        }
        else if (last)
        {
            exchange.respond(200, "text/plain", HELLO_BYTES);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAbort(final Exchange exchange)
    {
        final String id = exchange.header("x-id");
        if (null != id)
        {
            ABORTED.add(id);
            System.out.println("abort " + id);
        }
    }

    private static void respond(final Exchange exchange, final String contentType, final byte[] body)
    {
        final String hold = parameter(exchange.query(), "hold");
        final String release = parameter(exchange.query(), "release");
        if (null != release)
        {
            respondOnceExists(exchange, contentType, body, Path.of(release));
        }
        else if (null == hold)
        {
            exchange.respond(200, contentType, body);
        }
        else
        {
            TIMER.schedule(() -> exchange.respond(200, contentType, body), Long.parseLong(hold), TimeUnit.MILLISECONDS);
        }
    }

    private static void respondOnceExists(
        final Exchange exchange, final String contentType, final byte[] body, final Path release)
    {
        TIMER.schedule(
            () ->
            {
                if (Files.exists(release))
                {
                    exchange.respond(200, contentType, body);
                }
                else
                {
                    respondOnceExists(exchange, contentType, body, release);
                }
            },
            RELEASE_POLL_MS, TimeUnit.MILLISECONDS);
    }

    private static void stall(final Exchange exchange)
    {
        final Path marker = Path.of(parameter(exchange.query(), "marker"));
        final String stallsText = parameter(exchange.query(), "stalls");
        final int stalls = null == stallsText ? 1 : Integer.parseInt(stallsText);
        int seen = 0;
        try
        {
            if (Files.exists(marker))
            {
                seen = Integer.parseInt(Files.readString(marker).trim());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        touch(marker, Integer.toString(seen + 1));
        if (seen + 1 > stalls)
        {
            exchange.respond(200, "text/plain", RECOVERED_BYTES);
        }
    }

    private static void touch(final Path marker, final String content)
    {
        try
        {
            final Path temporary = marker.resolveSibling(marker.getFileName() + ".tmp");
            Files.writeString(temporary, content);
            Files.move(temporary, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String parameter(final String query, final String name)
    {
        if (null == query)
        {
            return null;
        }
        for (final String pair : query.split("&"))
        {
            if (pair.startsWith(name + "="))
            {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }
}
