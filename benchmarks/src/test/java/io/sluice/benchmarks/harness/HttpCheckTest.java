package io.sluice.benchmarks.harness;

import io.sluice.benchmarks.BareHelloServer;
import io.sluice.listener.tls.PemFiles;
import io.sluice.listener.tls.SelfSignedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpCheckTest
{
    private static final String HELLO_RESPONSE = "HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\nHello, World!";

    @TempDir
    Path dir;

    private BareHelloServer bare;
    private ServerSocket fake;

    @AfterEach
    void closeAll() throws IOException
    {
        if (null != bare)
        {
            bare.close();
        }
        if (null != fake)
        {
            fake.close();
        }
    }

    @Test
    void shouldPassTheHelloOfTheBareServer() throws InterruptedException
    {
        bare = BareHelloServer.start("127.0.0.1", 0);

        assertDoesNotThrow(() -> HttpCheck.check("127.0.0.1", bare.port(), "/", Scenario.HELLO_C64));
    }

    @Test
    void shouldCheckEveryResponseOfAPipelinedBatch() throws InterruptedException
    {
        bare = BareHelloServer.start("127.0.0.1", 0);

        assertDoesNotThrow(() -> HttpCheck.check("127.0.0.1", bare.port(), "/", Scenario.named("pipeline-16")));
    }

    @Test
    void shouldFailAnEchoAnsweredWithHello() throws InterruptedException
    {
        bare = BareHelloServer.start("127.0.0.1", 0);

        final IOException ex = assertThrows(IOException.class,
            () -> HttpCheck.check("127.0.0.1", bare.port(), "/echo", Scenario.ECHO_4K));

        assertEquals("POST /echo: status 200, 13 body bytes where 4096 were expected: \"Hello, World!\"",
            ex.getMessage());
    }

    @Test
    void shouldReadAChunkedBody() throws IOException
    {
        serveOnce("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nHello\r\n8;x=y\r\n, World!\r\n0\r\n\r\n");

        assertDoesNotThrow(() -> HttpCheck.check("127.0.0.1", fake.getLocalPort(), "/", Scenario.HELLO_C64));
    }

    @Test
    void shouldFailAWrongStatus() throws IOException
    {
        serveOnce("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 13\r\n\r\nHello, World!");

        final IOException ex = assertThrows(IOException.class,
            () -> HttpCheck.check("127.0.0.1", fake.getLocalPort(), "/shm/", Scenario.HELLO_C64));

        assertEquals("GET /shm/: status 503 where 200 was expected: \"Hello, World!\"",
            ex.getMessage());
    }

    @Test
    void shouldCheckTheHelloOverTlsTrustingTheRunsCertificate() throws Exception
    {
        final Path[] files = SelfSignedFiles.ensure(dir.resolve("tls"), List.of(), "test");
        serveTlsOnce(files, HELLO_RESPONSE, true);

        assertDoesNotThrow(() -> HttpCheck.check("127.0.0.1", fake.getLocalPort(), "/inproc/", Scenario.TLS_HANDSHAKE,
            TlsTrust.trusting(files[0])));
    }

    @Test
    void shouldFailANewConnectionScenarioWhenTheServerKeepsTheConnectionOpen() throws Exception
    {
        final Path[] files = SelfSignedFiles.ensure(dir.resolve("tls"), List.of(), "test");
        serveTlsOnce(files, HELLO_RESPONSE, false);

        final IOException ex = assertThrows(IOException.class, () -> HttpCheck.check("127.0.0.1",
            fake.getLocalPort(), "/inproc/", Scenario.TLS_HANDSHAKE, TlsTrust.trusting(files[0])));

        assertEquals("GET /inproc/: the connection stayed open after the response to Connection: close",
            ex.getMessage());
    }

    @Test
    void shouldRefuseACertificateOtherThanTheRunsOwn() throws Exception
    {
        final Path[] served = SelfSignedFiles.ensure(dir.resolve("served"), List.of(), "test");
        final Path[] trusted = SelfSignedFiles.ensure(dir.resolve("trusted"), List.of(), "test");
        serveTlsOnce(served, HELLO_RESPONSE, true);

        assertThrows(SSLHandshakeException.class, () -> HttpCheck.check("127.0.0.1", fake.getLocalPort(), "/inproc/",
            Scenario.HTTPS_C64, TlsTrust.trusting(trusted[0])));
    }

    @Test
    void shouldVaryTheBodyBytes()
    {
        final byte[] body = HttpCheck.body(8192);

        assertEquals('a', body[0]);
        assertEquals('h', body[1]);
        assertEquals(8192, body.length);
    }

    private void serveTlsOnce(final Path[] files, final String response, final boolean close) throws Exception
    {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("server", PemFiles.readKey(files[1], "test"), new char[0],
            PemFiles.readChain(files[0], "test"));
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        fake = context.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(response, close);
    }

    private void serveOnce(final String response) throws IOException
    {
        fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(response, true);
    }

    private void serve(final String response, final boolean close)
    {
        final ServerSocket server = fake;
        final Thread thread = new Thread(() ->
        {
            try (Socket socket = server.accept())
            {
                final InputStream in = socket.getInputStream();
                final byte[] head = new byte[4];
                int matched = 0;
                while (matched < 4 && in.read(head, 0, 1) == 1)
                {
                    matched = head[0] == "\r\n\r\n".charAt(matched) ? matched + 1 : 0;
                }
                final OutputStream out = socket.getOutputStream();
                out.write(response.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (!close)
                {
                    in.read();
                }
            }
            catch (final IOException ignore)
            {
                // the test's assertion reports what the client saw
            }
        }, "fake-server");
        thread.setDaemon(true);
        thread.start();
    }
}
