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
}
