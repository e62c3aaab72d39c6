package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log of one listener serving the same handler in every hosting model: a request to each is written as
 * one W3C line with the IIS field names, its exact status, bytes sent and received, queue and hosting model, and a
 * queue with {@code accessLog: false} writes none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("accessLog", "{ path: \"${LOG_DIR}/logs/access.log\", rotate: { daily: false } }")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .queue(TestConfig.inProcess("quiet", SampleHandler.class).set("accessLog", false))
        .yaml();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long LOG_TIMEOUT_MS = 10_000;
    private static final String FIELDS = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip " +
        "cs(User-Agent) cs(Referer) sc-status sc-bytes cs-bytes time-taken s-queue s-hosting cs-version";

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("access", CONFIG).awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/");

    @ParameterizedTest
    @CsvSource({ "inproc, in-process", "shm, shared-memory", "loopback, loopback" })
    void shouldLogOneLinePerRequestWithItsExactFields(final String queue, final String hosting) throws Exception
    {
        final String target = "/" + queue + "/echo?id=" + queue + "&q=a%20b";
        final byte[] body = RawHttpClient.ascii("twelve bytes");
        final byte[] request = RawHttpClient.concat(
            RawHttpClient.ascii("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + LISTENER.port() + "\r\n" +
                "User-Agent: Sluice Test/1.0\r\nReferer: http://example.com/from\r\n" +
                "Content-Length: " + body.length + "\r\n\r\n"),
            body);
        final RawHttpClient.Received received = RawHttpClient.exchange(
            LISTENER.port(), request, 10_000, 2_000, (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
        assertTrue(received.text().startsWith("HTTP/1.1 200 "), received.text());
        assertTrue(received.text().endsWith("twelve bytes"), received.text());

        final Path file = accessLog();
        final String[] line = LogLines.await(file, (fields) -> fields[4].equals("/" + queue + "/echo"), LOG_TIMEOUT_MS);
        assertEquals(17, line.length, String.join(" ", line));
        assertTrue(line[0].matches("\\d{4}-\\d{2}-\\d{2}"), line[0]);
        assertTrue(line[1].matches("\\d{2}:\\d{2}:\\d{2}"), line[1]);
        assertEquals("127.0.0.1", line[2]);
        assertEquals("POST", line[3]);
        assertEquals("id=" + queue + "&q=a%20b", line[5]);
        assertEquals(Integer.toString(LISTENER.port()), line[6]);
        assertEquals("127.0.0.1", line[7]);
        assertEquals("Sluice+Test/1.0", line[8]);
        assertEquals("http://example.com/from", line[9]);
        assertEquals("200", line[10]);
        assertEquals(Integer.toString(received.text().length()), line[11], "sc-bytes: the bytes the client received");
        assertEquals(Integer.toString(request.length), line[12], "cs-bytes: the bytes the client sent");
        assertTrue(Long.parseLong(line[13]) >= 0, line[13]);
        assertEquals(queue, line[14]);
        assertEquals(hosting, line[15]);
        assertEquals("HTTP/1.1", line[16]);
    }

    @Test
    void shouldStartTheFileWithTheW3cDirectives() throws Exception
    {
        RawHttpClient.exchange(LISTENER.port(), RawHttpClient.get("/inproc/", LISTENER.port()), 10_000, 2_000,
            (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
        final Path file = accessLog();
        LogLines.await(file, (fields) -> fields[4].equals("/inproc/"), LOG_TIMEOUT_MS);
        final List<String> lines = LogLines.lines(file);
        assertEquals("#Software: Sluice", lines.get(0));
        assertEquals("#Version: 1.0", lines.get(1));
        assertTrue(lines.get(2).matches("#Date: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"), lines.get(2));
        assertEquals(FIELDS, lines.get(3));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @ParameterizedTest
    @CsvSource({ "inproc, in-process", "shm, shared-memory", "loopback, loopback" })
    void shouldLogARequestWhoseClientLeftBeforeItsAnswer(final String queue, final String hosting) throws Exception
    {
        final String target = "/" + queue + "/sleep?ms=3000&left=" + queue;
        try (Socket socket = new Socket(RawHttpClient.LOOPBACK_ADDRESS, LISTENER.port()))
        {
            socket.getOutputStream().write(RawHttpClient.get(target, LISTENER.port()));
            Await.value(1, () -> LISTENER.listener().queue(queue).length(), LOG_TIMEOUT_MS);
        }
        final String[] line = LogLines.await(
            accessLog(), (fields) -> ("ms=3000&left=" + queue).equals(fields[5]), LOG_TIMEOUT_MS);
        assertEquals("-", line[10], "no status was sent");
        assertEquals("0", line[11], "no byte was sent");
        assertEquals(queue, line[14]);
        assertEquals(hosting, line[15]);
    }

    @Test
    void shouldNotLogTheRequestsOfAQueueWhoseAccessLogIsOff() throws Exception
    {
        RawHttpClient.exchange(LISTENER.port(), RawHttpClient.get("/quiet/", LISTENER.port()), 10_000, 2_000,
            (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
        // a request logged after it: once its line is there, the quiet one would be too
        RawHttpClient.exchange(LISTENER.port(), RawHttpClient.get("/inproc/?after=quiet", LISTENER.port()), 10_000,
            2_000, (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
        LogLines.await(accessLog(), (fields) -> fields[5].equals("after=quiet"), LOG_TIMEOUT_MS);
        for (final String[] line : LogLines.records(accessLog()))
        {
            assertTrue(!line[4].startsWith("/quiet/"), String.join(" ", line));
        }
    }

    private static Path accessLog()
    {
        return LISTENER.get().logDir().resolve("logs").resolve("access.log");
    }
}
