package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lingering close: a request answered before its body is in (413 by Content-Length here) gets its whole response
 * while the client is still sending, never a reset; the listener half-closes after the response, reads and discards
 * what still arrives, and the connection ends with end-of-file.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LingeringCloseTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", LimitsHandler.class))
        .yaml();

    private static final int CHUNK = 32 * 1024;
    private static final int CHUNKS = 16;
    private static final long CHUNK_PAUSE_MS = 20;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("linger", CONFIG);

    @Test
    void shouldDeliverWhole413WithoutResetWhileClientIsStillSendingBody() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final IOException[] writeFailure = new IOException[1];
            final Thread writer = new Thread(
                () ->
                {
                    try
                    {
                        client.write(RawHttpClient.ascii("POST /inproc/upload HTTP/1.1\r\nHost: 127.0.0.1:" +
                            LISTENER.port() +
                            "\r\nContent-Type: application/octet-stream\r\nContent-Length: 31000000\r\n\r\n"));
                        final byte[] chunk = new byte[CHUNK];
                        for (int i = 0; i < CHUNKS; i++)
                        {
                            client.write(chunk);
                            Thread.sleep(CHUNK_PAUSE_MS);
                        }
                    }
                    catch (final IOException ex)
                    {
                        writeFailure[0] = ex;
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                },
                "slow-body-writer");
            writer.start();

            final RawHttpClient.Response refused = client.readResponse(false);
            assertEquals(413, refused.status(), refused::toString);
            assertEquals("close", refused.header("connection"));
            assertEquals("request entity too large: Content-Length over the limit: limit=30000000\n",
                refused.bodyText());

            writer.join(20_000);
            assertNull(writeFailure[0], () -> "the body could not be sent: " + writeFailure[0]);
            assertTrue(client.isClosedByPeer(5_000), "no end-of-file after the response");
        }
        assertEquals(0, LimitsHandler.REQUESTS.get());
    }
}
