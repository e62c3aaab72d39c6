package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * the send rate can close the connection. In process and over shared memory, where body chunks of 16 KiB and more go
 * from the response ring straight to the socket, past the pipeline: the send rate counts them too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MinSendRateTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("headerWait", "60s")
        .timeout("idleConnection", "60s")
        .timeout("minSendRate", 150)
        .timeout("minSendRateGrace", "2s")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .worker("processes", 1)
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final int LENGTH = 256 * 1024;
    private static final int SLOW_LENGTH = 512 * 1024;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final long IN_KERNEL_TIMEOUT_MS = 5_000;
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("sendrate", CONFIG).awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/");

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/" })
    void shouldCloseAClientThatReadsNothingOfAResponseTheKernelHolds(final String prefix) throws Exception
    {
        Await.value(0, () -> LISTENER.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
        try (Socket socket = open())
        {
            socket.getOutputStream().write(RawHttpClient.get(prefix + "bytes?n=" + LENGTH, LISTENER.port()));
            Await.value(1, () -> LISTENER.listener().connections().openCount(), CONNECT_TIMEOUT_MS);

            // the whole response left the listener for the kernel: the old check never looked at it again
            Await.value(0, () -> LISTENER.listener().connections().outboundBytes().totalLength(), IN_KERNEL_TIMEOUT_MS);

            final long startNs = System.nanoTime();
            Await.value(0, () -> LISTENER.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
            final long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            socket.setSoTimeout(CONNECT_TIMEOUT_MS);
            final long received = readUntilClosed(socket.getInputStream(), LENGTH, 0);
            assertTrue(received < LENGTH, "received " + received + " of " + LENGTH + " bytes, closed after " +
                closedAfterMs + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/" })
    void shouldKeepAClientThatReadsSlowlyButAboveTheRate(final String prefix) throws Exception
    {
        Await.value(0, () -> LISTENER.listener().connections().openCount(), CLOSE_TIMEOUT_MS);
        try (Socket socket = open())
        {
            socket.getOutputStream().write(RawHttpClient.get(prefix + "bytes?n=" + SLOW_LENGTH, LISTENER.port()));
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
        socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, LISTENER.port()), CONNECT_TIMEOUT_MS);
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
