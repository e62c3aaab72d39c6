package io.sluice.dispatch.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackPathsTest
{
    @Test
    void shouldMatchWhenPathIsBelowApplicationPath()
    {
        assertTrue(LoopbackPaths.isUnder("/app/x/y", "/app/"));
    }

    @Test
    void shouldMatchWhenPathIsApplicationPathWithoutTrailingSlash()
    {
        assertTrue(LoopbackPaths.isUnder("/app", "/app/"));
    }

    @Test
    void shouldMatchWhenCaseDiffers()
    {
        assertTrue(LoopbackPaths.isUnder("/APP/x", "/app/"));
    }

    @Test
    void shouldNotMatchWhenPathOnlySharesTheLetters()
    {
        assertFalse(LoopbackPaths.isUnder("/apple", "/app/"));
        assertFalse(LoopbackPaths.isUnder("/ap", "/app/"));
    }

    @Test
    void shouldMatchEveryOriginFormPathWhenApplicationPathIsRoot()
    {
        assertTrue(LoopbackPaths.isUnder("/", "/"));
        assertTrue(LoopbackPaths.isUnder("/anything", "/"));
        assertFalse(LoopbackPaths.isUnder("*", "/"));
    }

    @Test
    void shouldMatchWhenPathMatchesOnlyOnceDecodedAndNormalized()
    {
        assertTrue(LoopbackPaths.isUnder("/%61pp/x", "/app/"));
        assertTrue(LoopbackPaths.isUnder("/other/../app/x", "/app/"));
        assertTrue(LoopbackPaths.isUnder("/./app", "/app/"));
    }

    @Test
    void shouldNotMatchWhenDotSegmentsLeaveApplicationPath()
    {
        assertFalse(LoopbackPaths.isUnder("/app/../other", "/app/"));
    }

    @Test
    void shouldRefuseEscapesTheListenerRefuses()
    {
        assertNull(LoopbackPaths.normalize("/app%2fx"));
        assertNull(LoopbackPaths.normalize("/app%5cx"));
        assertNull(LoopbackPaths.normalize("/app%00"));
        assertNull(LoopbackPaths.normalize("/app%zz"));
        assertNull(LoopbackPaths.normalize("/app%4"));
    }

    @Test
    void shouldRemoveDotSegmentsWhenNormalizing()
    {
        assertEquals("/a/c", LoopbackPaths.normalize("/a/b/../c"));
        assertEquals("/a/", LoopbackPaths.normalize("/a/b/.."));
        assertEquals("/", LoopbackPaths.normalize("/../.."));
        assertEquals("/a/b/", LoopbackPaths.normalize("/a/./b/."));
    }

    @Test
    void shouldAddTrailingSlashWhenApplicationPathLacksIt()
    {
        assertEquals("/app/", LoopbackPaths.withTrailingSlash("/app"));
        assertEquals("/app/", LoopbackPaths.withTrailingSlash("app"));
        assertEquals("/", LoopbackPaths.withTrailingSlash(""));
        assertEquals("/app/", LoopbackPaths.withTrailingSlash("/app/"));
    }
}
