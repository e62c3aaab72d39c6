package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuLayoutTest
{
    @Test
    void shouldParseNumbersAndRangesAsTasksetDoes()
    {
        assertEquals(List.of(0), CpuLayout.parseList("0"));
        assertEquals(List.of(0, 1, 2, 3), CpuLayout.parseList("0-3"));
        assertEquals(List.of(0, 2, 4, 5), CpuLayout.parseList("4-5,0, 2"));
        assertEquals(List.of(1, 2), CpuLayout.parseList("1,2,1-2"));
    }

    @Test
    void shouldRefuseMalformedLists()
    {
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList(""));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList("0,"));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList("a"));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList("3-1"));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList("-1"));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parseList("4096"));
    }

    @Test
    void shouldFormatForTasksetAndFindWhatTheMachineLacks()
    {
        final CpuLayout layout = new CpuLayout(List.of(0, 1), List.of(2, 3));

        assertEquals("0,1", layout.serverList());
        assertEquals("2,3", layout.loadList());
        assertFalse(layout.overlaps());
        assertEquals(-1, layout.missingCpu(4));
        assertEquals(2, layout.missingCpu(2));
        assertTrue(new CpuLayout(List.of(0, 1), List.of(1)).overlaps());
    }
}
