package io.sluice.listener.hosting.loopback;

import io.sluice.dispatch.worker.LoopbackProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shutdown event a loopback queue sends its workers when the listener stops, so that each finishes what it holds
 * and exits before the supervisor closes its standard input and, past the time limit, kills it.
 */
final class LoopbackShutdown
{
    private static final Logger LOG = Logger.getLogger(LoopbackHost.class.getName());

    private LoopbackShutdown()
    {
    }

    /**
     * Ask every ready worker of a queue to stop: {@code Sluice-Event: shutdown} on a connection of its own, carrying
     * its token, then wait, up to {@value LoopbackHost#SHUTDOWN_EVENT_TIMEOUT_MS} ms in all, for each to close its
     * connection (the worker's acknowledgement). Best effort: a worker that cannot be reached or does not answer in
     * time is left to the supervisor. Blocks.
     *
     * @param queueName       the queue's name, for the log.
     * @param applicationPath the path the workers serve.
     * @param slots           the queue's worker slots; those not ready are skipped.
     */
    static void ask(
        final String queueName, final String applicationPath, final AtomicReferenceArray<LoopbackSlot> slots)
    {
        final List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++)
        {
            final LoopbackSlot slot = slots.get(i);
            if (null == slot || !slot.isReady())
            {
                continue;
            }
            final Socket socket = new Socket();
            try
            {
                socket.connect(slot.address(), (int)LoopbackHost.SHUTDOWN_EVENT_TIMEOUT_MS);
                final OutputStream out = socket.getOutputStream();
                out.write(("GET " + applicationPath + " HTTP/1.1\r\n" +
                    "host: 127.0.0.1:" + slot.port() + "\r\n" +
                    LoopbackProtocol.SLUICE_TOKEN + ": " + slot.token() + "\r\n" +
                    LoopbackProtocol.SLUICE_EVENT + ": " + LoopbackProtocol.SHUTDOWN_EVENT + "\r\n" +
                    "connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                sockets.add(socket);
            }
            catch (final IOException ex)
            {
                LOG.fine(() -> "queue " + queueName + ": cannot ask worker " + slot + " to stop: " + ex);
                closeQuietly(socket);
            }
        }

        final long deadlineNs =
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LoopbackHost.SHUTDOWN_EVENT_TIMEOUT_MS);
        final byte[] discard = new byte[256];
        for (final Socket socket : sockets)
        {
            try
            {
                final InputStream in = socket.getInputStream();
                int read = 0;
                while (read >= 0)
                {
                    final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                    if (remainingMs <= 0)
                    {
                        break;
                    }
                    socket.setSoTimeout((int)remainingMs);
                    read = in.read(discard);
                }
            }
            catch (final SocketTimeoutException ex)
            {
                LOG.fine(() -> "queue " + queueName + ": worker did not acknowledge shutdown in time");
            }
            catch (final IOException ex)
            {
                LOG.log(Level.FINE, "queue " + queueName + ": shutdown event failed", ex);
            }
            finally
            {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // nothing left to do
        }
    }
}
