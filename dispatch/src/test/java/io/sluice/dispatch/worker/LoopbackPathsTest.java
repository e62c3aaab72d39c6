package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.PathNormalizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(LoopbackPaths.isUnder(PathNormalizer.pathOf("/%61pp/x"), "/app/"));
        assertTrue(LoopbackPaths.isUnder(PathNormalizer.pathOf("/other/../app/x"), "/app/"));
        assertTrue(LoopbackPaths.isUnder(PathNormalizer.pathOf("/./app"), "/app/"));
        assertTrue(LoopbackPaths.isUnder(PathNormalizer.pathOf("/app\\x"), "/app/"));
    }

    @Test
    void shouldNotMatchWhenDotSegmentsLeaveApplicationPath()
    {
        assertFalse(LoopbackPaths.isUnder(PathNormalizer.pathOf("/app/../other"), "/app/"));
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
