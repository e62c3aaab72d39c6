package io.sluice.listener;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

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
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackWireTest
{
    private static final String CONFIG = """
        listener:
          id: ${ID}
          bind: 127.0.0.1
          eventLoops: 1
          shmDir: ${SHM_DIR}
        queues:
          - name: loopback
            prefixes: [ "http://+:${PORT}/loopback/" ]
            hosting: loopback
            handler: io.sluice.dispatch.sample.SampleHandler
            worker:
              command: [ "${JAVA}", "-cp", "${CLASS_PATH}", "io.sluice.listener.RawLoopbackWorker" ]
              startupTimeLimit: 30s
              shutdownTimeLimit: 1s
              stdoutLog: ${LOG_DIR}/raw.out
        """;

    private static final long READY_TIMEOUT_MS = 20_000;

    private static TestListener listener;
    private static String token;

    @BeforeAll
    static void startListener() throws Exception
    {
        listener = TestListener.start("loopback-wire", CONFIG
            .replace("${JAVA}", Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .replace("${CLASS_PATH}", System.getProperty("java.class.path")));
        listener.assertReady(READY_TIMEOUT_MS, "/loopback/");
        token = tokenOf(listener.supervisor("loopback").pid(0));
    }

    @AfterAll
    static void closeListener()
    {
        if (null != listener)
        {
            listener.close();
            listener = null;
        }
    }

    @Test
    void shouldSendTheClientsFieldsThenForwardingFieldsFramingAndTokenToAWorkerOfItsOwn() throws Exception
    {
        final String host = "127.0.0.1:" + listener.port();

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
        try (RawHttpClient client = new RawHttpClient(listener.port()))
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
