package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * While {@link Listener#stop()} drains the requests in flight, an idle keep-alive connection is closed at once and a
 * request in flight is answered with {@code connection: close}, its connection closed after it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulDrainTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();

    private static final long SLOW_MS = 1_000;
    private static final long IN_FLIGHT_WAIT_MS = 200;
    private static final int IDLE_CLOSE_LIMIT_MS = 500;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldCloseIdleConnectionsAtOnceAndAnswerInFlightRequestWithConnectionClose() throws Exception
    {
        final TestListener listener = LISTENERS.start("drain", CONFIG);
        final int port = listener.port();
        Thread stopper = null;
        try (RawHttpClient idle = new RawHttpClient(port); RawHttpClient busy = new RawHttpClient(port))
        {
            final RawHttpClient.Response first = idle.send(RawHttpClient.get("/inproc/", port));
            assertEquals(200, first.status(), first::toString);
            assertEquals(null, first.header("connection"), first::toString);

            busy.write(RawHttpClient.get("/inproc/sleep?ms=" + SLOW_MS, port));
            Thread.sleep(IN_FLIGHT_WAIT_MS);

            stopper = new Thread(listener.listener()::stop, "stopper");
            final long stopNs = System.nanoTime();
            stopper.start();

            assertTrue(idle.isClosedByPeer(IDLE_CLOSE_LIMIT_MS), "idle keep-alive connection left open");
            final long idleClosedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNs);
            assertTrue(idleClosedMs < SLOW_MS - IN_FLIGHT_WAIT_MS, "idle closed after " + idleClosedMs + " ms");

            final RawHttpClient.Response slow = busy.readResponse(false);
            assertEquals(200, slow.status(), slow::toString);
            assertEquals("slept", slow.bodyText());
            assertEquals("close", slow.header("connection"), slow::toString);
            assertTrue(busy.isClosedByPeer(5_000), "connection left open after its last response");

            stopper.join(20_000);
            assertTrue(!stopper.isAlive(), "stop() did not return");
        }
        finally
        {
            if (null != stopper)
            {
                stopper.join(20_000);
            }
        }
    }
}
