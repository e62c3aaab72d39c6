package io.sluice.listener;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A deliberately dumb HTTP/1.1 client over one blocking socket: it writes exactly the bytes it is given and parses
 * responses strictly (CRLF line ends, Content-Length or chunked bodies, no body for HEAD, 1xx, 204 and 304), so the
 * tests see what the listener really put on the wire. Not thread-safe: one thread per client.
 */
final class RawHttpClient implements AutoCloseable
{
    static final String LOOPBACK_ADDRESS = "127.0.0.1";

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final int MAX_LINE_LENGTH = 64 * 1024;
    private static final byte[] CRLF = { '\r', '\n' };

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttpClient(final int port) throws IOException
    {
        this(LOOPBACK_ADDRESS, port);
    }

    RawHttpClient(final String address, final int port) throws IOException
    {
        this(connect(address, port));
    }

    /**
     * @param socket a connected socket, e.g. a TLS one whose handshake is done; the client closes it.
     */
    RawHttpClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MS);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    /**
     * @return a connected socket with TCP_NODELAY.
     */
    static Socket connect(final String address, final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
        return socket;
    }

    /**
     * Write bytes as one write call (the kernel may still split them).
     */
    void write(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    void write(final String ascii) throws IOException
    {
        write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Write a request and read its response (a final one: interim 1xx responses are not expected).
     */
    Response send(final byte[] request) throws IOException
    {
        write(request);
        return readResponse(false);
    }

    /**
     * Write a request from another thread while reading its response on this one, so a server that streams a large
     * echo back while the request is still arriving (and applies back-pressure) cannot deadlock against the client.
     */
    Response sendWhileReading(final byte[] request) throws IOException, InterruptedException
    {
        final IOException[] writeFailure = new IOException[1];
        final Thread writer = new Thread(
            () ->
            {
                try
                {
                    write(request);
                }
                catch (final IOException ex)
                {
                    writeFailure[0] = ex;
                }
            },
            "raw-http-writer");
        writer.start();
        try
        {
            return readResponse(false);
        }
        finally
        {
            writer.join(READ_TIMEOUT_MS);
            if (null != writeFailure[0])
            {
                throw writeFailure[0];
            }
        }
    }

    /**
     * Read a status line and header block only, never a body: for a test that expects an interim response and must
     * not block reading the body of a final one instead.
     */
    Response readHead() throws IOException
    {
        return readResponse(true);
    }

    /**
     * Read one response, interim (1xx) or final.
     *
     * @param headRequest true when the request was HEAD: the response has no body whatever its headers say.
     */
    Response readResponse(final boolean headRequest) throws IOException
    {
        final String statusLine = readLine();
        if (null == statusLine)
        {
            throw new EOFException("connection closed before a status line");
        }
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].equals("HTTP/1.1") || parts[1].length() != 3)
        {
            throw new IOException("malformed status line: " + statusLine);
        }
        final int status = Integer.parseInt(parts[1]);
        final String reason = parts.length == 3 ? parts[2] : "";

        final List<String[]> headers = readHeaders();
        final Response head = new Response(status, reason, headers, new byte[0]);
        if (headRequest || (status >= 100 && status < 200) || status == 204 || status == 304)
        {
            return head;
        }

        final String transferEncoding = head.header("transfer-encoding");
        final String contentLength = head.header("content-length");
        final byte[] body;
        if (null != transferEncoding)
        {
            if (!transferEncoding.equalsIgnoreCase("chunked") || null != contentLength)
            {
                throw new IOException("bad framing: transfer-encoding=" + transferEncoding +
                    ", content-length=" + contentLength);
            }
            body = readChunkedBody();
        }
        else if (null != contentLength)
        {
            body = readFully(Integer.parseInt(contentLength));
        }
        else
        {
            body = in.readAllBytes();
        }
        return new Response(status, reason, headers, body);
    }

    /**
     * @return true when the peer closed the connection (end of stream) within the wait; false when the connection is
     *         still open and silent. Bytes arriving instead are an error.
     */
    boolean isClosedByPeer(final int waitMs) throws IOException
    {
        socket.setSoTimeout(waitMs);
        try
        {
            final int b = in.read();
            if (b >= 0)
            {
                throw new IOException("unexpected byte from the server: " + b);
            }
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        finally
        {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    /**
     * Close the socket; idempotent.
     */
    public void close() throws IOException
    {
        socket.close();
    }

    /**
     * Send bytes on a new connection and read until the server closes it or is silent: for {@code firstByteMs} before
     * its first bytes (a worker may be being replaced), for {@code idleMs} after any.
     *
     * @param port        the listener's port.
     * @param request     the bytes to send.
     * @param firstByteMs how long to wait for the first bytes.
     * @param idleMs      how long a silence after them ends the read.
     * @return what was received, and whether the connection was closed (or reset) by the server.
     * @throws IOException when the connection cannot be made or the request not sent.
     */
    static Received exchange(final int port, final byte[] request, final int firstByteMs, final int idleMs)
        throws IOException
    {
        return exchange(port, request, firstByteMs, idleMs, (text) -> false, idleMs);
    }

    /**
     * Send bytes on a new connection and read until the server closes it or is silent: for {@code firstByteMs} before
     * its first bytes, for {@code idleMs} after any, and only for {@code settleMs} once what was received satisfies
     * {@code enough} (so a read that has all it must see stops early, yet still sees anything that follows soon).
     *
     * @param port        the listener's port.
     * @param request     the bytes to send.
     * @param firstByteMs how long to wait for the first bytes.
     * @param idleMs      how long a silence after them ends the read while {@code enough} does not hold.
     * @param enough      whether the bytes received so far (as ISO-8859-1) are all the caller waits for.
     * @param settleMs    how long a silence ends the read once {@code enough} holds.
     * @return what was received, and whether the connection was closed (or reset) by the server.
     * @throws IOException when the connection cannot be made or the request not sent.
     */
    static Received exchange(
        final int port,
        final byte[] request,
        final int firstByteMs,
        final int idleMs,
        final Predicate<String> enough,
        final int settleMs)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(LOOPBACK_ADDRESS, port), firstByteMs);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[8192];
            socket.setSoTimeout(firstByteMs);
            boolean closed = false;
            try
            {
                int read;
                while ((read = in.read(buffer)) >= 0)
                {
                    received.write(buffer, 0, read);
                    socket.setSoTimeout(
                        enough.test(received.toString(StandardCharsets.ISO_8859_1)) ? settleMs : idleMs);
                }
                closed = true;
            }
            catch (final SocketTimeoutException ex)
            {
                // silent: still open
            }
            catch (final IOException ex)
            {
                // reset by the server: closed
                closed = true;
            }
            return new Received(received.toString(StandardCharsets.ISO_8859_1), closed);
        }
    }

    /**
     * @return how many answers, each a head and the body its {@code content-length} declares (none for a 204 or 304),
     * {@code text} begins with (counting stops at any other without a {@code content-length}).
     */
    static int completeAnswers(final String text)
    {
        int count = 0;
        int at = 0;
        while (text.startsWith("HTTP/1.1 ", at))
        {
            final int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0)
            {
                break;
            }
            final String head = text.substring(at, headEnd).toLowerCase(Locale.ROOT);
            if (head.startsWith("http/1.1 204 ") || head.startsWith("http/1.1 304 "))
            {
                count++;
                at = headEnd + 4;
                continue;
            }
            final int lengthAt = head.indexOf("\r\ncontent-length:");
            if (lengthAt < 0)
            {
                break;
            }
            final int lineEnd = head.indexOf("\r\n", lengthAt + 2);
            final String value = head.substring(
                lengthAt + "\r\ncontent-length:".length(), lineEnd < 0 ? head.length() : lineEnd).trim();
            if (value.isEmpty() || !value.chars().allMatch(Character::isDigit))
            {
                break;
            }
            final int bodyEnd = headEnd + 4 + Integer.parseInt(value);
            if (text.length() < bodyEnd)
            {
                break;
            }
            count++;
            at = bodyEnd;
        }
        return count;
    }

    /**
     * What {@link #exchange} received.
     *
     * @param text   the bytes received, as ISO-8859-1.
     * @param closed whether the server closed (or reset) the connection.
     */
    record Received(String text, boolean closed)
    {
    }

    static byte[] get(final String target, final int port)
    {
        return request("GET", target, RawHttpClient.LOOPBACK_ADDRESS + ":" + port);
    }

    /**
     * A request without a body.
     */
    static byte[] request(final String method, final String target, final String host, final String... headerLines)
    {
        final StringBuilder text = new StringBuilder(128);
        text.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        text.append("Host: ").append(host).append("\r\n");
        for (final String line : headerLines)
        {
            text.append(line).append("\r\n");
        }
        text.append("\r\n");
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A POST with a Content-Length body.
     */
    static byte[] post(final String target, final int port, final String contentType, final byte[] body)
    {
        final byte[] head = request(
            "POST", target, LOOPBACK_ADDRESS + ":" + port,
            "Content-Type: " + contentType,
            "Content-Length: " + body.length);
        return concat(head, body);
    }

    /**
     * Chunked transfer coding of a body in chunks of random lengths between 1 and {@code maxChunkLength}, with the
     * last chunk and no trailers.
     */
    static byte[] chunked(final byte[] body, final Random random, final int maxChunkLength)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        int offset = 0;
        while (offset < body.length)
        {
            final int length = Math.min(1 + random.nextInt(maxChunkLength), body.length - offset);
            out.writeBytes(Integer.toHexString(length).getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(CRLF);
            out.write(body, offset, length);
            out.writeBytes(CRLF);
            offset += length;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private List<String[]> readHeaders() throws IOException
    {
        final List<String[]> headers = new ArrayList<>();
        while (true)
        {
            final String line = readLine();
            if (null == line)
            {
                throw new EOFException("connection closed inside a header block");
            }
            if (line.isEmpty())
            {
                return headers;
            }
            final int colon = line.indexOf(':');
            if (colon <= 0)
            {
                throw new IOException("malformed header line: " + line);
            }
            headers.add(new String[] { line.substring(0, colon), line.substring(colon + 1).trim() });
        }
    }

    private byte[] readChunkedBody() throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true)
        {
            final String sizeLine = readLine();
            if (null == sizeLine)
            {
                throw new EOFException("connection closed inside a chunked body");
            }
            final int semicolon = sizeLine.indexOf(';');
            final int size = Integer.parseInt(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0)
            {
                readHeaders(); // trailers
                return body.toByteArray();
            }
            body.writeBytes(readFully(size));
            final String end = readLine();
            if (!"".equals(end))
            {
                throw new IOException("chunk not followed by CRLF: " + end);
            }
        }
    }

    private byte[] readFully(final int length) throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        if (bytes.length != length)
        {
            throw new EOFException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    /**
     * @return the line without its CRLF, or null at end of stream before any byte.
     */
    private String readLine() throws IOException
    {
        final StringBuilder line = new StringBuilder(64);
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                if (line.length() == 0)
                {
                    return null;
                }
                throw new EOFException("connection closed inside a line: " + line);
            }
            if (b == '\r')
            {
                if (in.read() != '\n')
                {
                    throw new IOException("CR not followed by LF after: " + line);
                }
                return line.toString();
            }
            if (b == '\n')
            {
                throw new IOException("bare LF after: " + line);
            }
            if (line.length() >= MAX_LINE_LENGTH)
            {
                throw new IOException("line longer than " + MAX_LINE_LENGTH);
            }
            line.append((char)b);
        }
    }

    /**
     * One parsed response.
     *
     * @param status  the status code.
     * @param reason  the reason phrase.
     * @param headers name/value pairs in order received.
     * @param body    the de-chunked body; empty when none.
     */
    record Response(int status, String reason, List<String[]> headers, byte[] body)
    {
        /**
         * @return the first value of a header, matched case-insensitively, or null.
         */
        String header(final String name)
        {
            for (final String[] header : headers)
            {
                if (header[0].equalsIgnoreCase(name))
                {
                    return header[1];
                }
            }
            return null;
        }

        /**
         * @return how many times a header occurs.
         */
        int headerCount(final String name)
        {
            int count = 0;
            for (final String[] header : headers)
            {
                if (header[0].equalsIgnoreCase(name))
                {
                    count++;
                }
            }
            return count;
        }

        String bodyText()
        {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString()
        {
            final StringBuilder text = new StringBuilder();
            text.append(status).append(' ').append(reason);
            for (final String[] header : headers)
            {
                text.append(", ").append(header[0].toLowerCase(Locale.ROOT)).append(": ").append(header[1]);
            }
            text.append(", body ").append(body.length).append(" bytes");
            if (body.length <= 200)
            {
                text.append(": ").append(new String(body, StandardCharsets.ISO_8859_1));
            }
            return text.toString();
        }
    }
}
