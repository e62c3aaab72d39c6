package io.sluice.listener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback worker of its own that keeps its connections and, for a request whose target holds {@code smuggle},
 * answers with a body longer than its {@code Content-Length}: the extra bytes are a whole second response,
 * {@code smuggled}, in the same write. Every other request gets {@code clean}.
 */
public final class SmugglingLoopbackWorker
{
    private SmugglingLoopbackWorker()
    {
    }

    /**
     * @param args ignored.
     * @throws IOException when the port cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        RawLoopbackWorker.serveEach("smuggling-loopback-worker", SmugglingLoopbackWorker::serve);
    }

    private static void serve(final Socket socket, final String token)
    {
        try (socket)
        {
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            String head;
            while (null != (head = RawLoopbackWorker.readHead(in)))
            {
                final String challenge = RawLoopbackWorker.field(head, "sluice-challenge");
                final String length = RawLoopbackWorker.field(head, "content-length");
                if (null != length)
                {
                    in.readNBytes(Integer.parseInt(length));
                }
                final String response;
                if (null != challenge)
                {
                    response = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nsluice-proof: " +
                        RawLoopbackWorker.hmac(token, challenge) + "\r\n\r\n";
                }
                else if (head.substring(0, head.indexOf('\r')).contains("smuggle"))
                {
                    response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
                        "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled";
                }
                else
                {
                    response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean";
                }
                out.write(response.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
        catch (final IOException ignore)
        {
            // the listener closed the connection
        }
    }
}
