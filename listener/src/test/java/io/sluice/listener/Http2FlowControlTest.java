package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 flow control as back-pressure, against each hosting model (h2c, the sample handler): a stream whose client
 * reads nothing of a large response (its window closed) holds back neither its siblings on the same connection (a
 * hello and a 1 MiB echo are answered meanwhile, over shared memory through the same worker's rings) nor another
 * connection; once the client reads again, the whole response arrives.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Http2FlowControlTest
{
    private static final int MIB = 1024 * 1024;
    private static final int LARGE = 16 * MIB;
    private static final long WAIT_S = 30;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2flow", CONFIG)
        .awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/");

    @ParameterizedTest
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldServeSiblingsWhileAStreamsClientReadsNothing(final String queue) throws Exception
    {
        final byte[] body = new byte[MIB];
        new Random(11).nextBytes(body);
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final Http2TestClient.Stream stalled = client.openPaused("GET", "/" + queue + "/bytes?n=" + LARGE);

            final Http2TestClient.Response hello = client.send("GET", "/" + queue + "/", null)
                .get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(200, hello.status(), hello::toString);
            assertEquals("Hello, World!", hello.bodyText());
            final Http2TestClient.Response echo = client.send("POST", "/" + queue + "/echo", body)
                .get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(200, echo.status(), echo::toString);
            assertArrayEquals(body, echo.body());
            try (Http2TestClient other = Http2TestClient.connect(LISTENER.port(), false))
            {
                assertEquals(200, other.send("GET", "/" + queue + "/", null).get(WAIT_S, TimeUnit.SECONDS).status());
            }
            assertFalse(stalled.response().isDone(), "the stalled stream ended while its client read nothing");
            assertEquals(0, stalled.bodyLengthRead());

            stalled.resume();
            final Http2TestClient.Response large = stalled.response().get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(200, large.status(), large::toString);
            assertEquals(LARGE, large.body().length);
            assertTrue(large.reset() < 0, "reset: " + large.reset());
        }
    }
}
