package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * HTTP/2 against each hosting model of a listener: h2c with prior knowledge on a cleartext port and h2 (ALPN) on an
 * HTTPS port, over Netty's HTTP/2 client. One scenario per behaviour, run against in-process, shared memory and
 * loopback: hello, echo byte for byte (0 B, 1 MiB, 10 MiB), 100 streams at once on one connection each answered with
 * its own body, a stream reset mid-body (the handler is told, the other streams finish), and 503 for a stream whose
 * queue is full while the connection goes on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2EndToEndTest
{
    private static final Path CERT_ROOT =
        Path.of("target", "tls-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final int MIB = 1024 * 1024;
    private static final int QUEUE_LENGTH = 100;
    private static final int STREAMS = 100;
    private static final long ANSWER_TIMEOUT_S = 60;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final List<String> PATHS = List.of("/inproc/", "/shm/", "/loopback/");

    @RegisterExtension
    static final ListenerExtension CLEARTEXT = ListenerExtension.perClass("h2c", config("http"))
        .awaitReady(READY_TIMEOUT_MS, PATHS.toArray(new String[0]));

    @RegisterExtension
    static final ListenerExtension TLS = ListenerExtension.perClass("h2", config("https"));

    @TempDir
    Path tempDir;

    static Stream<Arguments> protocolsAndPaths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String protocol : List.of("h2c", "h2"))
        {
            for (final String path : PATHS)
            {
                arguments.add(Arguments.of(protocol, path));
            }
        }
        return arguments.stream();
    }

    static Stream<Arguments> protocolsPathsAndBodyLengths()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String protocol : List.of("h2c", "h2"))
        {
            for (final String path : PATHS)
            {
                for (final int length : new int[] { 0, MIB, 10 * MIB })
                {
                    arguments.add(Arguments.of(protocol, path, length));
                }
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protocolsAndPaths")
    void shouldAnswerHello(final String protocol, final String path) throws Exception
    {
        try (Http2TestClient client = connect(protocol))
        {
            final Http2TestClient.Response response = answer(client.send("GET", path, null));

            assertEquals(200, response.status(), response::toString);
            assertEquals("text/plain", response.header("content-type"));
            assertEquals("13", response.header("content-length"));
            assertNotNull(response.header("date"));
            assertNull(response.header("connection"));
            assertEquals(DeliveryHandler.HELLO, response.bodyText());
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} bytes")
    @MethodSource("protocolsPathsAndBodyLengths")
    void shouldEchoBodyByteForByte(final String protocol, final String path, final int length) throws Exception
    {
        final byte[] body = new byte[length];
        new Random(length).nextBytes(body);
        try (Http2TestClient client = connect(protocol))
        {
            final Http2TestClient.Response response =
                answer(client.send("POST", path + "echo", body, "content-type", OCTET_STREAM));

            assertEquals(200, response.status(), response::toString);
            assertEquals(Integer.toString(length), response.header("content-length"));
            assertArrayEquals(body, response.body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("protocolsAndPaths")
    void shouldAnswerEachOfAHundredConcurrentStreamsWithItsOwnBody(final String protocol, final String path)
        throws Exception
    {
        try (Http2TestClient client = connect(protocol))
        {
            final List<CompletableFuture<Http2TestClient.Response>> responses = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++)
            {
                responses.add(client.send(
                    "POST", path + "echo", ("request " + i).getBytes(StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < STREAMS; i++)
            {
                final Http2TestClient.Response response = answer(responses.get(i));
                assertEquals(200, response.status(), response::toString);
                assertEquals("request " + i, response.bodyText());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldTellTheHandlerOfAStreamResetMidBodyAndFinishTheOtherStreams(final String queue) throws Exception
    {
        final String id = queue + "-reset-" + UUID.randomUUID();
        final byte[] part = new byte[64 * 1024];
        new Random(7).nextBytes(part);
        try (Http2TestClient client = connect("h2c"))
        {
            final Http2TestClient.Stream reset =
                client.open("POST", "/" + queue + "/stream", 4 * MIB, false, "x-id", id);
            reset.data(part, 0, part.length, false);
            final CompletableFuture<Http2TestClient.Response> sibling =
                client.send("POST", "/" + queue + "/echo", part);
            // the reset stream's handler has started (it answers with a head at once): then the client gives up on it
            assertEquals(200, reset.head().get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
            reset.reset();

            final Http2TestClient.Response answered = answer(sibling);
            assertEquals(200, answered.status(), answered::toString);
            assertArrayEquals(part, answered.body());
            awaitAbort(queue, id);

            final Http2TestClient.Response next = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, next.status(), next::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldAnswer503ToAStreamWhoseQueueIsFullAndGoOnServingTheConnection(final String queue) throws Exception
    {
        final Path release = tempDir.resolve("release");
        try (Http2TestClient holding = connect("h2c"); Http2TestClient client = connect("h2c"))
        {
            final List<CompletableFuture<Http2TestClient.Response>> held = new ArrayList<>();
            for (int i = 0; i < QUEUE_LENGTH; i++)
            {
                held.add(holding.send("GET", "/" + queue + "/?release=" + release, null));
            }
            try
            {
                awaitQueueFull(queue);

                final Http2TestClient.Response refused = answer(client.send("GET", "/" + queue + "/", null));
                assertEquals(503, refused.status(), refused::toString);
                assertEquals("service unavailable: request queue full\n", refused.bodyText());
            }
            finally
            {
                // the held requests are answered only now: the 503 did not wait for them
                Files.createFile(release);
            }

            for (final CompletableFuture<Http2TestClient.Response> response : held)
            {
                assertEquals(200, answer(response).status());
            }
            final Http2TestClient.Response next = answer(client.send("GET", "/" + queue + "/", null));
            assertEquals(200, next.status(), next::toString);
            assertEquals(DeliveryHandler.HELLO, next.bodyText());
        }
    }

    @Test
    void shouldServeHttp11OnTheSameCleartextPort() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(CLEARTEXT.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/inproc/", CLEARTEXT.port()));
            assertEquals(200, response.status(), response::toString);
            assertEquals(DeliveryHandler.HELLO, response.bodyText());
        }
    }

    private static Http2TestClient connect(final String protocol) throws Exception
    {
        final boolean tls = "h2".equals(protocol);
        if (tls)
        {
            awaitTlsReady();
        }
        return Http2TestClient.connect(tls ? TLS.port() : CLEARTEXT.port(), tls);
    }

    private static Http2TestClient.Response answer(final CompletableFuture<Http2TestClient.Response> response)
        throws Exception
    {
        return response.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static void awaitTlsReady() throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + READY_TIMEOUT_MS;
        for (final String path : PATHS)
        {
            while (true)
            {
                try (Http2TestClient client = Http2TestClient.connect(TLS.port(), true))
                {
                    if (200 == answer(client.send("GET", path, null)).status())
                    {
                        break;
                    }
                }
                if (System.currentTimeMillis() > deadlineMs)
                {
                    throw new AssertionError(path + " not ready over h2");
                }
                Thread.sleep(50);
            }
        }
    }

    private static void awaitQueueFull(final String queue) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (CLEARTEXT.listener().queue(queue).length() >= QUEUE_LENGTH)
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("queue " + queue + " never filled");
    }

    private static void awaitAbort(final String queue, final String id) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final Path log = CLEARTEXT.get().logDir().resolve(queue + ".log");
        while (System.nanoTime() - deadlineNs < 0)
        {
            if ("inproc".equals(queue) ? DeliveryHandler.isAborted(id) :
                Files.exists(log) && Files.readAllLines(log, StandardCharsets.ISO_8859_1).contains("abort " + id))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the " + queue + " handler was never told of the reset of " + id);
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
            .queue(TestConfig.inProcess("inproc", DeliveryHandler.class)
                .prefixes(prefix + "inproc/").set("queueLength", QUEUE_LENGTH))
            .queue(TestConfig.sharedMemory("shm", DeliveryHandler.class)
                .prefixes(prefix + "shm/").set("queueLength", QUEUE_LENGTH))
            .queue(TestConfig.loopback("loopback", DeliveryHandler.class)
                .prefixes(prefix + "loopback/").set("queueLength", QUEUE_LENGTH))
            .yaml();
    }
}
