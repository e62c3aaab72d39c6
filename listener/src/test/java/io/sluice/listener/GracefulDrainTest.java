package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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
        .queue(TestConfig.inProcess("inproc", DeliveryHandler.class))
        .yaml();

    private static final int CLOSE_TIMEOUT_MS = 10_000;

    @TempDir
    Path tempDir;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @Test
    void shouldCloseIdleConnectionsAtOnceAndAnswerInFlightRequestWithConnectionClose() throws Exception
    {
        final TestListener listener = LISTENERS.start("drain", CONFIG);
        final int port = listener.port();
        final Path release = tempDir.resolve("release");
        Thread stopper = null;
        try (RawHttpClient idle = new RawHttpClient(port); RawHttpClient busy = new RawHttpClient(port))
        {
            final RawHttpClient.Response first = idle.send(RawHttpClient.get("/inproc/", port));
            assertEquals(200, first.status(), first::toString);
            assertEquals(null, first.header("connection"), first::toString);

            // held in the handler until the release file exists: in flight for as long as the test needs
            busy.write(RawHttpClient.get("/inproc/?release=" + release, port));
            assertEquals(1, listener.awaitQueueLength("inproc", 1), "the held request is in flight");

            stopper = new Thread(listener.listener()::stop, "stopper");
            stopper.start();

            // at once: while the request in flight is still held, not after the drain
            assertTrue(idle.isClosedByPeer(CLOSE_TIMEOUT_MS), "idle keep-alive connection left open");
            assertTrue(stopper.isAlive(), "stop() returned with a request in flight");
            Files.createFile(release);

            final RawHttpClient.Response slow = busy.readResponse(false);
            assertEquals(200, slow.status(), slow::toString);
            assertEquals(DeliveryHandler.HELLO, slow.bodyText());
            assertEquals("close", slow.header("connection"), slow::toString);
            assertTrue(busy.isClosedByPeer(CLOSE_TIMEOUT_MS), "connection left open after its last response");

            stopper.join(20_000);
            assertTrue(!stopper.isAlive(), "stop() did not return");
        }
        finally
        {
            if (!Files.exists(release))
            {
                Files.createFile(release);
            }
            if (null != stopper)
            {
                stopper.join(20_000);
            }
        }
    }
}
