package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP.sys request limits, over real sockets against a real listener, with their defaults: request line and
 * headers 16 KiB (431), one header field 16 KiB (431), request-target 4096 bytes (414), a path segment 260 characters
 * and 255 segments (400), a body 30,000,000 bytes or the queue's own limit (413, up front by Content-Length or
 * mid-stream for chunked, the handler told the request was abandoned), and the connection bound (503 and close).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LimitsTest
{
    private static final String CONFIG = TestConfig.listener()
        .queue(TestConfig.inProcess("inproc", LimitsHandler.class))
        .queue(TestConfig.inProcess("small", LimitsHandler.class)
            .set("maxRequestBodySize", "1m"))
        .queue(TestConfig.sharedMemory("shm", SampleHandler.class)
            .set("maxRequestBodySize", "1m"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long CLOSE_WAIT_MS = 5_000;
    private static final int MIB = 1024 * 1024;

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("limits", CONFIG).awaitReady(READY_TIMEOUT_MS, "/shm/");
    private TestListener other;

    @BeforeEach
    void resetHandler()
    {
        LimitsHandler.reset();
    }

    @Test
    void shouldServeRequestLineAndHeadersOfExactly16KiB() throws IOException
    {
        final byte[] head = headOfLength("/inproc/", 16 * 1024, 1000);

        assertEquals(16 * 1024, head.length);
        assertResponse(200, "ok", head);
    }

    @Test
    void shouldAnswer431WhenRequestLineAndHeadersAre17KiB() throws IOException
    {
        final byte[] head = headOfLength("/inproc/", 17 * 1024, 1000);

        assertRefusedAndClosed(431, "request header fields too large: request header section over the limit\n", head);
        assertEquals(0, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldAnswer431WhenOneHeaderFieldIs17KiB() throws IOException
    {
        // At the defaults (16 KiB each) the request line leaves the field less room than its own limit: the
        // header section limit is the one that binds, and is named.
        final byte[] head = RawHttpClient.request(
            "GET", "/inproc/", RawHttpClient.LOOPBACK_ADDRESS + ":" + port(), "X-Big: " + "v".repeat(17 * 1024));

        assertRefusedAndClosed(431, "request header fields too large: request header section over the limit\n", head);
    }

    @Test
    void shouldAnswer431ForOneLongFieldButServeManyShortOnesWhenOnlyTheFieldLimitBinds() throws IOException
    {
        other = LISTENER.start("limits-field", """
            listener:
              id: ${ID}
              maxRequestBytes: 64k
              maxFieldLength: 16k
            queues:
              - name: inproc
                prefixes: [ "http://+:${PORT}/inproc/" ]
                hosting: in-process
                handler: io.sluice.listener.LimitsHandler
            """);
        final String host = RawHttpClient.LOOPBACK_ADDRESS + ":" + other.port();

        try (RawHttpClient client = new RawHttpClient(other.port()))
        {
            final RawHttpClient.Response served = client.send(headOfLength("/inproc/", 17 * 1024, 1000, host));
            assertEquals(200, served.status(), served::toString);
        }
        try (RawHttpClient client = new RawHttpClient(other.port()))
        {
            final RawHttpClient.Response refused = client.send(
                RawHttpClient.request("GET", "/inproc/", host, "X-Big: " + "v".repeat(16 * 1024 - 6)));
            assertEquals(431, refused.status(), refused::toString);
            assertEquals("request header fields too large: header field over the limit\n", refused.bodyText());
        }
        try (RawHttpClient client = new RawHttpClient(other.port()))
        {
            final RawHttpClient.Response served = client.send(
                RawHttpClient.request("GET", "/inproc/", host, "X-Big: " + "v".repeat(16 * 1024 - 7)));
            assertEquals(200, served.status(), served::toString);
        }
    }

    @Test
    void shouldServe4096ByteUrlAndAnswer414For4097Bytes() throws IOException
    {
        assertResponse(200, "ok", get(targetOfLength(4096)));
        assertRefusedAndClosed(
            414, "request-uri too long: request-target over the limit: limit=4096\n", get(targetOfLength(4097)));
    }

    @Test
    void shouldServe260CharacterSegmentAndAnswer400For261() throws IOException
    {
        assertResponse(200, "ok", get("/inproc/" + "a".repeat(260)));
        assertRefusedAndClosed(
            400, "bad request: URL path segment longer than 260 characters or more than 255 segments\n",
            get("/inproc/" + "a".repeat(261)));
    }

    @Test
    void shouldServe255SegmentsAndAnswer400For256() throws IOException
    {
        // "/inproc" is the first segment
        assertResponse(200, "ok", get("/inproc" + "/a".repeat(254)));
        assertRefusedAndClosed(
            400, "bad request: URL path segment longer than 260 characters or more than 255 segments\n",
            get("/inproc" + "/a".repeat(255)));
        assertEquals(1, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldAnswer413ByContentLengthOverListenerLimitBeforeBody() throws IOException
    {
        assertRefusedAndClosed(
            413, "request entity too large: Content-Length over the limit: limit=30000000\n",
            post("/inproc/upload", "Content-Length: 30000001"));
        assertEquals(0, LimitsHandler.REQUESTS.get());
    }

    @Test
    void shouldAnswer413ByContentLengthOverQueueLimitBeforeHandlerSeesRequest() throws IOException
    {
        assertRefusedAndClosed(
            413, "request entity too large: Content-Length over the limit: limit=1048576\n",
            post("/small/upload", "Content-Length: 1048577"));
        assertEquals(0, LimitsHandler.REQUESTS.get());
        assertEquals(0, LISTENER.listener().queue("small").length());
    }

    @Test
    void shouldServeBodyOfExactlyTheQueueLimit() throws IOException
    {
        final byte[] body = new byte[MIB];
        assertResponse(200, "received " + MIB, RawHttpClient.post("/small/upload", port(), "application/x", body));
    }

    @Test
    void shouldAnswer413MidStreamWhenChunkedBodyPassesQueueLimitAndTellHandler() throws Exception
    {
        final byte[] head = post("/small/upload", "Transfer-Encoding: chunked");
        final byte[] chunks = chunkedWithoutEnd(MIB + 1, 64 * 1024);

        try (RawHttpClient client = new RawHttpClient(port()))
        {
            client.write(RawHttpClient.concat(head, chunks));
            final RawHttpClient.Response refused = client.readResponse(false);

            assertEquals(413, refused.status(), refused::toString);
            assertEquals("close", refused.header("connection"));
            assertEquals("request entity too large: chunked body over the limit: limit=1048576\n", refused.bodyText());
            assertTrue(client.isClosedByPeer((int)CLOSE_WAIT_MS));
        }
        assertEquals(1, LimitsHandler.REQUESTS.get());
        Await.value(1, LimitsHandler.ABORTS::get, CLOSE_WAIT_MS);
        assertEquals(0, LISTENER.listener().queue("small").length());
    }

    @Test
    void shouldAnswer413MidStreamWhenChunkSizePassesListenerLimitAndTellHandler() throws Exception
    {
        // one chunk announced one byte over 30,000,000: refused at its size line, before its data
        final byte[] request = RawHttpClient.concat(
            post("/inproc/upload", "Transfer-Encoding: chunked"), RawHttpClient.ascii("1C9C381\r\n"));

        assertRefusedAndClosed(413, "request entity too large: chunked body over the limit: limit=30000000\n", request);
        assertEquals(1, LimitsHandler.REQUESTS.get());
        Await.value(1, LimitsHandler.ABORTS::get, CLOSE_WAIT_MS);
        assertEquals(0, LISTENER.listener().queue("inproc").length());
    }

    @Test
    void shouldAnswer413MidStreamOnSharedMemoryQueueAndKeepServing() throws Exception
    {
        final RequestQueue queue = LISTENER.listener().queue("shm");
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            client.write(RawHttpClient.concat(
                post("/shm/upload", "Transfer-Encoding: chunked"), chunkedWithoutEnd(MIB + 1, 64 * 1024)));
            final RawHttpClient.Response refused = client.readResponse(false);

            assertEquals(413, refused.status(), refused::toString);
            assertEquals("request entity too large: chunked body over the limit: limit=1048576\n", refused.bodyText());
            assertTrue(client.isClosedByPeer((int)CLOSE_WAIT_MS));
        }
        // the worker was told and the request slot freed: nothing is left in the queue
        Await.value(0, queue::length, CLOSE_WAIT_MS);
        for (int i = 0; i < 3; i++)
        {
            try (RawHttpClient client = new RawHttpClient(port()))
            {
                final RawHttpClient.Response served = client.send(RawHttpClient.get("/shm/", port()));
                assertEquals(200, served.status(), served::toString);
                assertEquals("Hello, World!", served.bodyText());
            }
        }
        final byte[] body = "under the limit".getBytes(StandardCharsets.US_ASCII);
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response echoed = client.send(RawHttpClient.post("/shm/echo", port(), "text/x", body));
            assertEquals(200, echoed.status(), echoed::toString);
            assertEquals("under the limit", echoed.bodyText());
        }
        assertEquals(0, queue.length());
    }

    @Test
    void shouldRefuseConnectionPastMaxConnectionsAtOnceAndServeTheOthers() throws Exception
    {
        final int adminPort = TestListener.freePort();
        other = LISTENER.start("limits-conn", """
            listener:
              id: ${ID}
              maxConnections: 2
              adminPort: ADMIN_PORT
            queues:
              - name: inproc
                prefixes: [ "http://+:${PORT}/inproc/" ]
                hosting: in-process
                handler: io.sluice.listener.LimitsHandler
            """.replace("ADMIN_PORT", Integer.toString(adminPort)));
        final int otherPort = other.port();
        final byte[] get = RawHttpClient.get("/inproc/", otherPort);

        try (RawHttpClient first = new RawHttpClient(otherPort);
            RawHttpClient second = new RawHttpClient(otherPort))
        {
            assertEquals(200, first.send(get).status());
            assertEquals(200, second.send(get).status());
            assertEquals(2, other.listener().connections().openCount());

            try (RawHttpClient third = new RawHttpClient(otherPort))
            {
                final RawHttpClient.Response refused = third.readResponse(false);
                assertEquals(503, refused.status(), refused::toString);
                assertEquals("close", refused.header("connection"));
                assertEquals(1, refused.headerCount("date"), refused::toString);
                assertTrue(refused.header("date").endsWith(" GMT"), refused::toString);
                assertEquals("service unavailable: too many connections\n", refused.bodyText());
                assertTrue(third.isClosedByPeer((int)CLOSE_WAIT_MS));
            }
            assertEquals(1, other.listener().connections().refusedCount());
            try (RawHttpClient admin = new RawHttpClient(adminPort))
            {
                final String metrics = admin.send(RawHttpClient.get("/metrics", adminPort)).bodyText();
                assertTrue(metrics.contains("\nsluice_connections 2\n"), metrics);
                assertTrue(metrics.contains("\nsluice_connections_refused_total 1\n"), metrics);
            }

            assertEquals(200, first.send(get).status());
            assertEquals(200, second.send(get).status());
        }
        Await.value(0, () -> other.listener().connections().openCount(), CLOSE_WAIT_MS);
        try (RawHttpClient fourth = new RawHttpClient(otherPort))
        {
            assertEquals(200, fourth.send(get).status());
        }
        assertEquals(1, other.listener().connections().refusedCount());
    }

    private static void assertResponse(final int status, final String body, final byte[] request) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.send(request);
            assertEquals(status, response.status(), response::toString);
            assertEquals(body, response.bodyText());
        }
    }

    private static void assertRefusedAndClosed(final int status, final String body, final byte[] request)
        throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port()))
        {
            final RawHttpClient.Response response = client.send(request);
            assertEquals(status, response.status(), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertEquals(body, response.bodyText());
            assertTrue(client.isClosedByPeer((int)CLOSE_WAIT_MS), "connection left open");
        }
    }

    private static byte[] get(final String target)
    {
        return RawHttpClient.get(target, port());
    }

    /**
     * {@code /inproc/} and segments of 200 characters (within the segment limit) making {@code length} bytes.
     */
    private static String targetOfLength(final int length)
    {
        final StringBuilder target = new StringBuilder("/inproc/");
        while (target.length() < length)
        {
            if (target.charAt(target.length() - 1) != '/' && target.length() % 201 == 0)
            {
                target.append('/');
            }
            else
            {
                target.append('a');
            }
        }
        assertEquals(length, target.length());
        return target.toString();
    }

    private static byte[] post(final String target, final String framing)
    {
        return RawHttpClient.request(
            "POST", target, RawHttpClient.LOOPBACK_ADDRESS + ":" + port(), "Content-Type: application/x", framing);
    }

    private static byte[] headOfLength(final String target, final int length, final int fieldLength)
    {
        return headOfLength(target, length, fieldLength, RawHttpClient.LOOPBACK_ADDRESS + ":" + port());
    }

    /**
     * A GET whose request line, fields and final CRLF are exactly {@code length} bytes, filled with fields of about
     * {@code fieldLength} bytes.
     */
    private static byte[] headOfLength(final String target, final int length, final int fieldLength, final String host)
    {
        final StringBuilder head = new StringBuilder();
        head.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        int field = 0;
        while (true)
        {
            final String name = "X-Fill-" + field++ + ": ";
            final int room = length - head.length() - 2 - name.length() - 2;
            if (room <= fieldLength)
            {
                head.append(name).append("v".repeat(room)).append("\r\n\r\n");
                return head.toString().getBytes(StandardCharsets.US_ASCII);
            }
            head.append(name).append("v".repeat(fieldLength)).append("\r\n");
        }
    }

    /**
     * Chunks of {@code chunkLength} bytes (the last one shorter) making {@code total} bytes, without the last-chunk:
     * the body is still open when they have all been sent.
     */
    private static byte[] chunkedWithoutEnd(final int total, final int chunkLength)
    {
        final StringBuilder chunks = new StringBuilder();
        int sent = 0;
        while (sent < total)
        {
            final int length = Math.min(chunkLength, total - sent);
            chunks.append(Integer.toHexString(length)).append("\r\n").append("x".repeat(length)).append("\r\n");
            sent += length;
        }
        return chunks.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static int port()
    {
        return LISTENER.port();
    }
}
