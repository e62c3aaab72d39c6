package io.sluice.listener;

import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A host that no longer takes requests (its queue was removed or recycled by a reload): it finishes the requests it
 * took — its request queue drains to empty, for at most a time limit — and then stops, off the reloading thread; then
 * what outlived it goes (a removed queue's counters). Closed exactly once, by the drain or by the listener's own close,
 * whichever comes first.
 */
final class HostRetirement
{
    private static final Logger LOG = Logger.getLogger(HostRetirement.class.getName());
    private static final long DRAIN_POLL_MS = 10;

    private final String queueName;
    private final Host host;
    private final RequestQueue queue;
    private final long drainLimitMs;
    private final List<Path> directories;
    private final Runnable afterClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param queueName    the queue's name, for the log.
     * @param host         the host to stop.
     * @param queue        the request queue whose requests it serves; no request is admitted to it any more.
     * @param drainLimitMs longest wait for the queue to drain before the host is stopped anyway.
     * @param directories  the host's worker directories in the shared-memory directory, removed once it stopped.
     * @param afterClose   run once the host stopped (frees a removed queue's counters), or null.
     */
    HostRetirement(
        final String queueName,
        final Host host,
        final RequestQueue queue,
        final long drainLimitMs,
        final List<Path> directories,
        final Runnable afterClose)
    {
        this.queueName = queueName;
        this.host = host;
        this.queue = queue;
        this.drainLimitMs = drainLimitMs;
        this.directories = directories;
        this.afterClose = afterClose;
    }

    /**
     * Wait for the drain and stop the host on a thread of its own.
     *
     * @param onClosed run once the host is stopped.
     */
    void start(final Runnable onClosed)
    {
        final Thread thread = new Thread(
            () ->
            {
                drain();
                close();
                onClosed.run();
            },
            "sluice-retire-" + queueName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stop the host now, unless it was stopped already, remove its worker directories, and run what follows. Blocks.
     */
    void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            host.close();
        }
        catch (final RuntimeException ex)
        {
            LOG.warning(() -> "queue " + queueName + ": error stopping its previous host: " + ex);
        }
        for (final Path directory : directories)
        {
            deleteTree(directory);
        }
        try
        {
            if (null != afterClose)
            {
                afterClose.run();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warning(() -> "queue " + queueName + ": error after stopping its previous host: " + ex);
        }
    }

    private void drain()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainLimitMs);
        while (queue.length() > 0 && System.nanoTime() - deadlineNs < 0 && !closed.get())
        {
            try
            {
                Thread.sleep(DRAIN_POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (queue.length() > 0 && !closed.get())
        {
            LOG.warning(() -> "queue " + queueName + ": " + queue.length() + " request(s) of its previous host still " +
                "in flight after " + drainLimitMs + " ms; stopping it anyway");
        }
    }

    private static void deleteTree(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            LOG.warning(() -> "cannot remove " + directory + ": " + ex.getMessage());
        }
    }
}
