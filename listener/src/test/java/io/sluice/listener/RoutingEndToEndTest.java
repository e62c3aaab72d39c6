package io.sluice.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * URL-prefix routing with HTTP.sys precedence, end to end through a real listener: every queue is in-process and
 * serves a {@link NamedHandler} that answers its own name, so the body says which prefix won.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RoutingEndToEndTest
{
    /**
     * The five prefixes: strong wildcard, specific hosts (two paths on localhost, one on example.test), weak wildcard.
     */
    private static final String ALL_HOST_KINDS = TestConfig.listener()
        .listener("eventLoops", null)
        .queue(TestConfig.inProcess("strong-app", NamedHandler.StrongApp.class)
            .prefixes("http://+:${PORT}/app/"))
        .queue(TestConfig.inProcess("localhost-app", NamedHandler.LocalhostApp.class)
            .prefixes("http://localhost:${PORT}/app/"))
        .queue(TestConfig.inProcess("weak-root", NamedHandler.WeakRoot.class)
            .prefixes("http://*:${PORT}/"))
        .queue(TestConfig.inProcess("localhost-deep", NamedHandler.LocalhostDeep.class)
            .prefixes("http://localhost:${PORT}/app/deep/"))
        .queue(TestConfig.inProcess("example-root", NamedHandler.ExampleRoot.class)
            .prefixes("http://example.test:${PORT}/"))
        .yaml();

    /**
     * Overlapping paths on one specific host, no strong wildcard to shadow them.
     */
    private static final String OVERLAPPING_PATHS = TestConfig.listener()
        .listener("eventLoops", null)
        .queue(TestConfig.inProcess("localhost-app", NamedHandler.LocalhostApp.class)
            .prefixes("http://localhost:${PORT}/app/"))
        .queue(TestConfig.inProcess("localhost-deep", NamedHandler.LocalhostDeep.class)
            .prefixes("http://localhost:${PORT}/app/deep/"))
        .queue(TestConfig.inProcess("weak-root", NamedHandler.WeakRoot.class)
            .prefixes("http://*:${PORT}/"))
        .yaml();

    /**
     * No wildcard at all: anything but localhost /app/ is unrouted.
     */
    private static final String NO_WILDCARD = TestConfig.listener()
        .listener("eventLoops", null)
        .queue(TestConfig.inProcess("localhost-app", NamedHandler.LocalhostApp.class)
            .prefixes("http://localhost:${PORT}/app/"))
        .yaml();

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private TestListener listener;

    @Test
    void shouldPreferStrongWildcardOverSpecificHost() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("strong-app", served("localhost:" + listener.port(), "/app/x"));
    }

    @Test
    void shouldPreferStrongWildcardOverLongerSpecificHostPrefix() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("strong-app", served("localhost:" + listener.port(), "/app/deep/x"));
    }

    @Test
    void shouldPreferSpecificHostOverWeakWildcard() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("example-root", served("example.test:" + listener.port(), "/other"));
    }

    @Test
    void shouldFallBackToWeakWildcardWhenNoHostMatches() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("weak-root", served("other.test:" + listener.port(), "/other"));
    }

    @Test
    void shouldFallBackToWeakWildcardWhenHostMatchesButNoPathOfItDoes() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("weak-root", served("localhost:" + listener.port(), "/other"));
    }

    @Test
    void shouldMatchHostHeaderWithAndWithoutPort() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("example-root", served("example.test:" + listener.port(), "/x"));
        assertEquals("example-root", served("example.test", "/x"));
        assertEquals("example-root", served("EXAMPLE.Test:" + listener.port(), "/x"));
    }

    @Test
    void shouldRouteToLongestPrefixWhenPrefixesOverlap() throws IOException
    {
        listener = LISTENERS.start("routing", OVERLAPPING_PATHS);
        final String host = "localhost:" + listener.port();

        assertEquals("localhost-deep", served(host, "/app/deep/x"));
        assertEquals("localhost-deep", served(host, "/app/deep/"));
        assertEquals("localhost-app", served(host, "/app/deeper"));
        assertEquals("localhost-app", served(host, "/app/x"));
        assertEquals("weak-root", served(host, "/ap"));
    }

    @Test
    void shouldMatchPathCaseInsensitively() throws IOException
    {
        listener = LISTENERS.start("routing", OVERLAPPING_PATHS);
        final String host = "localhost:" + listener.port();

        assertEquals("localhost-app", served(host, "/APP/x"));
        assertEquals("localhost-deep", served(host, "/App/DEEP/x"));
    }

    @Test
    void shouldMatchPrefixWithoutTrailingSlash() throws IOException
    {
        listener = LISTENERS.start("routing", OVERLAPPING_PATHS);

        assertEquals("localhost-app", served("localhost:" + listener.port(), "/app"));
    }

    @Test
    void shouldRemoveDotSegmentsBeforeRouting() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);
        final String host = "other.test:" + listener.port();

        assertEquals("strong-app", served(host, "/x/../app/"));
        assertEquals("strong-app", served(host, "/./app/y/../z"));
        assertEquals("weak-root", served(host, "/app/../x"));
    }

    @Test
    void shouldRoutePercentDecodedPath() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        assertEquals("strong-app", served("other.test:" + listener.port(), "/%61pp/x"));
    }

    @Test
    void shouldRejectEncodedSlashWith400AndClose() throws IOException
    {
        listener = LISTENERS.start("routing", ALL_HOST_KINDS);

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            final RawHttpClient.Response response = client.send(
                RawHttpClient.request("GET", "/app%2Fx", "other.test:" + listener.port()));

            assertEquals(400, response.status(), response::toString);
            assertEquals("close", response.header("connection"), response::toString);
            assertTrue(client.isClosedByPeer(5_000), "connection should be closed after a 400");
        }
    }

    @Test
    void shouldAnswer404WhenNoPrefixMatchesPath() throws IOException
    {
        listener = LISTENERS.start("routing", NO_WILDCARD);

        final RawHttpClient.Response response = send("localhost:" + listener.port(), "/other");

        assertEquals(404, response.status(), response::toString);
        assertEquals("text/plain", response.header("content-type"), response::toString);
        assertEquals("not found\n", response.bodyText());
    }

    @Test
    void shouldAnswer404WhenNoPrefixMatchesHost() throws IOException
    {
        listener = LISTENERS.start("routing", NO_WILDCARD);

        final RawHttpClient.Response response = send("other.test:" + listener.port(), "/app/");

        assertEquals(404, response.status(), response::toString);
        assertEquals("not found\n", response.bodyText());
    }

    @Test
    void shouldKeepConnectionOpenAfter404() throws IOException
    {
        listener = LISTENERS.start("routing", NO_WILDCARD);
        final String host = "localhost:" + listener.port();

        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            final RawHttpClient.Response notFound = client.send(RawHttpClient.request("GET", "/other", host));
            final RawHttpClient.Response found = client.send(RawHttpClient.request("GET", "/app/", host));

            assertEquals(404, notFound.status(), notFound::toString);
            assertEquals(200, found.status(), found::toString);
            assertEquals("localhost-app", found.bodyText());
        }
    }

    private RawHttpClient.Response send(final String host, final String target) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            return client.send(RawHttpClient.request("GET", target, host));
        }
    }

    /**
     * @return the name of the handler that served {@code GET target} with that Host header.
     */
    private String served(final String host, final String target) throws IOException
    {
        final RawHttpClient.Response response = send(host, target);
        assertEquals(200, response.status(), () -> "GET " + target + " Host " + host + ": " + response);
        assertEquals("text/plain", response.header("content-type"), response::toString);
        return response.bodyText();
    }
}
