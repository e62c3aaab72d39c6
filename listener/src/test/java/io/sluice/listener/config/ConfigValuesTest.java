package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigValuesTest
{
    @Test
    void shouldParseSizeWhenSuffixIsBinary()
    {
        assertEquals(0, ConfigValues.parseSize("0"));
        assertEquals(1024, ConfigValues.parseSize("1k"));
        assertEquals(3L << 20, ConfigValues.parseSize("3M"));
        assertEquals(4L << 30, ConfigValues.parseSize("4g"));
        assertEquals(65_536, ConfigValues.parseSize(65_536));
        assertEquals(1L << 40, ConfigValues.parseSize(1L << 40));
    }

    @Test
    void shouldClampSizeWhenLargerThanALong()
    {
        assertEquals(Long.MAX_VALUE, ConfigValues.parseSize("9999999999999999999999g"));
        assertEquals(Long.MAX_VALUE, ConfigValues.parseSize(new BigInteger("99999999999999999999")));
    }

    @Test
    void shouldNotParseSizeWhenTextIsNotASize()
    {
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize("1.5m"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize("1 k"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize("1kb"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize(""));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize(1.5));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseSize(List.of()));
    }

    @Test
    void shouldParseDurationWhenUnitIsGiven()
    {
        assertEquals(7, ConfigValues.parseDurationMs("7"));
        assertEquals(7, ConfigValues.parseDurationMs("7ms"));
        assertEquals(7_000, ConfigValues.parseDurationMs("7s"));
        assertEquals(420_000, ConfigValues.parseDurationMs("7m"));
        assertEquals(25_200_000, ConfigValues.parseDurationMs("7h"));
        assertEquals(-1_000, ConfigValues.parseDurationMs("-1s"));
        assertEquals(120_000, ConfigValues.parseDurationMs(120_000));
    }

    @Test
    void shouldNotParseDurationWhenUnitIsUnknown()
    {
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseDurationMs("7d"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseDurationMs("7S"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseDurationMs("1.5s"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseDurationMs("s"));
        assertEquals(ConfigValues.NOT_PARSED, ConfigValues.parseDurationMs(true));
    }

    @Test
    void shouldFormatShortestExactUnitWhenPrintingLimits()
    {
        assertEquals("0ms", ConfigValues.formatDurationMs(0));
        assertEquals("1ms", ConfigValues.formatDurationMs(1));
        assertEquals("1500ms", ConfigValues.formatDurationMs(1500));
        assertEquals("90s", ConfigValues.formatDurationMs(90_000));
        assertEquals("2m", ConfigValues.formatDurationMs(120_000));
        assertEquals("24h", ConfigValues.formatDurationMs(86_400_000));
        assertEquals("100", ConfigValues.formatSize(100));
        assertEquals("64k", ConfigValues.formatSize(65_536));
        assertEquals("1m", ConfigValues.formatSize(1 << 20));
        assertEquals("1g", ConfigValues.formatSize(1 << 30));
    }

    @Test
    void shouldAcceptClassNameWhenSegmentsAreIdentifiers()
    {
        assertTrue(ConfigValues.isClassName("io.sluice.dispatch.sample.SampleHandler"));
        assertTrue(ConfigValues.isClassName("Handler"));
        assertTrue(ConfigValues.isClassName("com.example.Outer$Inner"));
        assertTrue(ConfigValues.isClassName("_x.y1"));
    }

    @Test
    void shouldRejectClassNameWhenSyntaxIsWrong()
    {
        assertFalse(ConfigValues.isClassName(""));
        assertFalse(ConfigValues.isClassName(".a"));
        assertFalse(ConfigValues.isClassName("a."));
        assertFalse(ConfigValues.isClassName("a..b"));
        assertFalse(ConfigValues.isClassName("1a.B"));
        assertFalse(ConfigValues.isClassName("a.B C"));
        assertFalse(ConfigValues.isClassName("a/B"));
    }

    @Test
    void shouldAcceptNameWhenWithinAlphabetAndLength()
    {
        assertTrue(ConfigValues.isName("a"));
        assertTrue(ConfigValues.isName("shm_1-b"));
        assertTrue(ConfigValues.isName("abcdefghijklmnopqrstuvwxyz012345"));
        assertFalse(ConfigValues.isName(""));
        assertFalse(ConfigValues.isName("abcdefghijklmnopqrstuvwxyz0123456"));
        assertFalse(ConfigValues.isName("a.b"));
        assertFalse(ConfigValues.isName("a/b"));
    }

    @Test
    void shouldDescribeValueOnOneLineWhenRenderingWasPart()
    {
        assertEquals("null", ConfigValues.describe(null));
        assertEquals("'shm'", ConfigValues.describe("shm"));
        assertEquals("'a\\tb\\r\\nc\\u0000'", ConfigValues.describe("a\tb\r\nc\0"));
        assertEquals("0", ConfigValues.describe(0));
        assertEquals("1.5", ConfigValues.describe(1.5));
        assertEquals("true", ConfigValues.describe(Boolean.TRUE));
        assertEquals("[]", ConfigValues.describe(List.of()));
        assertEquals("a list", ConfigValues.describe(List.of(1)));
        assertEquals("{}", ConfigValues.describe(Map.of()));
        assertEquals("a mapping", ConfigValues.describe(Map.of("a", 1)));
        assertEquals("a value of type byte[]", ConfigValues.describe(new byte[1]));
    }

    @Test
    void shouldShortenQuotedTextWhenLongerThanLimit()
    {
        final String text = "x".repeat(ConfigValues.MAX_QUOTED_LENGTH + 1);

        assertEquals(
            "'" + "x".repeat(ConfigValues.MAX_QUOTED_LENGTH) + "...'", ConfigValues.describe(text));
    }

    @Test
    void shouldCollapseWhitespaceWhenMakingOneLine()
    {
        assertEquals("a b c", ConfigValues.oneLine("  a\n  b\t\tc \n"));
    }
}
