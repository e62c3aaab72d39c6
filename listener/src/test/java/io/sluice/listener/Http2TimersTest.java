package io.sluice.listener;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP.sys timers over HTTP/2 (h2c): {@code entityBody} and {@code queueWait} per stream (the stream is answered,
 * its siblings and the connection go on), {@code headerWait} for a header block ({@code GOAWAY PROTOCOL_ERROR}, then
 * close: nothing else may come between its frames), {@code idleConnection} per connection ({@code GOAWAY}, then close),
 * and a graceful stop ({@code GOAWAY} at once, the stream in flight finishes, then the connection closes). The
 * unit tests of the timers on a clock of their own are in {@code http.Http2HeaderWaitTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2TimersTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("errorLog", "\"${LOG_DIR}/logs/httperr.log\"")
        .timeout("entityBody", "500ms")
        .timeout("headerWait", "500ms")
        .timeout("idleConnection", "1s")
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class))
        .queue(TestConfig.loopback("stuck", DeliveryHandler.class)
            .timeout("queueWait", "300ms")
            .command("sleep", "60")
            .worker("shutdownTimeLimit", "0ms"))
        .yaml();

    private static final String STOP_CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class))
        .yaml();

    private static final long WAIT_S = 20;
    private static final Path CERT_ROOT =
        Path.of("target", "tls-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final String TLS_CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("tls", "{ certificates: [ { hosts: [ \"*\" ], certificate: self-signed } ], " +
            "selfSignedDir: \"" + CERT_ROOT.resolve("self") + "\" }")
        .timeout("headerWait", "500ms")
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class).prefixes("https://+:${PORT}/inproc/"))
        .yaml();
    private static final long LOG_TIMEOUT_MS = 20_000;
    // HPACK :method GET and :scheme http (static table): the start of a header block
    private static final byte[] HEADER_BLOCK_START = { (byte)0x82, (byte)0x86 };
    private static final long HOLD_MS = 1_000;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2timers", CONFIG);

    @RegisterExtension
    static final ListenerExtension STOPPING = ListenerExtension.onDemand();

    @Test
    void shouldAnswer408ToAStreamWhoseBodyStallsAndServeItsSiblings() throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final Http2TestClient.Stream stalled = client.open("POST", "/inproc/echo", 10, false);
            stalled.data("12345".getBytes(StandardCharsets.US_ASCII), 0, 5, false);
            final Http2TestClient.Response sibling = answer(client.send("GET", "/inproc/", null));
            assertEquals(200, sibling.status(), sibling::toString);

            final Http2TestClient.Response timedOut = answer(stalled.response());
            assertEquals(408, timedOut.status(), timedOut::toString);
            assertEquals("request timeout: request body not received in time\n", timedOut.bodyText());

            final Http2TestClient.Response after = answer(client.send("GET", "/inproc/", null));
            assertEquals(200, after.status(), after::toString);
        }
    }

    @Test
    void shouldAnswer503ToAStreamNoWorkerTakesWithinQueueWait() throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final CompletableFuture<Http2TestClient.Response> waiting = client.send("GET", "/stuck/", null);
            final Http2TestClient.Response sibling = answer(client.send("GET", "/inproc/", null));
            assertEquals(200, sibling.status(), sibling::toString);

            final Http2TestClient.Response refused = answer(waiting);
            assertEquals(503, refused.status(), refused::toString);
            assertEquals("service unavailable: request waited too long in the queue\n", refused.bodyText());
            assertFalse(client.goAway().isDone());
        }
    }

    @Test
    void shouldSendGoAwayProtocolErrorAndCloseAConnectionWhoseHeaderBlockIsNotCompleteWithinHeaderWait()
        throws Exception
    {
        final int clientPort;
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 0, true))
        {
            clientPort = connection.localPort();
            connection.frame(Http2FrameTypes.HEADERS, 1, new Http2Flags().endOfStream(true), HEADER_BLOCK_START);

            assertEquals(Http2Error.PROTOCOL_ERROR.code(), connection.goAway().get(WAIT_S, TimeUnit.SECONDS));
            connection.closed().get(WAIT_S, TimeUnit.SECONDS);
        }
        final String[] line = LogLines.await(
            errorLog(),
            (fields) -> fields[10].equals("Timer_HeaderWait") && fields[3].equals(Integer.toString(clientPort)),
            LOG_TIMEOUT_MS);
        assertEquals("HTTP/2", line[6], String.join(" ", line));
        assertEquals(1, LogLines.records(errorLog()).stream()
            .filter((fields) -> fields[3].equals(Integer.toString(clientPort))).count(), "one line for the connection");

        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            assertEquals(200, answer(client.send("GET", "/inproc/", null)).status());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "h2c", "h2" })
    void shouldKeepServingAConnectionWhoseHeaderBlocksAreCompletePastHeaderWait(final String protocol)
        throws Exception
    {
        final boolean tls = "h2".equals(protocol);
        final int port = tls ? STOPPING.start("h2tls", TLS_CONFIG).port() : LISTENER.port();
        try (Http2TestClient client = Http2TestClient.connect(port, tls))
        {
            // a stream open past headerWait, and a sibling begun after it: each header block is timed on its own
            final Http2TestClient.Stream held = client.open("GET", "/inproc/?hold=" + HOLD_MS, -1, true);
            Thread.sleep(HOLD_MS / 2 + 200);
            final Http2TestClient.Response sibling = answer(client.send("GET", "/inproc/", null));
            assertEquals(200, sibling.status(), sibling::toString);

            final Http2TestClient.Response answered = answer(held.response());
            assertEquals(200, answered.status(), answered::toString);
            assertEquals(DeliveryHandler.HELLO, answered.bodyText());
            assertFalse(client.goAway().isDone(), "the connection was closed");
        }
    }

    @Test
    void shouldSendGoAwayAndCloseAConnectionWithNoStreamOpenForIdleConnection() throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            assertEquals(200, answer(client.send("GET", "/inproc/", null)).status());

            final Http2GoAwayFrame goAway = client.goAway().get(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(goAway, "closed without GOAWAY");
            try
            {
                assertEquals(0, goAway.errorCode());
            }
            finally
            {
                goAway.release();
            }
            assertTrue(client.channel().closeFuture().await(WAIT_S, TimeUnit.SECONDS), "still open");
            final String clientPort =
                Integer.toString(((InetSocketAddress)client.channel().localAddress()).getPort());
            final String[] line = LogLines.await(
                errorLog(),
                (fields) -> fields[10].equals("Timer_ConnectionIdle") && fields[3].equals(clientPort),
                LOG_TIMEOUT_MS);
            assertEquals("HTTP/2", line[6], String.join(" ", line));
        }
    }

    @Test
    void shouldSendGoAwayOnGracefulStopAndFinishTheStreamInFlight() throws Exception
    {
        final TestListener listener = STOPPING.start("h2stop", STOP_CONFIG);
        try (Http2TestClient client = Http2TestClient.connect(listener.port(), false))
        {
            assertEquals(200, answer(client.send("GET", "/inproc/", null)).status());
            final Http2TestClient.Stream held = client.open("GET", "/inproc/?hold=" + HOLD_MS, -1, true);
            Thread.sleep(100);

            final Thread stop = new Thread(() -> listener.listener().stop(), "h2-graceful-stop");
            stop.start();
            final Http2GoAwayFrame goAway = client.goAway().get(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(goAway, "closed without GOAWAY");
            try
            {
                assertEquals(0, goAway.errorCode());
                assertFalse(held.response().isDone(), "GOAWAY came after the held answer, not at the stop");
            }
            finally
            {
                goAway.release();
            }

            final Http2TestClient.Response answered = answer(held.response());
            assertEquals(200, answered.status(), answered::toString);
            assertEquals(DeliveryHandler.HELLO, answered.bodyText());
            assertTrue(client.channel().closeFuture().await(WAIT_S, TimeUnit.SECONDS), "still open");
            stop.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        }
    }

    private static Path errorLog()
    {
        return LISTENER.get().logDir().resolve("logs").resolve("httperr.log");
    }

    private static Http2TestClient.Response answer(final CompletableFuture<Http2TestClient.Response> response)
        throws Exception
    {
        return response.get(WAIT_S, TimeUnit.SECONDS);
    }
}
