package io.sluice.listener;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 streams in the access and error logs, over real h2c connections: a GET on each hosting model is one access
 * line with the same fields as HTTP/1.1 and {@code cs-version} {@code HTTP/2}, its bytes those of its stream (head as
 * its header list size, plus {@code DATA}); a stream refused 431 for a field over {@code maxFieldLength} and one
 * refused 503 for a full queue are each one error line with their reason, and so are the refusals Netty's codec answers
 * itself: its 431 for a header list over {@code maxRequestBytes} ({@code RequestLength}) and {@code REFUSED_STREAM} for
 * a stream past {@code maxConcurrentStreams} ({@code Http2_Refused_Stream}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Http2LogTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("accessLog", "{ path: \"${LOG_DIR}/logs/access.log\", rotate: { daily: false } }")
        .listener("errorLog", "\"${LOG_DIR}/logs/httperr.log\"")
        .listener("maxFieldLength", 256)
        .listener("http2", "{ maxResets: " + Http2LogTest.MAX_RESETS + ", maxConcurrentStreams: " +
            Http2LogTest.MAX_CONCURRENT_STREAMS + " }")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
        .queue(TestConfig.loopback("loopback", SampleHandler.class))
        .queue(TestConfig.inProcess("small", SampleHandler.class).set("queueLength", 1))
        .yaml();
    private static final int MAX_RESETS = 10;
    private static final int MAX_CONCURRENT_STREAMS = 8;
    private static final int PAD_FIELDS = 62;
    private static final int PAD_LENGTH = 240;
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long LOG_TIMEOUT_MS = 20_000;
    private static final long ANSWER_TIMEOUT_S = 30;
    private static final int HEADER_FIELD_OVERHEAD = 32;
    private static final String USER_AGENT = "Sluice Test/2.0";
    private static final String REFERER = "http://example.com/from";

    @RegisterExtension
    static final ListenerExtension LISTENER = ListenerExtension.perClass("h2log", CONFIG)
        .awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/", "/small/");

    @ParameterizedTest
    @CsvSource({ "inproc, in-process", "shm, shared-memory", "loopback, loopback" })
    void shouldLogAnH2cStreamWithItsExactFields(final String queue, final String hosting) throws Exception
    {
        final String path = "/" + queue + "/?id=h2-" + queue + "&q=a%20b";
        final Http2TestClient.Response response;
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            response = answer(client.send("GET", path, null, "user-agent", USER_AGENT, "referer", REFERER));
        }
        assertEquals(200, response.status(), response::toString);

        final String[] line = LogLines.await(
            accessLog(), (fields) -> ("id=h2-" + queue + "&q=a%20b").equals(fields[5]), LOG_TIMEOUT_MS);
        assertEquals(17, line.length, String.join(" ", line));
        assertTrue(line[0].matches("\\d{4}-\\d{2}-\\d{2}"), line[0]);
        assertTrue(line[1].matches("\\d{2}:\\d{2}:\\d{2}"), line[1]);
        assertEquals("127.0.0.1", line[2]);
        assertEquals("GET", line[3]);
        assertEquals("/" + queue + "/", line[4]);
        assertEquals(Integer.toString(LISTENER.port()), line[6]);
        assertEquals("127.0.0.1", line[7]);
        assertEquals("Sluice+Test/2.0", line[8]);
        assertEquals(REFERER, line[9]);
        assertEquals("200", line[10]);
        assertEquals(
            Long.toString(headerListSize(response.headers()) + response.body().length), line[11],
            "sc-bytes: the response head's header list size and its DATA bytes");
        final long requestHead = fieldSize(":method", "GET") + fieldSize(":path", path) +
            fieldSize(":scheme", "http") + fieldSize(":authority", "127.0.0.1") +
            fieldSize("user-agent", USER_AGENT) + fieldSize("referer", REFERER);
        assertEquals(Long.toString(requestHead), line[12], "cs-bytes: the request head's header list size");
        assertTrue(Long.parseLong(line[13]) >= 0, line[13]);
        assertEquals(queue, line[14]);
        assertEquals(hosting, line[15]);
        assertEquals("HTTP/2", line[16]);
    }

    @Test
    void shouldLogAStreamRefused431WithFieldLength() throws Exception
    {
        final String path = "/inproc/?case=h2-field";
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final Http2TestClient.Response refused = answer(client.send("GET", path, null, "x-long", "f".repeat(300)));
            assertEquals(431, refused.status(), refused::toString);
            // the connection goes on
            assertEquals(200, answer(client.send("GET", "/inproc/", null)).status());
        }

        final String[] line = LogLines.await(
            errorLog(), (fields) -> fields[10].equals("FieldLength") && fields[8].equals(path), LOG_TIMEOUT_MS);
        assertErrorLine(line, "GET", "431", "-");
    }

    @Test
    void shouldLogAStreamRefused503WithQueueFull() throws Exception
    {
        final String path = "/small/?case=h2-full";
        try (Http2TestClient client = Http2TestClient.connect(LISTENER.port(), false))
        {
            final CompletableFuture<Http2TestClient.Response> held = client.send("GET", "/small/sleep?ms=2000", null);
            Await.value(1, () -> LISTENER.listener().queue("small").length(), LOG_TIMEOUT_MS);
            final Http2TestClient.Response refused = answer(client.send("GET", path, null));
            assertEquals(503, refused.status(), refused::toString);
            assertEquals(200, answer(held).status());
        }

        final String[] line = LogLines.await(
            errorLog(), (fields) -> fields[10].equals("QueueFull") && fields[8].equals(path), LOG_TIMEOUT_MS);
        assertErrorLine(line, "GET", "503", "small");
        final String[] access = LogLines.await(
            accessLog(), (fields) -> "case=h2-full".equals(fields[5]), LOG_TIMEOUT_MS);
        assertEquals("503", access[10], String.join(" ", access));
        assertEquals("HTTP/2", access[16], String.join(" ", access));
    }

    @Test
    void shouldLogAConnectionClosedForRapidResetWithHttp2ProtocolError() throws Exception
    {
        final int clientPort;
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 0, true))
        {
            clientPort = connection.localPort();
            try
            {
                for (int i = 0; i < 4 * MAX_RESETS && !connection.closed().isDone(); i++)
                {
                    final int streamId = 1 + 2 * i;
                    connection.headers(streamId, RawHttp2Connection.request("POST", "/inproc/echo"), false);
                    connection.rstStream(streamId, Http2Error.CANCEL.code());
                }
            }
            catch (final IOException ex)
            {
                // the server closed the connection while resets were still being sent
            }
            assertEquals(
                Http2Error.ENHANCE_YOUR_CALM.code(), connection.goAway().get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
        }

        final String[] line = LogLines.await(
            errorLog(),
            (fields) -> fields[10].equals("Http2_Protocol_Error") && fields[3].equals(Integer.toString(clientPort)),
            LOG_TIMEOUT_MS);
        assertEquals(1, LogLines.records(errorLog()).stream()
            .filter((fields) -> fields[3].equals(Integer.toString(clientPort))).count(), "one line for the connection");
        assertErrorLine(line, "-", "-", "-");
    }

    @Test
    void shouldLogTheCodecs431ForAHeaderListOverMaxRequestBytesWithRequestLength() throws Exception
    {
        final int clientPort;
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 0, true))
        {
            clientPort = connection.localPort();
            final Http2Headers headers = RawHttp2Connection.request("GET", "/inproc/?case=h2-list");
            for (int i = 0; i < PAD_FIELDS; i++)
            {
                headers.add("x-pad-" + i, "p".repeat(PAD_LENGTH));
            }
            connection.headers(1, headers, true);
            assertEquals(431, connection.status(1).get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
        }

        final String[] line = LogLines.await(
            errorLog(),
            (fields) -> fields[10].equals("RequestLength") && fields[3].equals(Integer.toString(clientPort)),
            LOG_TIMEOUT_MS);
        assertEquals(1, LogLines.records(errorLog()).stream()
            .filter((fields) -> fields[3].equals(Integer.toString(clientPort))).count(), "one line for the stream");
        assertErrorLine(line, "-", "431", "-");
    }

    @Test
    void shouldLogAStreamRefusedPastMaxConcurrentStreamsWithHttp2RefusedStream() throws Exception
    {
        final int clientPort;
        try (RawHttp2Connection connection = RawHttp2Connection.connect(LISTENER.port(), 0, true))
        {
            clientPort = connection.localPort();
            for (int i = 0; i <= MAX_CONCURRENT_STREAMS; i++)
            {
                connection.headers(1 + 2 * i, RawHttp2Connection.request("POST", "/inproc/echo"), false);
            }
            final int refused = 1 + 2 * MAX_CONCURRENT_STREAMS;
            assertEquals(
                Http2Error.REFUSED_STREAM.code(), connection.reset(refused).get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS));
        }

        final String[] line = LogLines.await(
            errorLog(),
            (fields) -> fields[10].equals("Http2_Refused_Stream") && fields[3].equals(Integer.toString(clientPort)),
            LOG_TIMEOUT_MS);
        assertEquals(1, LogLines.records(errorLog()).stream()
            .filter((fields) -> fields[10].equals("Http2_Refused_Stream") &&
                fields[3].equals(Integer.toString(clientPort))).count(), "one line for the refused stream");
        assertErrorLine(line, "-", "-", "-");
    }

    private static void assertErrorLine(
        final String[] line, final String method, final String status, final String queue)
    {
        final String text = String.join(" ", line);
        assertEquals(12, line.length, text);
        assertEquals("127.0.0.1", line[2], text);
        assertTrue(Integer.parseInt(line[3]) > 0, text);
        assertEquals("127.0.0.1", line[4], text);
        assertEquals(Integer.toString(LISTENER.port()), line[5], text);
        assertEquals("HTTP/2", line[6], text);
        assertEquals(method, line[7], text);
        assertEquals(status, line[9], text);
        assertEquals(queue, line[11], text);
    }

    private static long headerListSize(final Http2Headers headers)
    {
        long size = 0;
        for (final Map.Entry<CharSequence, CharSequence> field : headers)
        {
            size += fieldSize(field.getKey().toString(), field.getValue().toString());
        }
        return size;
    }

    private static long fieldSize(final String name, final String value)
    {
        return name.getBytes(StandardCharsets.ISO_8859_1).length + value.getBytes(StandardCharsets.ISO_8859_1).length +
            HEADER_FIELD_OVERHEAD;
    }

    private static Http2TestClient.Response answer(final CompletableFuture<Http2TestClient.Response> response)
        throws Exception
    {
        return response.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static Path accessLog()
    {
        return LISTENER.get().logDir().resolve("logs").resolve("access.log");
    }

    private static Path errorLog()
    {
        return LISTENER.get().logDir().resolve("logs").resolve("httperr.log");
    }
}
