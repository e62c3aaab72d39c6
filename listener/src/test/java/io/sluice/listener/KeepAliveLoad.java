package io.sluice.listener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous keep-alive load against one queue: each client thread keeps one connection and sends, in turn, a GET of
 * the queue's root, a GET that sleeps a few ms in the handler (so that requests are in flight at any moment) and a
 * POST echo (never retried by the listener), checking each answer's status and body. A connection the listener
 * closes, or that fails, is counted and opened again.
 */
final class KeepAliveLoad extends ClientThreads
{
    private static final byte[] ECHO_BODY = "recycled? no request lost".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final String path;
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final AtomicLong wrongBodies = new AtomicLong();
    private final AtomicLong connectionFailures = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private volatile String lastFailure;

    /**
     * @param port    the listener's port.
     * @param path    the queue's path, e.g. {@code /shm/}.
     * @param clients how many connections.
     */
    KeepAliveLoad(final int port, final String path, final int clients)
    {
        super("keep-alive-load", clients, "a load client still waits for an answer");
        this.port = port;
        this.path = path;
    }

    void run(final int client)
    {
        long sent = 0;
        while (running())
        {
            try (RawHttpClient connection = new RawHttpClient(port))
            {
                while (running())
                {
                    final int kind = (int)(sent++ % 3);
                    final byte[] request = switch (kind)
                    {
                        case 0 -> RawHttpClient.get(path, port);
                        case 1 -> RawHttpClient.get(path + "sleep?ms=5", port);
                        default -> RawHttpClient.post(path + "echo", port, "text/plain", ECHO_BODY);
                    };
                    final RawHttpClient.Response response = connection.send(request);
                    statuses.computeIfAbsent(response.status(), (s) -> new AtomicLong()).incrementAndGet();
                    answered.incrementAndGet();
                    final String expected = switch (kind)
                    {
                        case 0 -> "Hello, World!";
                        case 1 -> "slept";
                        default -> new String(ECHO_BODY, StandardCharsets.US_ASCII);
                    };
                    if (response.status() != 200 || !expected.equals(response.bodyText()))
                    {
                        wrongBodies.incrementAndGet();
                        lastFailure = response.toString();
                    }
                    if ("close".equalsIgnoreCase(response.header("connection")))
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                connectionFailures.incrementAndGet();
                lastFailure = ex.toString();
            }
        }
    }

    /**
     * @return answers received so far.
     */
    long answered()
    {
        return answered.get();
    }

    /**
     * @return answers by status.
     */
    Map<Integer, Long> statuses()
    {
        final Map<Integer, Long> copy = new TreeMap<>();
        statuses.forEach((status, count) -> copy.put(status, count.get()));
        return copy;
    }

    /**
     * @return answers that were not 200 with the expected body.
     */
    long wrongAnswers()
    {
        return wrongBodies.get();
    }

    /**
     * @return connections that failed or were closed without an answer to a request sent on them.
     */
    long connectionFailures()
    {
        return connectionFailures.get();
    }

    /**
     * @return a summary for failure messages.
     */
    String summary()
    {
        return "answered " + answered() + " " + statuses() + ", wrong " + wrongAnswers() + ", connection failures " +
            connectionFailures() + (null == lastFailure ? "" : ", last failure: " + lastFailure);
    }
}
