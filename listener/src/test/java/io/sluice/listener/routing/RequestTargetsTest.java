package io.sluice.listener.routing;

import io.sluice.dispatch.http.PathNormalizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestTargetsTest
{
    @Test
    void shouldRecognizeAbsoluteFormWhenSchemeIsHttpOrHttps()
    {
        assertTrue(RequestTargets.isAbsoluteForm("http://example.com/a"));
        assertTrue(RequestTargets.isAbsoluteForm("HTTPS://example.com"));
        assertFalse(RequestTargets.isAbsoluteForm("/a"));
        assertFalse(RequestTargets.isAbsoluteForm("*"));
        assertFalse(RequestTargets.isAbsoluteForm("ftp://example.com/"));
        assertFalse(RequestTargets.isAbsoluteForm("http:/example.com/"));
        assertFalse(RequestTargets.isAbsoluteForm(null));
    }

    @Test
    void shouldSplitAuthorityAndPathAndQuery()
    {
        final String target = "http://Example.com:8080/app/x?y=1";

        assertEquals("Example.com:8080", RequestTargets.authority(target).toString());
        assertEquals("/app/x?y=1", RequestTargets.pathAndQuery(target).toString());
    }

    @Test
    void shouldUseRootWhenPathIsEmpty()
    {
        assertEquals("/", RequestTargets.pathAndQuery("http://example.com").toString());
        assertEquals("/?y=1", RequestTargets.pathAndQuery("http://example.com?y=1").toString());
        assertEquals("example.com", RequestTargets.authority("http://example.com?y=1").toString());
    }

    @Test
    void shouldSplitIpv6Authority()
    {
        assertEquals("[::1]:8080", RequestTargets.authority("http://[::1]:8080/a").toString());
        assertEquals("/a", RequestTargets.pathAndQuery("http://[::1]:8080/a").toString());
    }

    @Test
    void shouldRejectAuthorityWhenEmptyOrWithUserinfo()
    {
        assertNull(RequestTargets.authority("http:///a"));
        assertNull(RequestTargets.authority("http://user:pass@example.com/a"));
    }

    @Test
    void shouldReturnNullWhenNotAbsoluteForm()
    {
        assertNull(RequestTargets.authority("/a"));
        assertNull(RequestTargets.pathAndQuery("/a"));
    }

    @Test
    void shouldRouteAbsoluteFormTargetByItsAuthority()
    {
        final PrefixRouter<String> router = PrefixRouter.<String>builder()
            .add("http://example.com:8080/app/", "specific")
            .build();
        final String target = "http://EXAMPLE.com:8080/app/./x?y";

        final String path = PathNormalizer.normalize(RequestTargets.pathAndQuery(target));

        assertEquals("/app/x", path);
        assertEquals("specific", router.route(RequestTargets.authority(target), 8080, path));
    }

    @Test
    void shouldAcceptValidAuthorities()
    {
        for (final String authority : new String[] {
            "example.com", "Example.com:8080", "x.example:", "127.0.0.1:65535", "[::1]", "[::1]:0",
            "a-b_c~.example", "%41.example", "!$&'()*+,;=.example" })
        {
            assertTrue(RequestTargets.isValidAuthority(authority), authority);
        }
    }

    @Test
    void shouldRefuseInvalidAuthorities()
    {
        for (final String authority : new String[] {
            "", ":80", "user@host", "a.example:@evil.example", "host:80x", "host:65536", "host:99999999999999",
            "host:-1", "[::1", "[]", "[::1]x", "a b", "a/b", "host:80:80", "%4.example", "%zz.example", "h\\x" })
        {
            assertFalse(RequestTargets.isValidAuthority(authority), authority);
        }
        assertFalse(RequestTargets.isValidAuthority(null));
    }

    @Test
    void shouldRefuseAbsoluteFormTargetWithInvalidAuthority()
    {
        assertNull(RequestTargets.authority("http://a.example:@evil.example/a"));
        assertNull(RequestTargets.authority("http://x.example:65536/a"));
        assertNull(RequestTargets.authority("http://x.example:8o/a"));
    }
}
