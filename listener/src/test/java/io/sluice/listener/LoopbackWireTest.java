package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.sluice.listener.RawHttpClient.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a loopback worker of its own ({@code command}, {@link RawLoopbackWorker}) receives on the wire: the client's
 * fields in the client's order, less those of the client's connection, then the listener's own, {@code X-Forwarded-For}
 * first, {@code X-Forwarded-Proto}, {@code Sluice-Appl-Path}, the framing the client did not send, and the token. The
 * worker SDK hides the listener's fields from its handler; a worker of its own still gets them all.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackWireTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.loopback("loopback", SampleHandler.class)
            .command("${JAVA}", "-cp", "${CLASS_PATH}", "io.sluice.listener.RawLoopbackWorker")
            .worker("startupTimeLimit", "30s")
            .worker("shutdownTimeLimit", "1s")
            .worker("stdoutLog", "${LOG_DIR}/raw.out"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("loopback-wire", CONFIG
            .replace("${JAVA}", Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .replace("${CLASS_PATH}", System.getProperty("java.class.path")))
        .awaitReady(READY_TIMEOUT_MS, "/loopback/");

    private static String token;

    @BeforeAll
    static void readToken() throws Exception
    {
        token = tokenOf(LISTENER.get().supervisor("loopback").pid(0));
    }

    @Test
    void shouldSendTheClientsFieldsThenForwardingFieldsFramingAndTokenToAWorkerOfItsOwn() throws Exception
    {
        final String host = "127.0.0.1:" + LISTENER.port();

        assertEquals(
            "GET /loopback/a?b HTTP/1.1\r\n" +
            "Host: x.example:81\r\n" +
            "X-Custom: v\r\n" +
            "Accept: */*\r\n" +
            "x-forwarded-for: 127.0.0.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /loopback/\r\n" +
            "content-length: 0\r\n" +
            "sluice-token: " + token + "\r\n",
            send(ascii("GET http://x.example:81/loopback/a?b HTTP/1.1\r\nConnection: keep-alive, X-Private\r\n" +
                "Host: " + host + "\r\nX-Private: p\r\nX-Custom: v\r\nX-Forwarded-For: 6.6.6.6\r\nTE: trailers\r\n" +
                "Accept: */*\r\n\r\n")));
        assertEquals(
            "POST /loopback/p HTTP/1.1\r\n" +
            "Host: " + host + "\r\n" +
            "Content-Length: 5\r\n" +
            "X-Custom: v\r\n" +
            "x-forwarded-for: 127.0.0.1\r\n" +
            "x-forwarded-proto: http\r\n" +
            "sluice-appl-path: /loopback/\r\n" +
            "sluice-token: " + token + "\r\n",
            send(ascii("POST /loopback/p HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 5\r\nX-Custom: v\r\n" +
                "Expect: 100-continue\r\n\r\nhello")));
    }

    private static String send(final byte[] request) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            RawHttpClient.Response response = client.send(request);
            if (100 == response.status())
            {
                response = client.readResponse(false);
            }
            assertEquals(200, response.status(), response::toString);
            return response.bodyText();
        }
    }

    private static String tokenOf(final long pid) throws IOException
    {
        final String token = WorkerSignals.environmentOf(pid).get("SLUICE_TOKEN");
        if (null == token)
        {
            throw new AssertionError("no SLUICE_TOKEN in the worker's environment");
        }
        return token;
    }
}
