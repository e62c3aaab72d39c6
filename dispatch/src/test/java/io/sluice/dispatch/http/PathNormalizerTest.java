package io.sluice.dispatch.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathNormalizerTest
{
    @Test
    void shouldReturnSameStringWhenTargetIsAlreadyNormal()
    {
        final String target = "/app/api/index.html";

        assertSame(target, PathNormalizer.normalize(target));
    }

    @Test
    void shouldStripQueryWhenPresent()
    {
        assertEquals("/app/items", PathNormalizer.normalize("/app/items?id=1&x=/../%zz"));
        assertEquals("/", PathNormalizer.normalize("/?"));
    }

    @Test
    void shouldStripQueryWhenPathNeedsDecoding()
    {
        assertEquals("/a b", PathNormalizer.normalize("/a%20b?q=%2F"));
    }

    @Test
    void shouldAcceptCharSequenceTarget()
    {
        assertEquals("/app/b", PathNormalizer.normalize(new StringBuilder("/app/./b?x")));
        assertEquals("/app/b", PathNormalizer.normalize(new StringBuilder("/app/b")));
    }

    @ParameterizedTest
    @CsvSource({
        "/a/./b,        /a/b",
        "/a/../b,       /b",
        "/a/b/..,       /a/",
        "/a/b/.,        /a/b/",
        "/a/b/../,      /a/",
        "/.,            /",
        "/a/..,         /",
        "/./a,          /a",
        "/a/b/c/../../d, /a/d",
        "/a/.../b,      /a/.../b",
        "/a/..b/.c,     /a/..b/.c",
        "/.well-known/x, /.well-known/x",
    })
    void shouldRemoveDotSegments(final String target, final String expected)
    {
        assertEquals(expected, PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @CsvSource({
        "/a/%2E%2E/b,   /b",
        "/a/%2e%2e/b,   /b",
        "/a/.%2E/b,     /b",
        "/a/%2E/b,      /a/b",
        "/a/b/%2e%2E,   /a/",
    })
    void shouldRemoveEncodedDotSegments(final String target, final String expected)
    {
        assertEquals(expected, PathNormalizer.normalize(target));
    }

    @Test
    void shouldKeepDuplicateSlashes()
    {
        assertEquals("/a//b/", PathNormalizer.normalize("/a//b/"));
        assertEquals("/a//b", PathNormalizer.normalize("/a//./b"));
        assertEquals("/a/b", PathNormalizer.normalize("/a//../b"));
    }

    @Test
    void shouldKeepCase()
    {
        assertEquals("/App/B", PathNormalizer.normalize("/App/./B"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../a", "/a/../..", "/a/../../b", "/%2E%2E/etc/passwd", "/a/./../../"})
    void shouldRejectClimbingAboveRoot(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb", "/a%2fb", "/a%5Cb", "/a%5cb", "/%2e%2e%2f"})
    void shouldRejectEncodedSeparator(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @Test
    void shouldRejectEncodedNul()
    {
        assertNull(PathNormalizer.normalize("/a%00b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%0Ab", "/a%0d", "/a%1F", "/a%7F", "/a%C2%80", "/a%C2%9F"})
    void shouldRejectEncodedControlCharacter(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a\u0000b", "/a\tb", "/a\nb", "/a\rb", "/a\u007Fb", "/a\u001Fb"})
    void shouldRejectLiteralControlCharacter(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @Test
    void shouldConvertBackslashToSlash()
    {
        assertEquals("/a/b/c", PathNormalizer.normalize("/a\\b\\c"));
    }

    @Test
    void shouldRemoveDotSegmentsSeparatedByBackslash()
    {
        assertEquals("/b", PathNormalizer.normalize("/a\\..\\b"));
        assertNull(PathNormalizer.normalize("/..\\a"));
    }

    @Test
    void shouldDecodeUtf8WhenPercentEncoded()
    {
        assertEquals("/caf\u00e9", PathNormalizer.normalize("/caf%C3%A9"));
        assertEquals("/caf\u00e9", PathNormalizer.normalize("/caf%c3%a9"));
        assertEquals("/\u20ac/\uD83D\uDE00", PathNormalizer.normalize("/%E2%82%AC/%F0%9F%98%80"));
    }

    @Test
    void shouldDecodeRawUtf8BytesAsNettyHandsThemOver()
    {
        assertEquals("/caf\u00e9", PathNormalizer.normalize("/caf\u00c3\u00a9"));
        assertEquals("/caf\u00e9", PathNormalizer.normalize("/caf\u00c3%A9"));
    }

    @Test
    void shouldDecodeReservedCharacters()
    {
        assertEquals("/a?b#c%d", PathNormalizer.normalize("/a%3Fb%23c%25d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%C3", "/%C3%28", "/%C0%AF", "/%E0%80%AF", "/%ED%A0%80", "/%F4%90%80%80", "/%FF",
        "/%80", "/caf\u00c3", "/a\u0100"})
    void shouldRejectInvalidUtf8(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%G1", "/%1G", "/%", "/%1", "/a%", "/a%zz", "/%%41"})
    void shouldRejectMalformedEscape(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a#b", "/a?b#c", "/#"})
    void shouldRejectFragment(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "*", "http://h/a", "?x"})
    void shouldRejectTargetNotStartingWithSlash(final String target)
    {
        assertNull(PathNormalizer.normalize(target));
    }

    @Test
    void shouldRejectNull()
    {
        assertNull(PathNormalizer.normalize(null));
    }

    @Test
    void shouldAcceptSegmentAtLengthLimitAndRejectOneCharacterLonger()
    {
        assertTrue(PathNormalizer.isWithinSegmentLimits("/app/" + "a".repeat(260), 260, 255));
        assertTrue(PathNormalizer.isWithinSegmentLimits("/" + "a".repeat(260) + "/b", 260, 255));
        assertFalse(PathNormalizer.isWithinSegmentLimits("/app/" + "a".repeat(261), 260, 255));
        assertFalse(PathNormalizer.isWithinSegmentLimits("/" + "a".repeat(261) + "/b", 260, 255));
    }

    @Test
    void shouldAcceptSegmentCountAtLimitAndRejectOneMore()
    {
        assertTrue(PathNormalizer.isWithinSegmentLimits("/a".repeat(255), 260, 255));
        assertTrue(PathNormalizer.isWithinSegmentLimits("/a".repeat(254) + "/", 260, 255));
        assertFalse(PathNormalizer.isWithinSegmentLimits("/a".repeat(256), 260, 255));
        assertFalse(PathNormalizer.isWithinSegmentLimits("/a".repeat(255) + "/", 260, 255));
    }

    @ParameterizedTest
    @CsvSource({ "/, 1", "/a, 1", "/a/, 2", "/a/b, 2", "//, 2" })
    void shouldCountEverySlashAsTheStartOfASegment(final String path, final int segments)
    {
        assertTrue(PathNormalizer.isWithinSegmentLimits(path, 1, segments));
        assertFalse(PathNormalizer.isWithinSegmentLimits(path, 1, segments - 1));
    }

    @Test
    void shouldCountSegmentLengthInDecodedCharacters()
    {
        final String path = PathNormalizer.normalize("/" + "%C3%A9".repeat(260));

        assertEquals(261, path.length());
        assertTrue(PathNormalizer.isWithinSegmentLimits(path, 260, 255));
    }
}
