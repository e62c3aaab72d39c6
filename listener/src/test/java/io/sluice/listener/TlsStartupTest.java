package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.tls.PemFiles;
import io.sluice.listener.tls.SelfSignedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the listener checks of {@code listener.tls} when it starts (files it cannot read, a key of another
 * certificate: each a {@link StartupException} naming the key), the self-signed certificate it creates once and then
 * reuses, the handshake timeout closing a client that never completes its handshake, and a required client
 * certificate.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsStartupTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldNameTheCertificateWhenItsFileIsMissing()
    {
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("a"), "a.test");
        final StartupException ex = assertThrows(
            StartupException.class,
            () -> start(certificate(tempDir.resolve("missing.pem"), files[1]), "").close());

        assertEquals("listener.tls.certificates[0].certificate", ex.key());
        assertTrue(ex.getMessage().contains("file not found: " + tempDir.resolve("missing.pem")), ex.getMessage());
    }

    @Test
    void shouldNameTheKeyWhenItIsNotAPrivateKey()
    {
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("a"), "a.test");
        final StartupException ex = assertThrows(
            StartupException.class, () -> start(certificate(files[0], files[0]), "").close());

        assertEquals("listener.tls.certificates[0].key", ex.key());
        assertTrue(ex.getMessage().contains("is not a PEM PKCS#8 private key"), ex.getMessage());
    }

    @Test
    void shouldCreateTheSelfSignedCertificateOnceAndReuseIt() throws Exception
    {
        final Path directory = tempDir.resolve("state").resolve("tls");
        final String tls = "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: self-signed\n" +
            "    selfSignedDir: " + directory + "\n";
        start(tls, "").close();
        final Path key = directory.resolve(SelfSignedFiles.KEY_FILE_NAME);
        final byte[] created = Files.readAllBytes(key);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        start(tls, "").close();
        assertArrayEquals(created, Files.readAllBytes(key), "reused, not created again");
    }

    @Test
    void shouldRefuseASelfSignedDirectoryThatIsALink() throws Exception
    {
        final Path target = Files.createDirectory(tempDir.resolve("elsewhere"));
        final Path link = Files.createSymbolicLink(tempDir.resolve("link"), target);
        final String tls = "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: self-signed\n" +
            "    selfSignedDir: " + link + "\n";

        final StartupException ex = assertThrows(StartupException.class, () -> start(tls, "").close());
        assertEquals("listener.tls.selfSignedDir", ex.key());
        assertTrue(Files.notExists(target.resolve(SelfSignedFiles.KEY_FILE_NAME), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldCloseAConnectionThatNeverCompletesItsHandshake() throws Exception
    {
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("a"), "a.test");
        final Listener listener = start(certificate(files[0], files[1]), "    handshakeTimeout: 200ms\n");
        try (Socket socket = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port))
        {
            // a client that sends nothing, one that sends half a hello, one that sends 3 cleartext bytes: all closed
            // without a byte
            socket.setSoTimeout(20_000);
            final InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "closed by the handshake timeout");
            try (Socket half = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port))
            {
                half.getOutputStream().write(new byte[]{0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                half.setSoTimeout(20_000);
                assertEquals(-1, half.getInputStream().read(), "closed by the handshake timeout");
            }
            try (Socket plain = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port))
            {
                // fewer bytes than a TLS record header, cleartext or not, decide nothing: the timeout closes it
                plain.getOutputStream().write("GET".getBytes(StandardCharsets.US_ASCII));
                plain.setSoTimeout(20_000);
                assertEquals(-1, plain.getInputStream().read(), "closed by the handshake timeout");
            }
        }
        finally
        {
            listener.close();
        }
    }

    @Test
    void shouldCloseAConnectionPastTheLimitOnAnHttpsPortWithoutACleartextByte() throws Exception
    {
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("a"), "a.test");
        final Listener listener = start("  maxConnections: 1\n" + certificate(files[0], files[1]), "");
        try (SSLSocket held = TlsClients.connect(port, "a.test", null);
            Socket refused = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port))
        {
            // the first holds the only slot (its handshake done); the second expects TLS, so a cleartext 503 would
            // only be garbage to it: it is closed without a byte
            refused.setSoTimeout(20_000);
            assertEquals(
                "", new String(refused.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1),
                "closed without a cleartext answer");
            assertTrue(held.getSession().isValid());
        }
        finally
        {
            listener.close();
        }
    }

    @Test
    void shouldRefuseAClientWithoutCertificateWhenOneIsRequiredAndPassOnThePresentedOne() throws Exception
    {
        final Path[] server = TlsClients.certificateFiles(tempDir.resolve("server"), "server.test");
        final Path[] client = TlsClients.certificateFiles(tempDir.resolve("client"), "client.test");
        final Listener listener = start(
            certificate(server[0], server[1]), "    clientCertificate: required\n", TlsFactsHandler.class.getName());
        try
        {
            // TLS 1.3: the client's side of the handshake completes before the server judges it; the refusal comes
            // as an alert where the answer would
            assertThrows(IOException.class, () ->
            {
                try (RawHttpClient anonymous = new RawHttpClient(TlsClients.connect(port, null, null)))
                {
                    anonymous.send(RawHttpClient.get("/tls", port));
                }
            });
            final String expected = Base64.getEncoder().encodeToString(
                PemFiles.readChain(client[0], "test")[0].getEncoded());
            try (RawHttpClient presenting = new RawHttpClient(TlsClients.connect(port, null, client)))
            {
                final RawHttpClient.Response response = presenting.send(RawHttpClient.get("/tls", port));
                assertEquals(200, response.status(), response::toString);
                assertTrue(response.bodyText().contains("\nclient-cert: " + expected + "\n"), response::bodyText);
            }
        }
        finally
        {
            listener.close();
        }
    }

    private int port;

    private Listener start(final String tls, final String extra)
    {
        return start(tls, extra, SampleHandler.class.getName());
    }

    private Listener start(final String tls, final String extra, final String handler)
    {
        port = TestListener.freePort();
        final String yaml = "listener:\n  id: tls-" + Long.toHexString(System.nanoTime()) + "\n" + tls + extra +
            "queues:\n  - name: app\n    prefixes: [ \"https://+:" + port + "/\" ]\n    hosting: in-process\n" +
            "    handler: " + handler + "\n";
        return new Listener(ConfigLoader.parse(yaml, "sluice.yaml")).start();
    }

    private static String certificate(final Path certificate, final Path key)
    {
        return "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: " + certificate + "\n" +
            "        key: " + key + "\n";
    }
}
