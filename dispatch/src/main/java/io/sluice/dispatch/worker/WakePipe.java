package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.WorkerFileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;

/**
 * The worker's end of its wake pipe ({@link WorkerFileDescriptor#FEATURE_WAKE_PIPE}): the pipe the listener holds open
 * and names in {@code SLUICE_WAKE_PIPE}, opened for reading. A sleeping worker blocks reading it rather than its
 * doorbell socket, and the listener wakes it with one byte written to the pipe: a pipe's byte costs both sides a
 * fraction of a socket's. End-of-file on the pipe means the listener is gone (its write end closed with it).
 * <p>
 * The doorbell socket stays: the worker still rings the listener on it, and the listener closing it still means the
 * worker must go. As the duty thread no longer reads it, a daemon thread does ({@link #watchDoorbell}): at its
 * end-of-file it wakes the duty thread through the pipe.
 * <p>
 * Threading: the duty thread reads; {@link #wake()} from any thread.
 */
final class WakePipe implements AutoCloseable
{
    private static final byte WAKE_BYTE = 0;

    private final Path path;
    private final FileChannel channel;
    private volatile boolean doorbellClosed;

    private WakePipe(final Path path, final FileChannel channel)
    {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Open the pipe for reading.
     *
     * @param path {@code SLUICE_WAKE_PIPE}, or null.
     * @return the pipe, or null when there is none or it cannot be opened: the worker then sleeps on its doorbell
     * socket and does not announce {@link WorkerFileDescriptor#FEATURE_WAKE_PIPE}.
     */
    static WakePipe open(final Path path)
    {
        if (null == path)
        {
            return null;
        }
        try
        {
            return new WakePipe(path, FileChannel.open(path, StandardOpenOption.READ));
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
    }

    /**
     * Block until the listener (or {@link #wake()}) writes, and read what is there.
     *
     * @param buffer receives the bytes, which mean nothing but "look at your ring".
     * @return the bytes read, or -1 at end-of-file: the listener is gone.
     * @throws IOException when the read fails.
     */
    int read(final ByteBuffer buffer) throws IOException
    {
        return channel.read(buffer);
    }

    /**
     * @return true once the doorbell socket ended while the worker was not asked to stop: the listener is gone.
     */
    boolean isDoorbellClosed()
    {
        return doorbellClosed;
    }

    /**
     * Wake the duty thread if it blocks reading the pipe: open the pipe for writing (the worker keeps no write end,
     * so that the listener's exit is end-of-file) and write one byte. Failures are ignored: the pipe is gone only when
     * the listener is, which the duty thread learns at its read.
     */
    void wake()
    {
        try (FileChannel writer = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            writer.write(ByteBuffer.wrap(new byte[] { WAKE_BYTE }));
        }
        catch (final IOException | UnsupportedOperationException ignore)
        {
            // nothing to wake: the pipe went with the listener
        }
    }

    /**
     * Read the doorbell socket on a daemon thread until it ends, then wake the duty thread. An end that is not the
     * worker's own stop ({@code stopping} false) means the listener closed the connection: the worker must go.
     *
     * @param doorbell the doorbell connection, the token already sent; the listener sends nothing on it while the
     *                 worker sleeps on the pipe, so whatever it reads is discarded.
     * @param stopping true once the worker was asked to stop (it shuts the socket's input down itself).
     */
    void watchDoorbell(final SocketChannel doorbell, final BooleanSupplier stopping)
    {
        final Thread watch = new Thread(
            () ->
            {
                final ByteBuffer buffer = ByteBuffer.allocate(64);
                try
                {
                    do
                    {
                        buffer.clear();
                    }
                    while (doorbell.read(buffer) >= 0);
                }
                catch (final IOException ex)
                {
                    // as end-of-file
                }
                if (!stopping.getAsBoolean())
                {
                    doorbellClosed = true;
                }
                wake();
            },
            "sluice-doorbell-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /**
     * Close the read end.
     */
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a pipe's read end does not fail in a way that matters here
        }
    }
}
