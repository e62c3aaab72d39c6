package io.sluice.listener;

import io.sluice.listener.http.HttpConnectionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sluice.listener.RawHttpClient.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9110/9112 request semantics the listener owns, each scenario run against every hosting model of one listener
 * (in-process, shared memory and loopback, all serving {@link TargetEchoHandler}): Host validation, absolute-form
 * targets, the path handlers are given, HTTP/1.0 keep-alive, {@code Date}, {@code OPTIONS *}, {@code CONNECT}, and
 * client fields whose names read as internal ones once {@code _} is taken for {@code -}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpSemanticsTest
{
    private static final String CONFIG = TestListener.allModelsConfig(TargetEchoHandler.class.getName());

    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int CLOSE_WAIT_MS = 5_000;
    private static final int STAYS_OPEN_WAIT_MS = 300;
    private static final List<String> PATHS = List.of("/inproc/", "/shm/", "/loopback/");
    private static final String IMF_FIXDATE =
        "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} " +
        "\\d\\d:\\d\\d:\\d\\d GMT";

    @RegisterExtension
    static final ListenerExtension LISTENER =
        ListenerExtension.perClass("http-semantics", CONFIG).awaitReady(READY_TIMEOUT_MS, PATHS.toArray(new String[0]));

    static Stream<Arguments> pathsAndInvalidHosts()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : PATHS)
        {
            for (final String host : new String[] {
                "a.example:@evil.example", "user@127.0.0.1", "127.0.0.1:80x", "127.0.0.1:65536",
                "127.0.0.1:99999999999", "", "[::1", "a b.example", "a.example:8080:80" })
            {
                arguments.add(Arguments.of(path, host));
            }
        }
        return arguments.stream();
    }

    static Stream<Arguments> pathsAndInvalidAuthorities()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : PATHS)
        {
            for (final String authority : new String[] {
                "a.example:@evil.example", "user@x.example", "x.example:65536", "x.example:8o", "" })
            {
                arguments.add(Arguments.of(path, authority));
            }
        }
        return arguments.stream();
    }

    static Stream<Arguments> pathsAndValidHosts()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String path : PATHS)
        {
            for (final String host : new String[] { "localhost", "[::1]:65535", "a-b_c~.example:0", "x.example:" })
            {
                arguments.add(Arguments.of(path, host));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} Host: [{1}]")
    @MethodSource("pathsAndInvalidHosts")
    void shouldRefuseInvalidHostWith400(final String path, final String host) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request("GET", path, host));

            assertEquals(400, response.status(), response::toString);
        }
    }

    @ParameterizedTest(name = "{0} http://{1}")
    @MethodSource("pathsAndInvalidAuthorities")
    void shouldRefuseInvalidAbsoluteFormAuthorityWith400(final String path, final String authority) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response =
                client.send(RawHttpClient.request("GET", "http://" + authority + path, hostAndPort()));

            assertEquals(400, response.status(), response::toString);
        }
    }

    @ParameterizedTest(name = "{0} Host: [{1}]")
    @MethodSource("pathsAndValidHosts")
    void shouldServeValidHost(final String path, final String host) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request("GET", path, host));

            assertEquals(200, response.status(), response::toString);
            assertTrue(response.bodyText().contains("\nhost=" + host + "\n"), response::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldHandHandlerOriginFormTargetAndAuthorityAsHost(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response =
                client.send(RawHttpClient.request("GET", "http://x.example:81" + path + "a?b=1", hostAndPort()));

            assertEquals(200, response.status(), response::toString);
            final String body = response.bodyText();
            assertTrue(body.startsWith("target=" + path + "a?b=1\npath=" + path + "a\nhost=x.example:81\n"), body);
            assertEquals(1, occurrences(body, "\nhost: "), body);
            assertTrue(body.contains("\nhost: x.example:81\n"), body);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldHandHandlerTheNormalizedPathTheRouterUsedAndTheRawTarget(final String path) throws Exception
    {
        final String target = path + "x/.././a%62\\c/%C3%A9?q=%2F..";
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(target, LISTENER.port()));

            assertEquals(200, response.status(), response::toString);
            assertTrue(
                response.bodyText().startsWith("target=" + target + "\npath=" + path + "ab/c/\u00e9\n"),
                response::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldKeepHttp10ConnectionOpenWhenAskedAndSayWhy(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            for (int i = 0; i < 3; i++)
            {
                final RawHttpClient.Response response =
                    client.send(ascii("GET " + path + " HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));

                assertEquals(200, response.status(), response::toString);
                assertEquals("keep-alive", response.header("connection"), response::toString);
                assertNotNull(response.header("content-length"), response::toString);
                assertNull(response.header("transfer-encoding"), response::toString);
            }
            assertFalse(client.isClosedByPeer(STAYS_OPEN_WAIT_MS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldCloseHttp10ConnectionWithoutKeepAlive(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(ascii("GET " + path + " HTTP/1.0\r\n\r\n"));

            assertEquals(200, response.status(), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldDelimitHttp10ResponseOfUnknownLengthByCloseNotChunked(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response =
                client.send(ascii("GET " + path + "stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));

            assertEquals(200, response.status(), response::toString);
            assertNull(response.header("transfer-encoding"), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertTrue(response.bodyText().startsWith("target=" + path + "stream\n"), response::toString);
            assertTrue(response.bodyText().endsWith("\n"), response::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldKeepHttp10ConnectionOpenAfterHeadOfUnknownLength(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            client.write(ascii("HEAD " + path + "stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
            final RawHttpClient.Response head = client.readResponse(true);

            assertEquals(200, head.status(), head::toString);
            assertEquals("keep-alive", head.header("connection"), head::toString);
            assertNull(head.header("transfer-encoding"), head::toString);
            final RawHttpClient.Response next =
                client.send(ascii("GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
            assertEquals(200, next.status(), next::toString);
            assertTrue(next.bodyText().startsWith("target=" + path + "\n"), next::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldDateEveryResponseOnceWithTheListenersClock(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            assertDated(client.send(RawHttpClient.get(path, LISTENER.port())), 200);
            assertDated(client.send(RawHttpClient.get(path + "stream", LISTENER.port())), 200);
            assertDated(client.send(RawHttpClient.get(path + "../nowhere/", LISTENER.port())), 404);
            assertDated(client.send(RawHttpClient.get(path + "%zz", LISTENER.port())), 400);
        }
    }

    @Test
    void shouldAnswerOptionsAsteriskItselfAndKeepTheConnection() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request("OPTIONS", "*", hostAndPort()));

            assertEquals(200, response.status(), response::toString);
            assertEquals(HttpConnectionHandler.SERVER_OPTIONS_ALLOW, response.header("allow"), response::toString);
            assertEquals("0", response.header("content-length"), response::toString);
            assertEquals(0, response.body().length);
            assertNull(response.header("connection"), response::toString);
            assertDated(response, 200);

            assertEquals(200, client.send(RawHttpClient.get("/inproc/", LISTENER.port())).status());
        }
    }

    @Test
    void shouldRefuseOtherMethodsWithAsteriskTarget() throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            assertEquals(400, client.send(RawHttpClient.request("GET", "*", hostAndPort())).status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/", "/nowhere/" })
    void shouldRefuseTraceWith405AndTheOptionsAllowAndKeepTheConnection(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request("TRACE", path, hostAndPort()));

            assertEquals(405, response.status(), response::toString);
            assertEquals(HttpConnectionHandler.SERVER_OPTIONS_ALLOW, response.header("allow"), response::toString);
            assertFalse(response.header("allow").contains("TRACE"), response::toString);
            assertEquals("method not allowed: TRACE\n", response.bodyText(), response::toString);
            assertNull(response.header("connection"), response::toString);
            assertDated(response, 405);

            assertEquals(200, client.send(RawHttpClient.get("/inproc/", LISTENER.port())).status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/", "127.0.0.1:443", "x.example:443" })
    void shouldRefuseConnectWith501AndClose(final String target) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response =
                client.send(RawHttpClient.request("CONNECT", target, hostAndPort()));

            assertEquals(501, response.status(), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertTrue(client.isClosedByPeer(CLOSE_WAIT_MS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldDropClientFieldsNamedLikeInternalOnesWithUnderscores(final String path) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.request(
                "GET", path, hostAndPort(),
                "X_Forwarded_For: 6.6.6.6",
                "x_forwarded_proto: forged-proto",
                "Sluice_Appl_Path: /forged/",
                "sluice_token: forged-token",
                "SLUICE_EVENT: shutdown",
                "X_Control: kept"));

            assertEquals(200, response.status(), response::toString);
            final String body = response.bodyText();
            assertFalse(body.contains("6.6.6.6"), body);
            assertFalse(body.contains("forged"), body);
            assertFalse(body.contains("shutdown"), body);
            assertFalse(body.contains("\nsluice_") || body.contains("\nx_forwarded"), body);
            assertTrue(body.contains("\nx_control: kept\n"), body);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/inproc/", "/shm/", "/loopback/" })
    void shouldHandEveryModelsHandlerTheClientsFieldsInTheClientsOrder(final String path) throws Exception
    {
        final String host = hostAndPort();
        assertFields(
            path, ascii("GET " + path + "plain HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: t/1\r\n" +
                "Accept: */*\r\n\r\n"),
            0, "host: " + host, "user-agent: t/1", "accept: */*");
        assertFields(
            path, ascii("GET http://x.example:81" + path + "abs HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n"),
            0, "host: x.example:81", "accept: */*");
        assertFields(
            path, ascii("POST " + path + "post HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: text/plain\r\n" +
                "Content-Length: 5\r\nX-Custom: v\r\n\r\nhello"),
            5, "host: " + host, "content-type: text/plain", "content-length: 5", "x-custom: v");
        assertFields(
            path, ascii("POST " + path + "post HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 005\r\n" +
                "Content-Type: text/plain\r\n\r\nhello"),
            5, "host: " + host, "content-length: 5", "content-type: text/plain");
        assertFields(
            path, ascii("POST " + path + "chunked HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n" +
                "Content-Type: text/plain\r\nX-Custom: v\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            -1, "host: " + host, "content-type: text/plain", "x-custom: v");
        assertFields(
            path, ascii("GET " + path + "hop HTTP/1.1\r\nConnection: keep-alive, X-Private\r\nHost: " + host + "\r\n" +
                "X-Private: p\r\nX-Custom: v\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: example/1\r\n" +
                "Proxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n"),
            0, "host: " + host, "x-custom: v", "accept: */*");
    }

    /**
     * Send one request and check the exact field list (names lower-cased, values, order) the handler was given.
     */
    private static void assertFields(
        final String path, final byte[] request, final long contentLength, final String... expected) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(LISTENER.port()))
        {
            final RawHttpClient.Response response = client.send(request);

            assertEquals(200, response.status(), response::toString);
            final List<String> lines = List.of(response.bodyText().split("\n"));
            assertEquals("remote=" + RawHttpClient.LOOPBACK_ADDRESS, lines.get(3), path);
            assertEquals("length=" + contentLength, lines.get(4), path);
            assertEquals(List.of(expected), lines.subList(5, lines.size()), path + " " + lines.get(0));
        }
    }

    private static void assertDated(final RawHttpClient.Response response, final int status)
    {
        assertEquals(status, response.status(), response::toString);
        assertEquals(1, response.headerCount("date"), response::toString);
        final String date = response.header("date");
        assertTrue(date.matches(IMF_FIXDATE), date);
        final ZonedDateTime sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME);
        final long ageMs = Duration.between(sent, ZonedDateTime.now()).toMillis();
        assertTrue(ageMs > -2_000 && ageMs < 30_000, "date " + date + " is " + ageMs + " ms old");
    }

    private static String hostAndPort()
    {
        return RawHttpClient.LOOPBACK_ADDRESS + ":" + LISTENER.port();
    }

    private static int occurrences(final String text, final String part)
    {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1))
        {
            count++;
        }
        return count;
    }
}
