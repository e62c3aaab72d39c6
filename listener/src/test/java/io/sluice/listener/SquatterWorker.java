package io.sluice.listener;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * A process on a loopback worker's port that is not the worker: it never had the token (it ignores
 * {@code SLUICE_TOKEN}, as a squatter that took the port first would not know it), answers every request 200, and
 * appends every request head it receives to the file named by {@code SQUATTER_LOG}. {@code SQUATTER_PROOF} chooses
 * its answer to the readiness probe: {@code none} (no proof) or {@code wrong} (a proof of the right shape computed
 * with another key).
 */
public final class SquatterWorker
{
    private SquatterWorker()
    {
    }

    /**
     * @param args ignored.
     * @throws IOException when the port cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        final int port = Integer.parseInt(System.getenv("SLUICE_PORT"));
        final Path log = Path.of(System.getenv("SQUATTER_LOG"));
        final boolean wrongProof = "wrong".equals(System.getenv("SQUATTER_PROOF"));
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1")))
        {
            while (true)
            {
                final Socket socket = server.accept();
                final Thread thread = new Thread(() -> serve(socket, log, wrongProof), "squatter");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static String hmac(final String key, final String message)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.ISO_8859_1)));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void serve(final Socket socket, final Path log, final boolean wrongProof)
    {
        try (socket)
        {
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            final StringBuilder head = new StringBuilder();
            String line;
            while (null != (line = in.readLine()) && !line.isEmpty())
            {
                head.append(line).append('\n');
            }
            if (head.length() == 0)
            {
                return;
            }
            head.append("--\n");
            synchronized (SquatterWorker.class)
            {
                Files.writeString(
                    log, head, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            final String proof = wrongProof ?
                "sluice-proof: " + hmac("not-the-token", head.toString()) + "\r\n" : "";
            final OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n" + proof +
                "connection: close\r\n\r\nready\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        catch (final IOException ignore)
        {
            // the listener closed the probe
        }
    }
}
