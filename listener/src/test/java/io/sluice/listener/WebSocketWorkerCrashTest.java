package io.sluice.listener;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.process.WorkerSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared-memory worker SIGKILLed with WebSocket tunnels open, the sample handler's {@code ws} echo in a real worker
 * process: every client sees its connection closed (never left hanging), and the queue serves new tunnels once the
 * replacement has attached.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketWorkerCrashTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int TUNNELS = 8;

    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("ws-crash", CONFIG).awaitReady(READY_TIMEOUT_MS, "/shm/");

    @Test
    void shouldCloseOpenTunnelsWhenTheWorkerIsKilledAndServeNewOnesAfterItsRestart() throws Exception
    {
        final WorkerSupervisor supervisor = LISTENER.get().supervisor("shm");
        final long pid = supervisor.pid(0);
        final List<WebSocketTestClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < TUNNELS; i++)
            {
                final WebSocketTestClient client = WebSocketTestClient.connect(LISTENER.port(), "/shm/ws");
                clients.add(client);
                client.sendText("before " + i);
                final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
                assertEquals("before " + i, echo.text());
                echo.release();
            }

            WorkerSignals.kill(pid);

            for (final WebSocketTestClient client : clients)
            {
                assertTrue(client.awaitClosed(), "the tunnel is closed when its worker dies");
            }
        }
        finally
        {
            for (final WebSocketTestClient client : clients)
            {
                client.close();
            }
        }

        WorkerSignals.awaitNewPid(supervisor, pid);
        try (WebSocketTestClient client = connectWhenServed())
        {
            client.sendText("after");
            final TextWebSocketFrame echo = assertInstanceOf(TextWebSocketFrame.class, client.next());
            assertEquals("after", echo.text());
            echo.release();
        }
    }

    /**
     * The replacement may still be attaching: a tunnel asked for meanwhile waits in the ring for it.
     */
    private static WebSocketTestClient connectWhenServed() throws Exception
    {
        return WebSocketTestClient.connect(LISTENER.port(), "/shm/ws");
    }
}
