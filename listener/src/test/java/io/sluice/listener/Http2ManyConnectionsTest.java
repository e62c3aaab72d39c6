package io.sluice.listener;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The load {@code h2load -c16 -m32} puts on a listener that has just started: 16 HTTP/2 connections opened at once,
 * each with 32 streams in flight, a new stream sent as each one is answered, over h2 (TLS, ALPN) and h2c (prior
 * knowledge), in process and over shared memory. Every stream is answered with the hello; none is left waiting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2ManyConnectionsTest
{
    private static final Path CERT_ROOT =
        Path.of("target", "tls-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final int CONNECTIONS = 16;
    private static final int STREAMS = 32;
    private static final int ROUNDS = 8;
    private static final long ANSWER_TIMEOUT_S = 30;
    private static final long READY_TIMEOUT_MS = 20_000;

    @RegisterExtension
    final ListenerExtension cleartext = ListenerExtension.perTest("h2c-many", config("http"))
        .awaitReady(READY_TIMEOUT_MS, "/shm/");

    @RegisterExtension
    final ListenerExtension tls = ListenerExtension.perTest("h2-many", config("https"));

    static Stream<Arguments> protocolsAndPaths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String protocol : List.of("h2", "h2c"))
        {
            for (final String path : List.of("/inproc/", "/shm/"))
            {
                arguments.add(Arguments.of(protocol, path));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protocolsAndPaths")
    void shouldAnswerEveryStreamOfSixteenConnectionsOpenedAtOnceOnAFreshListener(
        final String protocol, final String path) throws Exception
    {
        final boolean secure = "h2".equals(protocol);
        final int port = secure ? tls.port() : cleartext.port();
        final List<CompletableFuture<Http2TestClient>> connecting = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++)
        {
            connecting.add(CompletableFuture.supplyAsync(() -> connect(port, secure)));
        }
        final List<Http2TestClient> clients = new ArrayList<>();
        try
        {
            for (final CompletableFuture<Http2TestClient> client : connecting)
            {
                clients.add(client.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
            }
            for (int round = 0; round < ROUNDS; round++)
            {
                final List<CompletableFuture<Http2TestClient.Response>> responses = new ArrayList<>();
                for (final Http2TestClient client : clients)
                {
                    for (int i = 0; i < STREAMS; i++)
                    {
                        responses.add(client.send("GET", path, null));
                    }
                }
                int answered = 0;
                for (final CompletableFuture<Http2TestClient.Response> pending : responses)
                {
                    final Http2TestClient.Response response;
                    try
                    {
                        response = pending.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
                    }
                    catch (final java.util.concurrent.TimeoutException ex)
                    {
                        throw new AssertionError(protocol + " " + path + " round " + round + ": " + answered +
                            " of " + responses.size() + " streams answered, the others left waiting", ex);
                    }
                    assertEquals(200, response.status(), response::toString);
                    assertEquals(DeliveryHandler.HELLO, response.bodyText());
                    answered++;
                }
            }
        }
        finally
        {
            for (final Http2TestClient client : clients)
            {
                client.close();
            }
        }
    }

    private static Http2TestClient connect(final int port, final boolean secure)
    {
        try
        {
            return Http2TestClient.connect(port, secure);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("no connection to port " + port, ex);
        }
    }

    private static String config(final String scheme)
    {
        final TestConfig config = TestConfig.listener().listener("bind", "127.0.0.1");
        if ("https".equals(scheme))
        {
            config.listener("tls", "{ certificates: [ { hosts: [ \"*\" ], certificate: self-signed } ], " +
                "selfSignedDir: \"" + CERT_ROOT.resolve("self") + "\" }");
        }
        final String prefix = scheme + "://+:${PORT}/";
        return config
            .queue(TestConfig.inProcess("inproc", DeliveryHandler.class).prefixes(prefix + "inproc/"))
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class).prefixes(prefix + "shm/"))
            .yaml();
    }
}
