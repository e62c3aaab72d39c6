package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProcStatTest
{
    private static final String JAVA_STAT = "4242 (java) S 4200 4242 4200 0 -1 4194560 12021 0 3 0 " +
        "1534 287 12 5 20 0 31 0 8123456 9021657088 61234 18446744073709551615 1 1 0 0 0 0 4 0 16898 0 0 0 17 0 " +
        "0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    @Test
    void shouldReadTimesAndParent()
    {
        final ProcStat stat = ProcStat.parse(JAVA_STAT);

        assertEquals(new ProcStat(4242, "java", 'S', 4200, 1534, 287, 12, 5), stat);
    }

    @Test
    void shouldSumOwnAndReapedChildrenTimes()
    {
        assertEquals(1534 + 287 + 12 + 5, ProcStat.parse(JAVA_STAT).totalTicks());
        assertEquals(12 + 5, ProcStat.parse(JAVA_STAT).reapedChildrenTicks());
    }

    @Test
    void shouldTakeTheCommandNameUpToTheLastParenthesis()
    {
        final ProcStat stat = ProcStat.parse(JAVA_STAT.replace("(java)", "(we (ird) name)"));

        assertEquals("we (ird) name", stat.comm());
        assertEquals(1534, stat.utimeTicks());
    }

    @Test
    void shouldRejectALineThatIsNotAStatLine()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ProcStat.parse("MemTotal: 24105 kB"));

        assertEquals("not a /proc/<pid>/stat line: MemTotal: 24105 kB", ex.getMessage());
    }

    @Test
    void shouldRejectATruncatedLine()
    {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("1 (init) S 0 1 1 0"));
    }
}
