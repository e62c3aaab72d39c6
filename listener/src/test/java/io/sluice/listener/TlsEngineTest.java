package io.sluice.listener;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.tls.ServerTlsContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS engines over real sockets: the OpenSSL engine resumes a session a client presents again, for each TLS
 * version; {@code engine: jdk} serves on the JDK's engine though OpenSSL loads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsEngineTest
{
    @TempDir
    Path tempDir;

    private int port;

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void shouldResumeTheSessionOfAnEarlierConnectionWithTheOpenSslEngine(final String protocol) throws Exception
    {
        assertTrue(OpenSsl.isAvailable(), "the OpenSSL engine loads on this platform");
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("server"), "server.test");
        final Listener listener = start(tls(files, protocol));
        try
        {
            // one client context, one session cache: the second connection offers what the first was given
            final SSLContext client = TlsClients.context(null);
            final SSLSession first = exchange(client);
            final List<byte[]> cached = Collections.list(client.getClientSessionContext().getIds());
            final SSLSession second = exchange(client);

            assertEquals(protocol, first.getProtocol());
            assertEquals(protocol, second.getProtocol());
            assertTrue(!cached.isEmpty(), "the first connection left a session to resume");
            // resumed: the second connection's session is the one the first left in the client's cache (TLS 1.2: the
            // session id the server gave; TLS 1.3: the ticket's session), where a full handshake makes a new one
            assertTrue(cached.stream().anyMatch((id) -> Arrays.equals(id, second.getId())), "the session was resumed");
            assertEquals(first.getCreationTime(), second.getCreationTime(), "the session was resumed");
            final SSLSession fresh = exchange(TlsClients.context(null));
            assertTrue(cached.stream().noneMatch((id) -> Arrays.equals(id, fresh.getId())),
                "a client without the session gets a new one");
        }
        finally
        {
            listener.close();
        }
    }

    @Test
    void shouldServeHelloAndEchoAMebibyteOnTheJdkEngineWhenConfigured() throws Exception
    {
        final Path[] files = TlsClients.certificateFiles(tempDir.resolve("server"), "server.test");
        final String tls = tls(files, "TLSv1.3") + "    engine: jdk\n";
        final ListenerConfiguration config = ConfigLoader.parse(yaml(tls, 1), "sluice.yaml");
        assertEquals(
            SslProvider.JDK, ServerTlsContexts.create(config.tls()).provider(), "the JDK's, though OpenSSL loads");
        final Listener listener = start(tls);
        final byte[] body = new byte[1 << 20];
        new Random(42).nextBytes(body);
        try (SSLSocket socket = TlsClients.connect(TlsClients.context(null), port, null);
            RawHttpClient client = new RawHttpClient(socket))
        {
            final RawHttpClient.Response hello = client.send(RawHttpClient.get("/", port));
            assertEquals(200, hello.status(), hello::toString);
            final RawHttpClient.Response echo = client.send(
                RawHttpClient.post("/echo", port, "application/octet-stream", body));
            assertEquals(200, echo.status(), echo::toString);
            assertArrayEquals(body, echo.body());
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
        finally
        {
            listener.close();
        }
    }

    private SSLSession exchange(final SSLContext context) throws Exception
    {
        try (SSLSocket socket = TlsClients.connect(context, port, null);
            RawHttpClient client = new RawHttpClient(socket))
        {
            // an answer read: a TLS 1.3 ticket comes after the handshake, with the first application data
            assertEquals(200, client.send(RawHttpClient.get("/", port)).status());
            return socket.getSession();
        }
    }

    private static String tls(final Path[] files, final String protocol)
    {
        return "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: " + files[0] + "\n" +
            "        key: " + files[1] + "\n    protocols: [" + protocol + "]\n";
    }

    private Listener start(final String tls)
    {
        port = TestListener.freePort();
        return new Listener(ConfigLoader.parse(yaml(tls, port), "sluice.yaml")).start();
    }

    private static String yaml(final String tls, final int port)
    {
        return "listener:\n  id: tls-engine-" + Long.toHexString(System.nanoTime()) + "\n" + tls +
            "queues:\n  - name: app\n    prefixes: [ \"https://+:" + port + "/\" ]\n    hosting: in-process\n" +
            "    handler: " + SampleHandler.class.getName() + "\n";
    }
}
