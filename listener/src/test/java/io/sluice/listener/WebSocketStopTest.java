package io.sluice.listener;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop and open tunnels: a tunnel is a request in flight, so the stop waits for it up to its queue's
 * {@code shutdownTimeLimit}, then closes it; its client sees the connection close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketStopTest
{
    private static final long SHUTDOWN_TIME_LIMIT_MS = 1_000;
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.loopback("loopback", WebSocketEchoHandler.class)
            .worker("shutdownTimeLimit", SHUTDOWN_TIME_LIMIT_MS + "ms"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldCloseOpenTunnelsOnceShutdownTimeLimitHasPassed() throws Exception
    {
        final TestListener listener = LISTENERS.start("ws-stop", CONFIG);
        assertEquals(200, listener.awaitOk("/loopback/", READY_TIMEOUT_MS).status());
        try (WebSocketTestClient client = WebSocketTestClient.connect(listener.port(), "/loopback/ws"))
        {
            client.sendText("before the stop");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("before the stop", echo.text());
            echo.release();

            final long startNs = System.nanoTime();
            listener.listener().stop();
            final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertTrue(stopMs >= SHUTDOWN_TIME_LIMIT_MS, "the stop waited for the tunnel: " + stopMs + " ms");
            assertTrue(client.awaitClosed(), "the tunnel is closed by the stop");
        }
    }
}
