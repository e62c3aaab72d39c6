package io.sluice.listener;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * A loopback worker of its own ({@code command}), written against the README rather than with the worker SDK: it
 * answers the readiness probe with the proof of {@code SLUICE_TOKEN}, and every other request with {@code 200} and,
 * as its body, the request head exactly as it arrived on the wire (request line and field lines, up to the blank
 * line), after reading a {@code Content-Length} body. Every answer closes its connection.
 */
public final class RawLoopbackWorker
{
    private static final int MAX_HEAD_LENGTH = 64 * 1024;

    private RawLoopbackWorker()
    {
    }

    /**
     * @param args ignored.
     * @throws IOException when the port cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        serveEach("raw-loopback-worker", RawLoopbackWorker::serve);
    }

    /**
     * Accept connections on {@code SLUICE_PORT} (127.0.0.1) for ever, each served on a daemon thread of its own with
     * the worker's {@code SLUICE_TOKEN}.
     *
     * @param threadName the serving threads' name.
     * @param serve      what serves one connection, given the token.
     * @throws IOException when the port cannot be bound.
     */
    static void serveEach(final String threadName, final BiConsumer<Socket, String> serve) throws IOException
    {
        final int port = Integer.parseInt(System.getenv("SLUICE_PORT"));
        final String token = System.getenv("SLUICE_TOKEN");
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1")))
        {
            while (true)
            {
                final Socket socket = server.accept();
                final Thread thread = new Thread(() -> serve.accept(socket, token), threadName);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void serve(final Socket socket, final String token)
    {
        try (socket)
        {
            final InputStream in = socket.getInputStream();
            final String head = readHead(in);
            if (null == head)
            {
                return;
            }
            final String challenge = field(head, "sluice-challenge");
            final String extra;
            if (null != challenge)
            {
                extra = "sluice-proof: " + hmac(token, challenge) + "\r\n";
            }
            else
            {
                extra = "";
                final String length = field(head, "content-length");
                if (null != length)
                {
                    in.readNBytes(Integer.parseInt(length));
                }
            }
            final byte[] body = head.getBytes(StandardCharsets.ISO_8859_1);
            final OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + body.length + "\r\n" +
                extra + "connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }
        catch (final IOException ignore)
        {
            // the listener closed the connection
        }
    }

    /**
     * @return the head up to and without its blank line, or null at end of stream.
     */
    static String readHead(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4 && head.size() < MAX_HEAD_LENGTH)
        {
            final int b = in.read();
            if (b < 0)
            {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ?
                matched + 1 : 0;
        }
        final String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 2);
    }

    static String field(final String head, final String name)
    {
        for (final String line : head.split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).toLowerCase(Locale.ROOT).equals(name))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static String hmac(final String key, final String message)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
