package io.sluice.listener;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum send rate counts what the client accepts, not what the listener still holds: a client that reads none
 * of a response small enough to sit whole in the kernel's socket buffers is cut off after the grace window, while a
 * client that reads a larger one slowly but above the rate gets all of it. The other timers are long, so only
 * the send rate can close the connection.
 */
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MinSendRateTest
{
    private static final String CONFIG = """
        listener:
          id: ${ID}
          eventLoops: 1
          shmDir: ${SHM_DIR}
          timeouts:
            headerWait: 60s
            idleConnection: 60s
            minSendRate: 150
            minSendRateGrace: 2s
        queues:
          - name: inproc
            prefixes: [ "http://+:${PORT}/inproc/" ]
            hosting: in-process
            handler: io.sluice.dispatch.sample.SampleHandler
        """;

    private static final int LENGTH = 256 * 1024;
    private static final int SLOW_LENGTH = 512 * 1024;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final long IN_KERNEL_TIMEOUT_MS = 5_000;
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    private static TestListener listener;
    private static int port;

    @BeforeAll
    static void startListener() throws InterruptedException
    {
        listener = TestListener.start("sendrate", CONFIG);
        port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, "/inproc/");
    }

    @AfterAll
    static void closeListener()
    {
        if (null != listener)
        {
            listener.close();
            listener = null;
        }
    }

    @Test
    void shouldCloseAClientThatReadsNothingOfAResponseTheKernelHolds() throws Exception
    {
        Await.value(0, () -> listener.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
        try (Socket socket = open())
        {
            socket.getOutputStream().write(RawHttpClient.get("/inproc/bytes?n=" + LENGTH, port));
            Await.value(1, () -> listener.listener().connections().openCount(), CONNECT_TIMEOUT_MS);

            // the whole response left the listener for the kernel: the old check never looked at it again
            Await.value(0, () -> listener.listener().connections().outboundBytes().totalLength(), IN_KERNEL_TIMEOUT_MS);

            final long startNs = System.nanoTime();
            Await.value(0, () -> listener.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
            final long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            socket.setSoTimeout(CONNECT_TIMEOUT_MS);
            final long received = readUntilClosed(socket.getInputStream(), LENGTH, 0);
            assertTrue(received < LENGTH, "received " + received + " of " + LENGTH + " bytes, closed after " +
                closedAfterMs + " ms");
        }
    }

    @Test
    void shouldKeepAClientThatReadsSlowlyButAboveTheRate() throws Exception
    {
        Await.value(0, () -> listener.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
        try (Socket socket = open())
        {
            socket.getOutputStream().write(RawHttpClient.get("/inproc/bytes?n=" + SLOW_LENGTH, port));
            socket.setSoTimeout(CONNECT_TIMEOUT_MS);
            // 8 KiB every 100 ms: 80 KiB/s, far above 150 B/s, over several grace windows
            final long received = readUntilClosed(socket.getInputStream(), SLOW_LENGTH, 100);
            assertTrue(received > SLOW_LENGTH, "received " + received + " bytes of a " + SLOW_LENGTH + "-byte body");
        }
    }

    private static Socket open() throws IOException
    {
        final Socket socket = new Socket();
        // a small receive window, so the client's kernel takes little of the response
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), CONNECT_TIMEOUT_MS);
        return socket;
    }

    /**
     * Read until the connection closes, or until a head and the whole body have arrived.
     */
    private static long readUntilClosed(final InputStream in, final int length, final long pauseMs) throws IOException
    {
        final byte[] buffer = new byte[8 * 1024];
        long total = 0;
        try
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                total += read;
                if (total > length + 40)
                {
                    // head (well under 200 bytes) and body: take what is left without pausing
                    return total + drainQuickly(in);
                }
                if (pauseMs > 0)
                {
                    Thread.sleep(pauseMs);
                }
            }
        }
        catch (final SocketException ex)
        {
            // a reset instead of an orderly close also ends the response early
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return total;
    }

    private static long drainQuickly(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[8 * 1024];
        long total = 0;
        try
        {
            while (in.available() > 0)
            {
                final int read = in.read(buffer);
                if (read < 0)
                {
                    break;
                }
                total += read;
            }
        }
        catch (final SocketException ex)
        {
            // nothing more
        }
        return total;
    }
}
