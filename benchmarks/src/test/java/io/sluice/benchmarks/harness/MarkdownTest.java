package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MarkdownTest
{
    @Test
    void shouldRightAlignMarkedColumnsAndEscapePipes()
    {
        final String table = Markdown.table("target", "req/s>").row("a|b", "1").row(null, "2").render();

        assertEquals("| target | req/s |\n| --- | ---: |\n| a\\|b | 1 |\n| — | 2 |\n", table);
    }

    @Test
    void shouldRejectARowOfTheWrongWidth()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Markdown.table("a", "b").row("1"));

        assertEquals("row has 1 cells, table has 2 columns", ex.getMessage());
    }

    @Test
    void shouldFormatFiguresToThreeSignificantDigitsBelowAHundred()
    {
        assertEquals("7.12", Markdown.figure(7.123));
        assertEquals("45.3", Markdown.figure(45.26));
        assertEquals("1,234", Markdown.figure(1234.4));
        assertEquals("—", Markdown.figure(null));
        assertEquals("—", Markdown.figure(Double.NaN));
    }

    @Test
    void shouldFormatCountsRatiosAndPercentages()
    {
        assertEquals("141,203", Markdown.count(141_203.4));
        assertEquals("0.87×", Markdown.ratio(0.8749));
        assertEquals("98 %", Markdown.percent(97.6));
        assertEquals("—", Markdown.ratio(null));
    }
}
