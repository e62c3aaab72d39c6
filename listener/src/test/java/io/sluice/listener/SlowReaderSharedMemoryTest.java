package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control over shared memory, end to end: a client that asks for a 10 MiB response and does not read costs the
 * listener at most the queue's response window, the other requests on the same worker and ring keep being answered
 * meanwhile, and the whole body arrives intact once the client reads. Real worker process (the sample handler's
 * {@code bytes?n=N}), real sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowReaderSharedMemoryTest
{
    private static final int WINDOW = 256 * 1024;
    private static final String CONFIG = TestConfig.listener()
        .timeout("minSendRate", 0)
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .set("responseWindow", "256k")
            .worker("processes", 1)
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int LARGE = 10 * 1024 * 1024;
    private static final int SMALL_RECEIVE_BUFFER = 4096;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldHoldAtMostTheWindowForAClientThatDoesNotReadAndKeepServingOthers() throws Exception
    {
        listener = LISTENERS.start("slow-reader-shm", CONFIG);
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("shm");

        try (Socket slow = new Socket())
        {
            slow.setReceiveBufferSize(SMALL_RECEIVE_BUFFER);
            slow.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, listener.port()), 5_000);
            slow.setSoTimeout(30_000);
            slow.getOutputStream().write(RawHttpClient.request(
                "GET", "/shm/bytes?n=" + LARGE, "127.0.0.1:" + listener.port()));
            slow.getOutputStream().flush();

            // the worker fills the window and the sockets' buffers, then waits for credit
            awaitSteadyOutstanding(host);
            assertTrue(host.maxResponseBytesOutstanding() <= WINDOW,
                "most outstanding for one request: " + host.maxResponseBytesOutstanding());

            // the same worker and ring keep answering: small requests, and a whole large response to a reader
            try (RawHttpClient other = new RawHttpClient(listener.port()))
            {
                for (int i = 0; i < 20; i++)
                {
                    final RawHttpClient.Response hello = other.send(RawHttpClient.get("/shm/", listener.port()));
                    assertEquals(200, hello.status());
                    assertEquals("Hello, World!", new String(hello.body(), StandardCharsets.US_ASCII));
                }
                final RawHttpClient.Response fast =
                    other.send(RawHttpClient.get("/shm/bytes?n=" + 3 * WINDOW, listener.port()));
                assertEquals(200, fast.status());
                assertPattern(fast.body(), 3 * WINDOW);
            }

            // the fast response's last chunk may still be counted for a moment after its client has read it (its
            // write is seen complete on the event loop after the bytes left): wait for the count to settle
            awaitSteadyOutstanding(host);
            final long stuckOutstanding = host.responseBytesOutstanding();
            assertTrue(stuckOutstanding > 0 && stuckOutstanding <= WINDOW,
                "outstanding while the reader is stuck: " + stuckOutstanding);
            assertTrue(host.maxResponseBytesOutstanding() <= WINDOW,
                "most outstanding for one request: " + host.maxResponseBytesOutstanding());

            final byte[] body = readResponseBody(slow.getInputStream(), LARGE);
            assertPattern(body, LARGE);
        }
        assertTrue(host.maxResponseBytesOutstanding() <= WINDOW,
            "most outstanding for one request: " + host.maxResponseBytesOutstanding());
        assertEquals(0, host.responseBytesOutstanding());
    }

    /**
     * Wait until the listener's outstanding bytes stop changing: the worker has used its credit and the client's
     * socket buffers are full.
     */
    private static void awaitSteadyOutstanding(final SharedMemoryHost host) throws InterruptedException
    {
        long previous = -1;
        int steady = 0;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (steady < 5 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(100);
            final long outstanding = host.responseBytesOutstanding();
            steady = outstanding == previous ? steady + 1 : 0;
            previous = outstanding;
        }
        assertTrue(steady >= 5, "outstanding bytes never settled: " + previous);
    }

    private static byte[] readResponseBody(final InputStream in, final int length) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            assertTrue(b >= 0, "end of stream in the head");
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ?
                matched + 1 : (b == '\r' ? 1 : 0);
        }
        final String text = head.toString(StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("HTTP/1.1 200 "), text);
        assertTrue(text.toLowerCase().contains("content-length: " + length + "\r\n"), text);
        final byte[] body = new byte[length];
        int read = 0;
        while (read < length)
        {
            final int n = in.read(body, read, length - read);
            assertTrue(n > 0, "end of stream after " + read + " body bytes");
            read += n;
        }
        return body;
    }

    /**
     * Check a whole body against {@link SampleHandler#patternByte}'s pattern.
     *
     * @param body   the body read.
     * @param length the length it must have.
     */
    static void assertPattern(final byte[] body, final int length)
    {
        assertEquals(length, body.length);
        for (int i = 0; i < length; i++)
        {
            if (body[i] != SampleHandler.patternByte(i))
            {
                throw new AssertionError("byte " + i + " is " + body[i]);
            }
        }
    }
}
