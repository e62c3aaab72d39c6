package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A loopback worker whose response body runs past its {@code Content-Length} into a whole second response, in the
 * same write ({@link SmugglingLoopbackWorker}): the client gets the declared body, and no later request, on that
 * client connection or another, is ever answered with the extra response.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackSmugglingTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.loopback("loopback", SampleHandler.class)
            .command("${JAVA}", "-cp", "${CLASS_PATH}", "io.sluice.listener.SmugglingLoopbackWorker")
            .worker("startupTimeLimit", "30s")
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("loopback-smuggling", CONFIG
            .replace("${JAVA}", Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .replace("${CLASS_PATH}", System.getProperty("java.class.path")))
        .awaitReady(20_000, "/loopback/");

    @Test
    void shouldNeverAnswerALaterRequestWithBytesPastADeclaredLength() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            for (int i = 0; i < 20; i++)
            {
                final RawHttpClient.Response smuggling =
                    client.send(RawHttpClient.get("/loopback/smuggle", LISTENER.port()));
                assertEquals(200, smuggling.status(), smuggling::toString);
                assertEquals("ok", new String(smuggling.body(), StandardCharsets.US_ASCII));
                final RawHttpClient.Response next = client.send(RawHttpClient.get("/loopback/next", LISTENER.port()));
                assertEquals(200, next.status(), next::toString);
                assertEquals("clean", new String(next.body(), StandardCharsets.US_ASCII));
            }
        }
    }
}
