package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error log: every refusal or failure the listener answers (or closes for) itself is one httperr line with its
 * reason, produced here by a real request over a real socket against a running listener with short timers, and
 * found in the file with its client, server, protocol, method, URL, status and queue.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ErrorLogTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("errorLog", "\"${LOG_DIR}/logs/httperr.log\"")
        .listener("maxUrlLength", 128)
        .listener("maxFieldLength", 256)
        .listener("maxRequestBytes", "2k")
        .timeout("headerWait", "500ms")
        .timeout("idleConnection", "500ms")
        .timeout("entityBody", "500ms")
        .timeout("minSendRate", 150)
        .timeout("minSendRateGrace", "500ms")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.inProcess("hostile", HostileHandler.class))
        .queue(TestConfig.inProcess("small", SampleHandler.class).set("queueLength", 1))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class).worker("requestTimeout", "500ms"))
        .queue(TestConfig.sharedMemory("dying", ExitingHandler.class))
        .queue(TestConfig.sharedMemory("offline", SampleHandler.class)
            .command("/bin/sh", "-c", "exit 1")
            .worker("startupRetryCount", 0))
        .queue(TestConfig.loopback("stuck", SampleHandler.class)
            .timeout("queueWait", "300ms")
            .command("sleep", "60")
            .worker("shutdownTimeLimit", "0ms"))
        .yaml();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long LOG_TIMEOUT_MS = 20_000;
    private static final int READ_MS = 10_000;
    private static final String FIELDS =
        "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-reason s-queuename";

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("errors", CONFIG).awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/");

    /**
     * One way to make the listener refuse or fail a request.
     */
    @FunctionalInterface
    interface Provocation
    {
        void run(int port) throws Exception;
    }

    static Stream<Arguments> reasons()
    {
        return Stream.of(
            Arguments.of("BadRequest", "400", "/inproc/?case=bad", "-", (Provocation)(port) ->
                answer(port, "GET /inproc/?case=bad HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n")),
            Arguments.of("Hostname", "400", "/inproc/?case=host", "-", (Provocation)(port) ->
                answer(port, "GET /inproc/?case=host HTTP/1.1\r\n\r\n")),
            Arguments.of("URL_Length", "414", null, "-", (Provocation)(port) ->
                answer(port, "GET /inproc/" + "u".repeat(200) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")),
            Arguments.of("FieldLength", "431", "/inproc/?case=field", "-", (Provocation)(port) ->
                answer(port, "GET /inproc/?case=field HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + "f".repeat(300) +
                "\r\n\r\n")),
            Arguments.of("RequestLength", "431", "/inproc/?case=request", "-", (Provocation)(port) ->
                answer(port, "GET /inproc/?case=request HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                ("X-Field: " + "r".repeat(200) + "\r\n").repeat(12) + "\r\n")),
            Arguments.of("Timer_HeaderWait", "408", "-", "-", (Provocation)(port) ->
                answer(port, "GET /inproc/?case=head HTTP/1.1\r\nHost: 127.0.0.1\r\n")),
            Arguments.of("Timer_EntityBody", "408", "/inproc/echo?case=body", "inproc", (Provocation)(port) ->
                answer(port, "POST /inproc/echo?case=body HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n" +
                "\r\nonly ten b")),
            Arguments.of("Timer_ConnectionIdle", "-", "-", "-", (Provocation)(port) -> answer(port, "")),
            Arguments.of("Timer_MinBytesPerSecond", "-", "/inproc/bytes?n=67108864", "inproc",
                (Provocation)ErrorLogTest::neverRead),
            Arguments.of("QueueFull", "503", "/small/?case=full", "small", (Provocation)ErrorLogTest::fillQueue),
            Arguments.of("Timer_QueueWait", "503", "/stuck/?case=wait", "stuck", (Provocation)(port) ->
                answer(port, get("/stuck/?case=wait"))),
            Arguments.of("AppOffline", "503", "/offline/?case=offline", "offline", (Provocation)ErrorLogTest::offline),
            Arguments.of("Connection_Abandoned_By_Worker", "502", "/dying/?case=dying", "dying", (Provocation)(port) ->
                answer(port, "POST /dying/?case=dying HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nhi")),
            Arguments.of("Timer_RequestTimeout", "504", "/shm/sleep?ms=5000", "shm", (Provocation)(port) ->
                answer(port, get("/shm/sleep?ms=5000"))),
            Arguments.of("Worker_Protocol_Error", "502", "/hostile/status999", "hostile", (Provocation)(port) ->
                answer(port, get("/hostile/status999"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void shouldLogEachRefusalWithItsReason(
        final String reason, final String status, final String url, final String queue, final Provocation provocation)
        throws Exception
    {
        provocation.run(LISTENER.port());

        final String[] line = LogLines.await(
            errorLog(),
            (fields) -> fields[10].equals(reason) && (null == url || fields[8].equals(url)),
            LOG_TIMEOUT_MS);
        assertEquals(12, line.length, String.join(" ", line));
        assertEquals("127.0.0.1", line[2]);
        assertTrue(Integer.parseInt(line[3]) > 0, line[3]);
        assertEquals("127.0.0.1", line[4]);
        assertEquals(Integer.toString(LISTENER.port()), line[5]);
        assertEquals(status, line[9], String.join(" ", line));
        assertEquals(queue, line[11], String.join(" ", line));
        if (!"-".equals(url) && null != url)
        {
            assertEquals("HTTP/1.1", line[6]);
            assertEquals(url.contains("echo") || url.contains("dying") ? "POST" : "GET", line[7]);
        }
    }

    @Test
    void shouldStartTheFileWithTheHttperrDirectives() throws Exception
    {
        answer(LISTENER.port(), "GET /inproc/?case=directives HTTP/1.1\r\n\r\n");
        LogLines.await(errorLog(), (fields) -> fields[8].equals("/inproc/?case=directives"), LOG_TIMEOUT_MS);
        final List<String> lines = LogLines.lines(errorLog());
        assertEquals("#Software: Sluice", lines.get(0));
        assertEquals("#Version: 1.0", lines.get(1));
        assertEquals(FIELDS, lines.get(3));
    }

    private static Path errorLog()
    {
        return LISTENER.get().logDir().resolve("logs").resolve("httperr.log");
    }

    private static String get(final String target)
    {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    private static void answer(final int port, final String request) throws IOException
    {
        RawHttpClient.exchange(port, RawHttpClient.ascii(request), READ_MS, READ_MS,
            (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
    }

    private static void neverRead(final int port) throws Exception
    {
        try (Socket socket = new Socket())
        {
            // a small receive window, so the kernel cannot take the whole response off the listener's hands
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), READ_MS);
            socket.getOutputStream().write(RawHttpClient.ascii(get("/inproc/bytes?n=67108864")));
            LogLines.await(errorLog(), (fields) -> fields[10].equals("Timer_MinBytesPerSecond"), LOG_TIMEOUT_MS);
        }
    }

    private static void fillQueue(final int port) throws Exception
    {
        try (Socket holder = new Socket())
        {
            holder.connect(new InetSocketAddress(RawHttpClient.LOOPBACK_ADDRESS, port), READ_MS);
            holder.getOutputStream().write(RawHttpClient.ascii(get("/small/sleep?ms=3000")));
            Await.value(1, () -> LISTENER.listener().queue("small").length(), READ_MS);
            answer(port, get("/small/?case=full"));
            final InputStream in = holder.getInputStream();
            holder.setSoTimeout(READ_MS);
            assertTrue(in.read() >= 0, "the held request is answered");
        }
    }

    private static void offline(final int port) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOG_TIMEOUT_MS);
        while (!LISTENER.get().supervisor("offline").isQueueStopped() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        answer(port, get("/offline/?case=offline"));
    }
}
