package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.hosting.inprocess.InProcessHostProbe;
import io.sluice.listener.http.HttpServerInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Request-body back-pressure in the in-process model: a client uploads a large body to the sample's echo and reads
 * none of the answer. The listener stops reading the upload once the echo's response cannot go on (as a proxy stops
 * reading inbound while outbound is unwritable), so it holds only about its write-buffer high water mark for the
 * connection instead of the whole body; the stalled upload is woken by the response becoming writable, not polled;
 * and once the client reads, the whole echo arrives intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InProcessUploadBackPressureTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("minSendRate", 0)
        .timeout("idleConnection", "60s")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();

    private static final int LENGTH = 24 * 1024 * 1024;
    private static final int SOCKET_BUFFER_LENGTH = 64 * 1024;
    private static final int WRITE_LENGTH = 16 * 1024;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final long STALL_WAIT_MS = 20_000;
    private static final long SAMPLE_MS = 1_500;
    private static final long STALL_CHECK_MS = 300;
    private static final long JOIN_TIMEOUT_MS = 30_000;

    /**
     * What the connection may hold in the listener's outbound buffer: the high water mark, plus the chunk of echo
     * that crossed it.
     */
    private static final long HELD_BOUND_LENGTH =
        HttpServerInitializer.WRITE_BUFFER_HIGH_WATER_MARK_LENGTH + 256 * 1024;

    /**
     * Refusals allowed over the sample while nothing changes: the connection's second look every 100 ms, not a poll
     * (the 50 us retry of other sinks would make tens of thousands).
     */
    private static final long MAX_REFUSALS = 50;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("inprocupload", CONFIG).awaitReady(READY_TIMEOUT_MS, "/inproc/");

    @Test
    void shouldStopReadingTheUploadWhileTheEchoCannotBeSentAndDeliverItAllOnceRead() throws Exception
    {
        try (Socket client = new Socket())
        {
            client.setReceiveBufferSize(SOCKET_BUFFER_LENGTH);
            client.setSendBufferSize(SOCKET_BUFFER_LENGTH);
            client.setSoTimeout(READ_TIMEOUT_MS);
            client.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, LISTENER.port()), CONNECT_TIMEOUT_MS);

            final AtomicLong uploaded = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread uploader = new Thread(() -> upload(client, uploaded, failure), "uploader");
            uploader.setDaemon(true);
            uploader.start();

            // the echo fills the kernel's buffers, then the listener's outbound buffer for this connection
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_WAIT_MS);
            while (heldLength() < HttpServerInitializer.WRITE_BUFFER_HIGH_WATER_MARK_LENGTH / 2)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("the listener never held any of the echo: held " + heldLength());
                }
                Thread.sleep(10);
            }

            // past the kernel's socket buffers (which may take several MiB on loopback) the upload stops
            long stalledAt = -1;
            while (stalledAt != uploaded.get())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("the upload never stalled: " + uploaded.get() + " of " + LENGTH);
                }
                stalledAt = uploaded.get();
                Thread.sleep(STALL_CHECK_MS);
            }

            final long refusalsBefore = InProcessHostProbe.bodyRefusals();
            final long uploadedBefore = uploaded.get();
            long mostHeld = 0;
            final long sampleEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS);
            while (System.nanoTime() - sampleEndNs < 0)
            {
                mostHeld = Math.max(mostHeld, heldLength());
                Thread.sleep(5);
            }
            final long uploadedAfter = uploaded.get();
            final long refusals = InProcessHostProbe.bodyRefusals() - refusalsBefore;

            assertTrue(mostHeld <= HELD_BOUND_LENGTH,
                "a client that does not read the echo made the listener hold " + mostHeld + " bytes, bound " +
                HELD_BOUND_LENGTH);
            assertTrue(uploadedAfter < LENGTH && uploadedAfter == uploadedBefore,
                "the upload did not stall: " + uploadedBefore + " then " + uploadedAfter + " of " + LENGTH);
            assertTrue(refusals <= MAX_REFUSALS,
                "the stalled upload was offered " + refusals + " times in " + SAMPLE_MS + " ms");

            // once the client reads, the upload goes on and the whole echo arrives intact
            SlowReaderTest.readAndCheckBody(client.getInputStream(), LENGTH);
            uploader.join(JOIN_TIMEOUT_MS);
            assertNull(failure.get());
            assertEquals(LENGTH, uploaded.get());
        }
    }

    private static void upload(final Socket client, final AtomicLong uploaded, final AtomicReference<Throwable> failure)
    {
        try
        {
            final OutputStream out = client.getOutputStream();
            out.write(("POST /inproc/echo HTTP/1.1\r\nHost: 127.0.0.1:" + LISTENER.port() +
                "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + LENGTH + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
            final byte[] chunk = new byte[WRITE_LENGTH];
            long position = 0;
            while (position < LENGTH)
            {
                final int length = (int)Math.min(chunk.length, LENGTH - position);
                for (int i = 0; i < length; i++)
                {
                    chunk[i] = SampleHandler.patternByte(position + i);
                }
                out.write(chunk, 0, length);
                position += length;
                uploaded.set(position);
            }
            out.flush();
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.set(ex);
        }
    }

    private static long heldLength()
    {
        return LISTENER.listener().connections().outboundBytes().largestLength();
    }
}
