package io.sluice.listener;

import io.sluice.listener.tls.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;

import static io.sluice.listener.RawHttpClient.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * HTTPS against each hosting model of one listener, over JDK TLS sockets: the {@code EndToEndTest} scenarios that
 * matter for TLS (hello, echo byte for byte, keep-alive and pipelining on one connection), and the certificate a
 * client gets for the host name it sends (SNI): the one configured for it, else the default ({@code "*"}, here the
 * self-signed one Sluice creates); and what each model's handler is told of the connection (scheme, protocol,
 * cipher, SNI name, client certificate), never a client's copy of the listener's fields; and a cleartext request
 * sent to the HTTPS port, answered 400 and closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpsEndToEndTest
{
    private static final String NAMED_HOST = "a.sluice.test";
    private static final String OTHER_HOST = "b.sluice.test";
    private static final Path CERT_ROOT =
        Path.of("target", "tls-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final Path[] NAMED_FILES = TlsClients.certificateFiles(CERT_ROOT.resolve("named"), NAMED_HOST);
    private static final Path[] CLIENT_FILES = TlsClients.certificateFiles(CERT_ROOT.resolve("client"), "client.test");
    private static final String CONFIG = config();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long READY_POLL_MS = 50;
    private static final int MIB = 1024 * 1024;
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final int PIPELINE_DEPTH = 5;
    private static final int PLAIN_ANSWER_TIMEOUT_MS = 10_000;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("https", CONFIG);

    static Stream<Arguments> pathsAndBodyLengths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : List.of("/inproc/", "/shm/", "/loopback/"))
        {
            for (final int length : new int[] { 0, MIB })
            {
                arguments.add(Arguments.of(path, length));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldAnswerHelloOverHttps(final String path) throws Exception
    {
        awaitReady(path);
        try (RawHttpClient client = TlsClients.client(port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(path, port()));

            assertEquals(200, response.status(), response::toString);
            assertEquals("text/plain", response.header("content-type"), response::toString);
            assertEquals("Hello, World!", response.bodyText());
        }
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("pathsAndBodyLengths")
    void shouldEchoBodyByteForByteOverHttps(final String path, final int length) throws Exception
    {
        awaitReady(path);
        final byte[] body = new byte[length];
        new Random(length).nextBytes(body);
        try (RawHttpClient client = TlsClients.client(port()))
        {
            final RawHttpClient.Response response = client.sendWhileReading(
                RawHttpClient.post(path + "echo", port(), OCTET_STREAM, body));

            assertEquals(200, response.status(), response::toString);
            assertEquals(Integer.toString(length), response.header("content-length"), response::toString);
            assertArrayEquals(body, response.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldAnswerPipelinedRequestsInOrderOnOneKeptAliveConnection(final String path) throws Exception
    {
        awaitReady(path);
        final byte[][] requests = new byte[PIPELINE_DEPTH][];
        for (int i = 0; i < PIPELINE_DEPTH; i++)
        {
            requests[i] = RawHttpClient.post(path + "echo", port(), "text/plain", RawHttpClient.ascii("request " + i));
        }
        try (RawHttpClient client = TlsClients.client(port()))
        {
            // one write of all the requests, then the answers in order; then the same connection once more
            client.write(concat(requests));
            for (int i = 0; i < PIPELINE_DEPTH; i++)
            {
                final RawHttpClient.Response response = client.readResponse(false);
                assertEquals(200, response.status(), response::toString);
                assertEquals("request " + i, response.bodyText());
            }
            final RawHttpClient.Response again = client.send(RawHttpClient.get(path, port()));
            assertEquals(200, again.status(), again::toString);
            assertEquals("Hello, World!", again.bodyText());
        }
    }

    @Test
    void shouldAnswerPlainHttpOnTheHttpsPort400ThenCloseAndStillServeHttps() throws Exception
    {
        awaitReady("/inproc/");
        final String answer;
        try (Socket socket = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port()))
        {
            socket.setSoTimeout(PLAIN_ANSWER_TIMEOUT_MS);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // read to end of stream: a timeout or reset fails the test
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }

        final String body = "400 Bad Request: a plain HTTP request was sent to an HTTPS port\n";
        assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
        assertTrue(answer.contains("\r\nconnection: close\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-type: text/plain\r\n"), answer);
        assertTrue(answer.contains("\r\ncontent-length: " + body.length() + "\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + body), answer);
        assertEquals(1, answer.split("HTTP/1.1 ", -1).length - 1, answer);
        Await.value(0, () -> LISTENER.listener().connections().openCount(), PLAIN_ANSWER_TIMEOUT_MS);

        try (RawHttpClient client = TlsClients.client(port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/inproc/", port()));

            assertEquals(200, response.status(), response::toString);
            assertEquals("Hello, World!", response.bodyText());
        }
    }

    @Test
    void shouldPickTheCertificateOfTheHostNameTheClientSends() throws Exception
    {
        awaitReady("/inproc/");
        final X509Certificate named;
        final X509Certificate other;
        final X509Certificate none;
        try (SSLSocket socket = TlsClients.connect(port(), NAMED_HOST, null))
        {
            named = TlsClients.serverCertificate(socket);
        }
        try (SSLSocket socket = TlsClients.connect(port(), OTHER_HOST, null))
        {
            other = TlsClients.serverCertificate(socket);
        }
        try (SSLSocket socket = TlsClients.connect(port(), null, null))
        {
            none = TlsClients.serverCertificate(socket);
        }

        assertTrue(dnsNames(named).contains(NAMED_HOST), () -> "named: " + named.getSubjectX500Principal());
        assertFalse(dnsNames(other).contains(NAMED_HOST), () -> "other: " + dnsNames(other));
        assertEquals(other, none, "an unknown name and no name both get the default certificate");
        assertFalse(named.equals(none));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldTellTheHandlerTheTlsFactsAndNoClientCopyOfTheListenersFields(final String path) throws Exception
    {
        awaitReady(path);
        final String response;
        try (RawHttpClient client = new RawHttpClient(TlsClients.connect(port(), NAMED_HOST, null)))
        {
            response = client.send(RawHttpClient.request(
                "GET", path + "tls", NAMED_HOST,
                "Sluice-Client-Cert: :Zm9yZ2Vk:",
                "sluice_client_cert: forged",
                "X-Forwarded-Proto: http",
                "x_FORWARDED_proto: http",
                "SLUICE-TLS-PROTOCOL: SSLv2",
                "Sluice-Tls-Server-Name: forged.example",
                "Accept: */*")).bodyText();
        }

        assertEquals(
            "scheme: https\nprotocol: TLSv1.3\ncipher: " + cipherOf(response) + "\nserver-name: " + NAMED_HOST + "\n" +
            "client-cert: -\nhost: " + NAMED_HOST + "\naccept: */*\n",
            response);
        assertTrue(cipherOf(response).startsWith("TLS_"), response);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldPassTheClientCertificateToTheHandler(final String path) throws Exception
    {
        awaitReady(path);
        final String expected = Base64.getEncoder().encodeToString(
            PemFiles.readChain(CLIENT_FILES[0], "test")[0].getEncoded());
        try (RawHttpClient client = new RawHttpClient(TlsClients.connect(port(), null, CLIENT_FILES)))
        {
            final String response = client.send(RawHttpClient.get(path + "tls", port())).bodyText();

            assertTrue(response.contains("\nserver-name: -\nclient-cert: " + expected + "\n"), response);
        }
    }

    private static String cipherOf(final String response)
    {
        final int start = response.indexOf("cipher: ") + "cipher: ".length();
        return response.substring(start, response.indexOf('\n', start));
    }

    private static String config()
    {
        final String tls = "{ certificates: [ " +
            "{ hosts: [ \"*\" ], certificate: self-signed }, " +
            "{ hosts: [ \"" + NAMED_HOST + "\" ], certificate: \"" + NAMED_FILES[0] + "\", key: \"" + NAMED_FILES[1] +
            "\" } ], clientCertificate: optional, selfSignedDir: \"" + CERT_ROOT.resolve("self") + "\" }";
        final String handler = TlsFactsHandler.class.getName();
        return TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .listener("tls", tls)
            .queue(TestConfig.inProcess("inproc", handler).prefixes("https://+:${PORT}/inproc/"))
            .queue(TestConfig.sharedMemory("shm", handler).prefixes("https://+:${PORT}/shm/"))
            .queue(TestConfig.loopback("loopback", handler).prefixes("https://+:${PORT}/loopback/"))
            .yaml();
    }

    private static List<String> dnsNames(final X509Certificate certificate)
    {
        final List<String> names = new ArrayList<>();
        try
        {
            final Collection<List<?>> altNames = certificate.getSubjectAlternativeNames();
            for (final List<?> altName : null == altNames ? List.<List<?>>of() : altNames)
            {
                if (Integer.valueOf(2).equals(altName.get(0)))
                {
                    names.add((String)altName.get(1));
                }
            }
        }
        catch (final CertificateParsingException ex)
        {
            fail(ex);
        }
        return names;
    }

    private static int port()
    {
        return LISTENER.port();
    }

    private static void awaitReady(final String path) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + READY_TIMEOUT_MS;
        String last = "no answer";
        while (System.currentTimeMillis() < deadlineMs)
        {
            try (RawHttpClient client = TlsClients.client(port()))
            {
                final RawHttpClient.Response response = client.send(RawHttpClient.get(path, port()));
                if (200 == response.status())
                {
                    return;
                }
                last = response.toString();
            }
            catch (final IOException ex)
            {
                last = ex.toString();
            }
            Thread.sleep(READY_POLL_MS);
        }
        fail(path + " not ready over https: " + last);
    }
}
