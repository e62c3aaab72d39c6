package io.sluice.listener.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlPrefixTest
{
    @Test
    void shouldParseStrongWildcardPrefix()
    {
        final UrlPrefix prefix = UrlPrefix.parse("http://+:8080/shm/");

        assertEquals("http", prefix.scheme());
        assertEquals(HostKind.STRONG_WILDCARD, prefix.hostKind());
        assertEquals("+", prefix.host());
        assertEquals(8080, prefix.port());
        assertEquals("/shm/", prefix.path());
        assertEquals("http://+:8080/shm/", prefix.toString());
    }

    @Test
    void shouldParseWeakWildcardPrefix()
    {
        final UrlPrefix prefix = UrlPrefix.parse("http://*:80/");

        assertEquals(HostKind.WEAK_WILDCARD, prefix.hostKind());
        assertEquals("*", prefix.host());
        assertEquals(80, prefix.port());
        assertEquals("/", prefix.path());
    }

    @Test
    void shouldLowerCaseSchemeHostAndPathWhenParsingDnsName()
    {
        final UrlPrefix prefix = UrlPrefix.parse("HTTP://WWW.Example-1.COM:65535/App/Api/");

        assertEquals(HostKind.SPECIFIC, prefix.hostKind());
        assertEquals("www.example-1.com", prefix.host());
        assertEquals(65535, prefix.port());
        assertEquals("/app/api/", prefix.path());
        assertEquals("http://www.example-1.com:65535/app/api/", prefix.toString());
    }

    @Test
    void shouldParseIpv4Literal()
    {
        final UrlPrefix prefix = UrlPrefix.parse("http://127.0.0.1:1/");

        assertEquals(HostKind.SPECIFIC, prefix.hostKind());
        assertEquals("127.0.0.1", prefix.host());
        assertEquals(1, prefix.port());
    }

    @ParameterizedTest
    @CsvSource({
        "http://[::1]:8080/,                  [::1]",
        "http://[::]:8080/,                   [::]",
        "http://[FE80::1:2]:8080/,            [fe80::1:2]",
        "http://[1:2:3:4:5:6:7:8]:8080/,      [1:2:3:4:5:6:7:8]",
        "http://[::ffff:192.0.2.1]:8080/,     [::ffff:192.0.2.1]",
        "http://[2001:db8::]:8080/,           [2001:db8::]",
    })
    void shouldParseBracketedIpv6LiteralWhenValid(final String text, final String host)
    {
        final UrlPrefix prefix = UrlPrefix.parse(text);

        assertEquals(HostKind.SPECIFIC, prefix.hostKind());
        assertEquals(host, prefix.host());
        assertEquals(8080, prefix.port());
    }

    @Test
    void shouldKeepNonAsciiPathCharactersWhenLowerCasing()
    {
        assertEquals("/café/É/", UrlPrefix.parse("http://+:80/Café/É/").path());
    }

    @Test
    void shouldBeEqualWhenCanonicalTextIsEqual()
    {
        assertEquals(UrlPrefix.parse("http://Host:80/A/"), UrlPrefix.parse("http://host:80/a/"));
        assertEquals(UrlPrefix.parse("http://Host:80/A/").hashCode(), UrlPrefix.parse("http://host:80/a/").hashCode());
        assertNotEquals(UrlPrefix.parse("http://+:80/a/"), UrlPrefix.parse("http://*:80/a/"));
    }

    @Test
    void shouldRejectNull()
    {
        assertRejected("url prefix must not be null", null);
    }

    @Test
    void shouldParseHttpsPrefixInAnyCase()
    {
        final UrlPrefix prefix = UrlPrefix.parse("HTTPS://WWW.Example.com:8443/App/");

        assertEquals("https", prefix.scheme());
        assertTrue(prefix.isHttps());
        assertEquals("www.example.com", prefix.host());
        assertEquals(8443, prefix.port());
        assertEquals("https://www.example.com:8443/app/", prefix.toString());
        assertFalse(UrlPrefix.parse("http://+:8080/").isHttps());
    }

    @Test
    void shouldRejectOtherScheme()
    {
        assertRejected("url prefix scheme must be http or https: ftp://+:21/", "ftp://+:21/");
    }

    @ParameterizedTest
    @CsvSource({"+:8080/", "://+:8080/", "http:/+:8080/"})
    void shouldRejectMissingScheme(final String text)
    {
        assertRejected("url prefix must start with 'http://' or 'https://': " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://+:8080/shm", "http://+:8080", "http://+"})
    void shouldRejectPrefixNotEndingWithSlash(final String text)
    {
        assertRejected("url prefix must end with '/': " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://:8080/", "http:///"})
    void shouldRejectMissingHost(final String text)
    {
        assertRejected("url prefix must have a host: " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://+/", "http://+:/", "http://[::1]/"})
    void shouldRejectMissingPort(final String text)
    {
        assertRejected("url prefix must have a port: " + text, text);
    }

    @Test
    void shouldRejectGarbageBetweenIpv6LiteralAndPort()
    {
        assertRejected("url prefix must have ':' and a port after the host: http://[::1]x:80/", "http://[::1]x:80/");
    }

    @ParameterizedTest
    @CsvSource({"http://+:0/", "http://+:65536/", "http://+:123456/", "http://+:80a/", "http://+:-1/", "http://+:+80/"})
    void shouldRejectPortOutOfRange(final String text)
    {
        assertRejected("url prefix port must be a number in 1..65535: " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://1.2.3:80/", "http://1.2.3.256:80/", "http://01.2.3.4:80/", "http://1.2.3.4.:80/",
        "http://1..3.4:80/", "http://1234.1.1.1:80/"})
    void shouldRejectInvalidIpv4Literal(final String text)
    {
        assertRejected("url prefix host is not a valid IPv4 address: " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://[1:2]:80/", "http://[:::1]:80/", "http://[1::2::3]:80/", "http://[12345::1]:80/",
        "http://[1:2:3:4:5:6:7:8:9]:80/", "http://[1::2:3:4:5:6:7:8]:80/", "http://[g::1]:80/", "http://[1:]:80/",
        "http://[]:80/", "http://[::1%eth0]:80/", "http://[::1.2.3]:80/"})
    void shouldRejectInvalidIpv6Literal(final String text)
    {
        assertRejected("url prefix host is not a valid IPv6 address: " + text, text);
    }

    @Test
    void shouldRejectUnclosedIpv6Bracket()
    {
        assertRejected("url prefix host has an unclosed '[': http://[::1:80/", "http://[::1:80/");
    }

    @ParameterizedTest
    @CsvSource({"http://-a.com:80/", "http://a-.com:80/", "http://a..com:80/", "http://a_b.com:80/",
        "http://user@host:80/", "http://+x:80/", "http://**:80/", "http://host.:80/"})
    void shouldRejectInvalidDnsName(final String text)
    {
        assertRejected("url prefix host is not a valid DNS name: " + text, text);
    }

    @Test
    void shouldRejectDnsLabelLongerThan63()
    {
        final String text = "http://" + "a".repeat(64) + ".com:80/";

        assertRejected("url prefix host is not a valid DNS name: " + text, text);
    }

    @Test
    void shouldRejectPercentInPath()
    {
        assertRejected("url prefix path must not contain '%': http://+:80/a%20b/", "http://+:80/a%20b/");
    }

    @ParameterizedTest
    @CsvSource({"http://+:80/a\\b/", "http://+:80/a?b/", "http://+:80/a#b/", "http://+:80/a\tb/"})
    void shouldRejectInvalidCharacterInPath(final String text)
    {
        assertRejected("url prefix path must not contain '\\', '?', '#' or control characters: " + text, text);
    }

    @ParameterizedTest
    @CsvSource({"http://+:80/./", "http://+:80/../", "http://+:80/a/./b/", "http://+:80/a/../b/"})
    void shouldRejectDotSegmentsInPath(final String text)
    {
        assertRejected("url prefix path must not contain '.' or '..' segments: " + text, text);
    }

    @Test
    void shouldAcceptDotsInsideSegments()
    {
        assertEquals("/.well-known/a..b/.../v1.2/", UrlPrefix.parse("http://+:80/.well-known/a..b/.../v1.2/").path());
    }

    private static void assertRejected(final String message, final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> UrlPrefix.parse(text));
        assertEquals(message, ex.getMessage());
    }
}
