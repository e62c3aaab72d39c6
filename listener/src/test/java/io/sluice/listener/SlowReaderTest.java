package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.http.HttpServerInitializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Flow control end to end for a client that does not read: a raw socket asks for a 10 MiB response and reads none of
 * it. The listener must hold only about its client write-buffer high water mark for that connection (the handler, or
 * the loopback worker, is held back instead; over shared memory, at most the queue's response window of credit),
 * keep serving other clients meanwhile, and deliver the whole body intact once the client reads. Run against every
 * hosting model, with the sample's {@code bytes?n=}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowReaderTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("minSendRate", 0)
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .set("responseWindow", "256k"))
        .yaml();

    private static final int LENGTH = 10 * 1024 * 1024;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final long STALL_WAIT_MS = 10_000;
    private static final long SAMPLE_MS = 1_500;
    private static final int OTHER_CLIENTS = 20;

    /**
     * What one non-reading connection may hold in the listener: the high water mark, plus what crosses it before the
     * producer stops (a handler's chunk, or one read of the worker's connection and its decoded pieces). Over shared
     * memory the bound is the response window (256 KiB here), which is below it.
     */
    private static final long HELD_BOUND_LENGTH =
        HttpServerInitializer.WRITE_BUFFER_HIGH_WATER_MARK_LENGTH + 256 * 1024;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("slowreader", CONFIG)
            .awaitReady(READY_TIMEOUT_MS, "/inproc/", "/loopback/", "/shm/");

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/loopback/", "/shm/" })
    void shouldHoldOnlyTheWindowForAClientThatDoesNotReadAndServeOthersMeanwhile(final String prefix)
        throws Exception
    {
        try (Socket slow = new Socket())
        {
            // a small receive window, so the client's kernel cannot take the response off the listener's hands
            slow.setReceiveBufferSize(64 * 1024);
            slow.setSoTimeout(READ_TIMEOUT_MS);
            slow.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, LISTENER.port()), CONNECT_TIMEOUT_MS);
            slow.getOutputStream().write(RawHttpClient.get(prefix + "bytes?n=" + LENGTH, LISTENER.port()));

            // the response fills the kernel's buffers, then the listener's outbound buffer for this connection
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_WAIT_MS);
            while (heldLength() < HttpServerInitializer.WRITE_BUFFER_HIGH_WATER_MARK_LENGTH / 2)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("the listener never held any of the response: held " + heldLength());
                }
                Thread.sleep(10);
            }

            long mostHeld = 0;
            final long sampleEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS);
            while (System.nanoTime() - sampleEndNs < 0)
            {
                mostHeld = Math.max(mostHeld, heldLength());
                Thread.sleep(5);
            }
            assertTrue(mostHeld <= HELD_BOUND_LENGTH,
                "one non-reading client made the listener hold " + mostHeld + " bytes, bound " + HELD_BOUND_LENGTH);

            // the event loop, the queue and the worker keep serving everyone else
            for (int i = 0; i < OTHER_CLIENTS; i++)
            {
                try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
                {
                    final RawHttpClient.Response response = client.send(RawHttpClient.get(prefix, LISTENER.port()));
                    assertEquals(200, response.status(), response::toString);
                    assertEquals("Hello, World!", response.bodyText());
                }
            }
            assertTrue(heldLength() <= HELD_BOUND_LENGTH, () -> "held " + heldLength());

            // and the slow client gets every byte, in order, once it reads
            readAndCheckBody(slow.getInputStream(), LENGTH);
        }
    }

    private static long heldLength()
    {
        return LISTENER.listener().connections().outboundBytes().largestLength();
    }

    /**
     * Read a 200 response whose body is {@link SampleHandler#patternByte}'s pattern, and check every byte.
     *
     * @param socketIn the client socket's input.
     * @param length   of the body.
     */
    static void readAndCheckBody(final InputStream socketIn, final long length) throws IOException
    {
        final InputStream in = new BufferedInputStream(socketIn, 64 * 1024);
        final String head = readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        assertTrue(head.toLowerCase().contains("content-length: " + length), head);
        final byte[] buffer = new byte[64 * 1024];
        long position = 0;
        while (position < length)
        {
            final int read = in.read(buffer, 0, (int)Math.min(buffer.length, length - position));
            if (read < 0)
            {
                fail("response ended after " + position + " of " + length + " body bytes");
            }
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != SampleHandler.patternByte(position + i))
                {
                    fail("body byte " + (position + i) + " differs");
                }
            }
            position += read;
        }
        assertEquals(length, position);
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                fail("connection closed in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
