package io.sluice.listener;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum send rate over real HTTP/2 connections: an h2c client that keeps its stream window shut on a large
 * response and sends pings meanwhile (answers the listener sends on its own, which are not the client reading) is cut
 * after the grace window with {@code GOAWAY ENHANCE_YOUR_CALM}, and the error log has its stream's
 * {@code Timer_MinBytesPerSecond} line; an h2 client (TLS, ALPN) that stops reading a stream is cut the same way. The
 * other timers are long, so only the send rate can close the connections.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Http2MinSendRateEndToEndTest
{
    private static final Path CERT_ROOT =
        Path.of("target", "tls-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final int LENGTH = 8 * 1024 * 1024;
    private static final String PATH = "/inproc/bytes?n=" + LENGTH;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long CLOSE_TIMEOUT_S = 30;
    private static final long LOG_TIMEOUT_MS = 20_000;
    // a 17-byte PING answer every 250 ms: 68 bytes per second, under minSendRate, yet data sent in every sample
    private static final long PING_INTERVAL_MS = 250;

    @RegisterExtension
    static final ListenerExtension CLEARTEXT =
        ListenerExtension.perClass("h2c-sendrate", config("http")).awaitReady(READY_TIMEOUT_MS, "/inproc/");

    @RegisterExtension
    static final ListenerExtension TLS = ListenerExtension.perClass("h2-sendrate", config("https"));

    @Test
    void shouldCutAnH2cClientThatKeepsItsWindowShutWhilePinging() throws Exception
    {
        final int clientPort;
        final long startNs = System.nanoTime();
        try (RawHttp2Connection connection = RawHttp2Connection.connect(CLEARTEXT.port(), 0, true))
        {
            clientPort = connection.localPort();
            connection.settings(new Http2Settings().initialWindowSize(0));
            connection.headers(1, RawHttp2Connection.request("GET", PATH), true);
            assertEquals(200, connection.status(1).get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS));

            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(CLOSE_TIMEOUT_S);
            try
            {
                for (long ping = 1; !connection.closed().isDone() && System.nanoTime() - deadlineNs < 0; ping++)
                {
                    connection.ping(ping);
                    Thread.sleep(PING_INTERVAL_MS);
                }
            }
            catch (final IOException ex)
            {
                // the listener closed the connection between two pings
            }
            assertTrue(connection.closed().isDone(), "still open after " + CLOSE_TIMEOUT_S + " s of pings");
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), connection.goAway().getNow(null), "GOAWAY, then close");
        }

        final String[] line = LogLines.await(
            CLEARTEXT.get().logDir().resolve("logs").resolve("httperr.log"),
            (fields) -> fields[10].equals("Timer_MinBytesPerSecond") && fields[3].equals(Integer.toString(clientPort)),
            LOG_TIMEOUT_MS);
        final String text = String.join(" ", line);
        assertEquals("HTTP/2", line[6], text);
        assertEquals("GET", line[7], text);
        assertEquals(PATH, line[8], text);
        assertEquals("inproc", line[11], text);
    }

    @Test
    void shouldCutAnH2ClientThatStopsReadingAStream() throws Exception
    {
        try (Http2TestClient client = Http2TestClient.connect(TLS.port(), true))
        {
            final Http2TestClient.Stream paused = client.openPaused("GET", PATH);
            final Http2GoAwayFrame goAway = client.goAway().get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
            assertNotNull(goAway, "closed without GOAWAY");
            try
            {
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            }
            finally
            {
                goAway.release();
            }
            assertTrue(client.channel().closeFuture().await(CLOSE_TIMEOUT_S, TimeUnit.SECONDS), "closed");
            assertTrue(paused.bodyLengthRead() < LENGTH, "the stream was cut: " + paused.bodyLengthRead());
        }
    }

    private static String config(final String scheme)
    {
        final TestConfig config = TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .listener("errorLog", "\"${LOG_DIR}/logs/httperr.log\"")
            .timeout("headerWait", "60s")
            .timeout("idleConnection", "60s")
            .timeout("minSendRate", 150)
            .timeout("minSendRateGrace", "2s");
        if ("https".equals(scheme))
        {
            config.listener("tls", "{ certificates: [ { hosts: [ \"*\" ], certificate: self-signed } ], " +
                "selfSignedDir: \"" + CERT_ROOT.resolve("self") + "\" }");
        }
        return config
            .queue(TestConfig.inProcess("inproc", SampleHandler.class).prefixes(scheme + "://+:${PORT}/inproc/"))
            .yaml();
    }
}
