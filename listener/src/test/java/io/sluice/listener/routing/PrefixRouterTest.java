package io.sluice.listener.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PrefixRouterTest
{
    @Test
    void shouldPreferStrongWildcardOverSpecificHost()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/app/api/", "specific")
            .add("http://+:8080/app/", "strong")
            .build();

        assertEquals("strong", router.route("example.com", 8080, "/app/api/x"));
    }

    @Test
    void shouldFallBackToSpecificHostWhenNoStrongWildcardMatches()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/other/", "strong")
            .add("http://example.com:8080/app/", "specific")
            .build();

        assertEquals("specific", router.route("example.com", 8080, "/app/x"));
    }

    @Test
    void shouldPreferSpecificHostOverWeakWildcard()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://*:8080/app/api/", "weak")
            .add("http://example.com:8080/", "specific")
            .build();

        assertEquals("specific", router.route("example.com", 8080, "/app/api/x"));
    }

    @Test
    void shouldFallBackToWeakWildcardWhenHostDiffers()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://*:8080/", "weak")
            .add("http://example.com:8080/", "specific")
            .build();

        assertEquals("weak", router.route("other.example.com", 8080, "/x"));
    }

    @Test
    void shouldRouteToLongestPrefixWhenPrefixesOverlap()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/", "root")
            .add("http://+:8080/app/api/v2/", "v2")
            .add("http://+:8080/app/", "app")
            .add("http://+:8080/app/api/", "api")
            .build();

        assertEquals("v2", router.route("h", 8080, "/app/api/v2/items"));
        assertEquals("api", router.route("h", 8080, "/app/api/v3/items"));
        assertEquals("app", router.route("h", 8080, "/app/index.html"));
        assertEquals("root", router.route("h", 8080, "/application"));
    }

    @Test
    void shouldRouteToLongestSpecificPrefixWhenHostsShareAPath()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://a.example:8080/", "a-root")
            .add("http://b.example:8080/app/", "b-app")
            .add("http://a.example:8080/app/", "a-app")
            .build();

        assertEquals("a-app", router.route("a.example", 8080, "/app/x"));
        assertEquals("b-app", router.route("b.example", 8080, "/app/x"));
        assertEquals("a-root", router.route("a.example", 8080, "/x"));
        assertNull(router.route("b.example", 8080, "/x"));
    }

    @Test
    void shouldMatchPathCaseInsensitively()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/App/Api/", "api")
            .build();

        assertEquals("api", router.route("h", 8080, "/APP/api/Items"));
        assertEquals("api", router.route("h", 8080, "/app/API/"));
    }

    @Test
    void shouldMatchNonAsciiPathExactly()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/café/", "cafe")
            .build();

        assertEquals("cafe", router.route("h", 8080, "/CAFé/menu"));
        assertNull(router.route("h", 8080, "/cafÉ/menu"));
    }

    @Test
    void shouldMatchHostCaseInsensitively()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://Example.COM:8080/", "specific")
            .build();

        assertEquals("specific", router.route("EXAMPLE.com", 8080, "/"));
    }

    @Test
    void shouldIgnorePortInHostHeader()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/", "specific")
            .build();

        assertEquals("specific", router.route("example.com:8080", 8080, "/"));
        assertEquals("specific", router.route("example.com:9999", 8080, "/"));
        assertEquals("specific", router.route("example.com:", 8080, "/"));
    }

    @Test
    void shouldIgnoreRootDotInHostHeader()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/", "specific")
            .build();

        assertEquals("specific", router.route("example.com.:8080", 8080, "/"));
    }

    @Test
    void shouldMatchIpv6HostWithAndWithoutPort()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://[fe80::1]:8080/", "v6")
            .add("http://*:8080/", "weak")
            .build();

        assertEquals("v6", router.route("[FE80::1]:8080", 8080, "/"));
        assertEquals("v6", router.route("[fe80::1]", 8080, "/"));
        assertEquals("weak", router.route("[fe80::2]:8080", 8080, "/"));
        assertEquals("weak", router.route("[fe80::1", 8080, "/"));
    }

    @Test
    void shouldMatchIpv4Host()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://127.0.0.1:8080/", "v4")
            .build();

        assertEquals("v4", router.route("127.0.0.1:8080", 8080, "/"));
        assertNull(router.route("127.0.0.2:8080", 8080, "/"));
    }

    @Test
    void shouldMatchOnlyWildcardsWhenHostHeaderIsMissing()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/app/", "specific")
            .add("http://*:8080/", "weak")
            .build();

        assertEquals("weak", router.route(null, 8080, "/app/x"));
        assertEquals("weak", router.route("", 8080, "/app/x"));
        assertEquals("weak", router.route(":8080", 8080, "/app/x"));
    }

    @Test
    void shouldReturnNullWhenNothingMatches()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/app/", "strong")
            .add("http://example.com:8080/api/", "specific")
            .add("http://*:8080/weak/", "weak")
            .build();

        assertNull(router.route("example.com", 8080, "/other/"));
        assertNull(router.route("example.com", 8080, "/ap"));
        assertEquals(PrefixRouter.NO_MATCH, router.routeIndex("example.com", 8080, "/other/"));
    }

    @Test
    void shouldReturnNullWhenRouterIsEmpty()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder().build();

        assertNull(router.route("h", 8080, "/"));
        assertArrayEquals(new int[0], router.ports());
    }

    @Test
    void shouldNotMatchOtherPort()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/", "8080")
            .add("http://+:9090/app/", "9090")
            .build();

        assertNull(router.route("h", 9090, "/other/"));
        assertNull(router.route("h", 7070, "/"));
        assertEquals("9090", router.route("h", 9090, "/app/"));
    }

    @Test
    void shouldMatchPathWithoutTrailingSlashExactly()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/app/", "app")
            .build();

        assertEquals("app", router.route("h", 8080, "/app"));
        assertEquals("app", router.route("h", 8080, "/APP"));
        assertNull(router.route("h", 8080, "/ap"));
        assertNull(router.route("h", 8080, "/apps"));
        assertNull(router.route("h", 8080, "/app2/"));
    }

    @Test
    void shouldMatchEveryPathWhenPrefixIsRoot()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/", "root")
            .build();

        assertEquals("root", router.route("h", 8080, "/"));
        assertEquals("root", router.route("h", 8080, "/a/b/c"));
        assertEquals("root", router.route(null, 8080, "//x"));
    }

    @Test
    void shouldReturnPrefixAndTargetOfMatchIndex()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/a/", "a")
            .add("http://+:8080/b/", "b")
            .build();

        final int index = router.routeIndex("h", 8080, "/b/x");

        assertEquals(1, index);
        assertEquals("http://+:8080/b/", router.prefix(index).toString());
        assertEquals("b", router.target(index));
        assertEquals(2, router.prefixCount());
    }

    @Test
    void shouldReportDistinctPortsAscending()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:9090/", "a")
            .add("http://*:80/", "b")
            .add("http://example.com:9090/x/", "c")
            .add("http://+:8080/", "d")
            .build();

        assertArrayEquals(new int[]{80, 8080, 9090}, router.ports());
    }

    @Test
    void shouldRejectDuplicatePrefix()
    {
        final PrefixRouter.Builder<String> builder = PrefixRouter.<String>builder().add("http://+:8080/App/", "a");

        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> builder.add("HTTP://+:8080/app/", "b"));
        assertEquals("duplicate url prefix: http://+:8080/app/", ex.getMessage());
    }

    @Test
    void shouldAcceptSamePathOnDifferentHostKinds()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://+:8080/app/", "strong")
            .add("http://*:8080/app/", "weak")
            .add("http://example.com:8080/app/", "specific")
            .build();

        assertEquals("strong", router.route("example.com", 8080, "/app/"));
    }

    @Test
    void shouldRouteCharSequenceHostAndPath()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/app/", "specific")
            .build();

        assertEquals("specific", router.route(new StringBuilder("Example.com:1"), 8080, new StringBuilder("/App/x")));
    }
}
