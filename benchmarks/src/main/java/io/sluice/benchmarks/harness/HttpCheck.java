package io.sluice.benchmarks.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Checks that a target answers a scenario's request correctly before it is measured, so that a broken path fails
 * loudly instead of producing a fast number: status 200 and the exact body ({@code Hello, World!}, or the echoed
 * bytes), for every request of a pipelined batch; over TLS when the scenario's protocol is, and for a scenario with a
 * new connection per request, that the server closes the connection after answering {@code Connection: close}. A raw
 * socket (or the JDK's TLS socket over it) and a minimal HTTP/1.1 reader (content-length or chunked bodies), nothing
 * that could hide what the server sent.
 */
final class HttpCheck
{
    /**
     * The hello body every target sends.
     */
    static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private static final int TIMEOUT_MS = 10_000;
    private static final int CLOSE_WAIT_MS = 2_000;
    private static final int MAX_HEAD_LINE_LENGTH = 16 * 1024;

    private HttpCheck()
    {
    }

    /**
     * Send the scenario's request (its whole pipelined batch) on one connection and check every response.
     *
     * @param host     target address.
     * @param port     target port.
     * @param path     request target, e.g. {@code /shm/echo}.
     * @param scenario the request shape.
     * @throws IOException when the target cannot be reached or answers wrongly; the message says what it sent.
     */
    static void check(final String host, final int port, final String path, final Scenario scenario)
        throws IOException
    {
        check(host, port, path, scenario, null);
    }

    /**
     * Send the scenario's request (its whole pipelined batch) on one connection, over TLS when given a factory, and
     * check every response; with {@link Protocol#TLS_HANDSHAKE} the request asks {@code Connection: close} and the
     * server must close the connection after its response.
     *
     * @param host     target address.
     * @param port     target port.
     * @param path     request target, e.g. {@code /shm/echo}.
     * @param scenario the request shape.
     * @param tls      makes the TLS connection, trusting the run's certificate; null for cleartext.
     * @throws IOException when the target cannot be reached or answers wrongly; the message says what it sent.
     */
    static void check(
        final String host, final int port, final String path, final Scenario scenario, final SSLSocketFactory tls)
        throws IOException
    {
        final byte[] body = body(scenario.bodyLength());
        final boolean close = Protocol.TLS_HANDSHAKE == scenario.protocol();
        final byte[] request = request(host, port, path, scenario.method(), body, close);
        final byte[] expected = scenario.bodyLength() > 0 ? body : HELLO;
        try (Socket plain = new Socket())
        {
            plain.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            plain.setSoTimeout(TIMEOUT_MS);
            final Socket socket = null != tls ? tls.createSocket(plain, host, port, true) : plain;
            if (socket instanceof SSLSocket ssl)
            {
                ssl.startHandshake();
            }
            final OutputStream out = socket.getOutputStream();
            for (int i = 0; i < scenario.pipelineDepth(); i++)
            {
                out.write(request);
            }
            out.flush();
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 1; i <= scenario.pipelineDepth(); i++)
            {
                final Response response = read(in);
                if (response.status != 200 || !Arrays.equals(expected, response.body))
                {
                    final String what = response.status != 200 ? "status " + response.status +
                        " where 200 was expected" : response.body.length != expected.length ? "status 200, " +
                        response.body.length + " body bytes where " + expected.length + " were expected" :
                        "status 200, but the body differs from what was sent or expected";
                    throw new IOException(scenario.method() + " " + path + (scenario.pipelineDepth() > 1 ?
                        " (response " + i + " of " + scenario.pipelineDepth() + ")" : "") + ": " + what + ": " +
                        preview(response.body));
                }
            }
            socket.setSoTimeout(CLOSE_WAIT_MS);
            if (close && !closedByServer(in))
            {
                throw new IOException(scenario.method() + " " + path + ": the connection stayed open after the " +
                    "response to Connection: close");
            }
            socket.close();
        }
    }

    private static boolean closedByServer(final InputStream in)
    {
        try
        {
            return in.read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * @param length body length in bytes.
     * @return a body whose bytes vary, so that an echo that reorders or drops a chunk shows.
     */
    static byte[] body(final int length)
    {
        final byte[] body = new byte[length];
        for (int i = 0; i < length; i++)
        {
            body[i] = (byte)('a' + (i * 7 + i / 4096) % 26);
        }
        return body;
    }

    private static byte[] request(
        final String host,
        final int port,
        final String path,
        final String method,
        final byte[] body,
        final boolean close)
    {
        final StringBuilder head = new StringBuilder(128)
            .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
            .append("Host: ").append(host).append(':').append(port).append("\r\n");
        if (close)
        {
            head.append("Connection: close\r\n");
        }
        if (body.length > 0)
        {
            head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(body.length)
                .append("\r\n");
        }
        head.append("\r\n");
        final byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        final byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private record Response(int status, byte[] body)
    {
    }

    private static Response read(final InputStream in) throws IOException
    {
        final String statusLine = line(in);
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1."))
        {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        final int status = Integer.parseInt(parts[1]);
        long contentLength = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in))
        {
            final int colon = header.indexOf(':');
            if (colon <= 0)
            {
                throw new IOException("malformed header line: " + header);
            }
            final String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            final String value = header.substring(colon + 1).trim();
            if ("content-length".equals(name))
            {
                contentLength = Long.parseLong(value);
            }
            else if ("transfer-encoding".equals(name) && value.toLowerCase(Locale.ROOT).contains("chunked"))
            {
                chunked = true;
            }
        }
        if (chunked)
        {
            return new Response(status, chunkedBody(in));
        }
        if (contentLength < 0)
        {
            throw new IOException("response " + status + " has neither content-length nor chunked encoding");
        }
        return new Response(status, in.readNBytes(checkedLength(contentLength)));
    }

    private static int checkedLength(final long length) throws IOException
    {
        if (length > Integer.MAX_VALUE)
        {
            throw new IOException("body too long to check: " + length);
        }
        return (int)length;
    }

    private static byte[] chunkedBody(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true)
        {
            final String sizeLine = line(in);
            final int semicolon = sizeLine.indexOf(';');
            final long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0)
            {
                while (!line(in).isEmpty())
                {
                    continue;
                }
                return body.toByteArray();
            }
            final byte[] chunk = in.readNBytes(checkedLength(size));
            if (chunk.length != size)
            {
                throw new EOFException("connection closed inside a chunk");
            }
            body.write(chunk);
            line(in);
        }
    }

    private static String line(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed after " + line.length() + " bytes of a line: " + line);
            }
            if (b == '\n')
            {
                final int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 :
                    line.length();
                return line.substring(0, end);
            }
            if (line.length() >= MAX_HEAD_LINE_LENGTH)
            {
                throw new IOException("response line longer than " + MAX_HEAD_LINE_LENGTH + " bytes");
            }
            line.append((char)b);
        }
    }

    private static String preview(final byte[] body)
    {
        final String text = new String(body, 0, Math.min(body.length, 60), StandardCharsets.ISO_8859_1);
        return "\"" + text.replace("\r", "\\r").replace("\n", "\\n") + (body.length > 60 ? "…" : "") + "\"";
    }
}
