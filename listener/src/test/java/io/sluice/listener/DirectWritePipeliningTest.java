package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large shared-memory response bodies, which may go from the response ring straight to the socket, keep HTTP/1.1's
 * framing and order: pipelined requests (a large body, a HEAD, a chunked echo of a chunked request, another large
 * body) sent at once to a client that reads late through a small receive buffer get each response whole, in order,
 * a HEAD's without body bytes and a chunked one with its chunk framing. Real worker process, real sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DirectWritePipeliningTest
{
    private static final String CONFIG = TestConfig.listener()
        .timeout("minSendRate", 0)
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .worker("processes", 1)
            .worker("shutdownTimeLimit", "1s"))
        .yaml();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int LARGE = 1024 * 1024;
    private static final int MEDIUM = 300_000;
    private static final int ECHO_CHUNK = 40_000;
    private static final int ECHO_CHUNKS = 4;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldKeepFramingAndOrderOfPipelinedLargeResponses() throws Exception
    {
        final TestListener listener = LISTENERS.start("direct-write-pipelining", CONFIG);
        assertEquals(200, listener.awaitOk("/shm/", READY_TIMEOUT_MS).status());
        final String host = "127.0.0.1:" + listener.port();
        final ByteArrayOutputStream requests = new ByteArrayOutputStream();
        requests.write(RawHttpClient.request("GET", "/shm/bytes?n=" + LARGE, host));
        requests.write(RawHttpClient.request("HEAD", "/shm/bytes?n=" + MEDIUM, host));
        requests.write(RawHttpClient.request("POST", "/shm/echo", host, "Transfer-Encoding: chunked"));
        final byte[] echo = new byte[ECHO_CHUNK * ECHO_CHUNKS];
        for (int i = 0; i < echo.length; i++)
        {
            echo[i] = (byte)(i * 31 + 7);
        }
        for (int c = 0; c < ECHO_CHUNKS; c++)
        {
            requests.write((Integer.toHexString(ECHO_CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            requests.write(echo, c * ECHO_CHUNK, ECHO_CHUNK);
            requests.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        requests.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        requests.write(RawHttpClient.request("GET", "/shm/bytes?n=" + MEDIUM, host));
        requests.write(RawHttpClient.request("GET", "/shm/", host));

        for (int round = 0; round < 3; round++)
        {
            try (Socket socket = new Socket())
            {
                socket.setReceiveBufferSize(4096 << round);
                socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, listener.port()), 5_000);
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(requests.toByteArray());
                socket.getOutputStream().flush();
                // the listener fills the socket before the client reads
                Thread.sleep(300);
                final InputStream in = new BufferedInputStream(socket.getInputStream());

                SlowReaderSharedMemoryTest.assertPattern(readBody(in), LARGE);
                final String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
                assertTrue(head.toLowerCase().contains("content-length: " + MEDIUM + "\r\n"), head);
                assertArrayEquals(echo, readBody(in));
                SlowReaderSharedMemoryTest.assertPattern(readBody(in), MEDIUM);
                assertEquals("Hello, World!", new String(readBody(in), StandardCharsets.US_ASCII));
            }
        }
    }

    private static byte[] readBody(final InputStream in) throws IOException
    {
        final String text = readHead(in);
        assertTrue(text.startsWith("HTTP/1.1 200 "), text);
        final String lower = text.toLowerCase();
        if (lower.contains("transfer-encoding: chunked\r\n"))
        {
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true)
            {
                final String sizeLine = readLine(in);
                final int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0)
                {
                    assertEquals("", readLine(in), "end of the chunked body");
                    return body.toByteArray();
                }
                body.write(readFully(in, size));
                assertEquals("", readLine(in), "chunk end");
            }
        }
        final int at = lower.indexOf("content-length: ");
        assertTrue(at >= 0, text);
        final int length = Integer.parseInt(lower.substring(at + 16, lower.indexOf('\r', at)));
        return readFully(in, length);
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine(in)).isEmpty())
        {
            head.append(line).append("\r\n");
        }
        return head.toString();
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        while (true)
        {
            final int b = in.read();
            assertTrue(b >= 0, "end of stream in a line: " + line);
            if (b == '\n')
            {
                assertTrue(line.length() > 0 && line.charAt(line.length() - 1) == '\r', "bare LF after " + line);
                return line.substring(0, line.length() - 1);
            }
            line.append((char)b);
        }
    }

    private static byte[] readFully(final InputStream in, final int length) throws IOException
    {
        final byte[] body = new byte[length];
        int read = 0;
        while (read < length)
        {
            final int n = in.read(body, read, length - read);
            assertTrue(n > 0, "end of stream after " + read + " of " + length + " body bytes");
            read += n;
        }
        return body;
    }
}
