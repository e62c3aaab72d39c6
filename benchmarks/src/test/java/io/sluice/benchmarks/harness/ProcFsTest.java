package io.sluice.benchmarks.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcFsTest
{
    @TempDir
    Path proc;

    @Test
    void shouldSumAProcessAndItsDescendants() throws IOException
    {
        process(100, 1, 50, 10, 3, 1);
        process(101, 100, 20, 5, 0, 0);
        process(102, 101, 7, 1, 0, 0);
        process(200, 1, 1000, 1000, 0, 0);
        final ProcFs procFs = new ProcFs(proc);

        assertEquals(List.of(100L, 101L, 102L), procFs.treeOf(100));
        assertEquals(50 + 10 + 3 + 1 + 20 + 5 + 7 + 1, procFs.treeTicks(List.of(100L)));
    }

    @Test
    void shouldCountEachProcessOnceWhenRootsOverlap() throws IOException
    {
        process(100, 1, 10, 0, 0, 0);
        process(101, 100, 20, 0, 0, 0);
        final ProcFs procFs = new ProcFs(proc);

        assertEquals(30, procFs.treeTicks(List.of(100L, 101L)));
    }

    @Test
    void shouldIgnoreAProcessThatIsGone() throws IOException
    {
        process(100, 1, 10, 0, 0, 0);
        final ProcFs procFs = new ProcFs(proc);

        assertEquals(10, procFs.treeTicks(List.of(100L, 999L)));
        assertTrue(procFs.stat(999).isEmpty());
    }

    @Test
    void shouldReadTheEnvironment() throws IOException
    {
        process(100, 1, 0, 0, 0, 0);
        Files.write(proc.resolve("100").resolve("environ"),
            "SLUICE_HOSTING=loopback\0SLUICE_PORT=41234\0SLUICE_TOKEN=a=b\0".getBytes(StandardCharsets.UTF_8));

        assertEquals(Map.of("SLUICE_HOSTING", "loopback", "SLUICE_PORT", "41234", "SLUICE_TOKEN", "a=b"),
            new ProcFs(proc).environ(100));
    }

    @Test
    void shouldSplitACpusTimeIntoProcessesInterruptsAndSteal()
    {
        final List<String> stat = List.of(
            "cpu  281280 0 63312 330925 342 0 20651 5719 0 0",
            "cpu0 145317 2 31770 160538 75 4 10869 2987 0 0",
            "cpu1 135963 0 31541 170387 266 0 9782 2731 0 0");

        assertEquals(new ProcFs.CpuTimes(145317 + 2 + 31770, 4 + 10869, 2987), ProcFs.cpuTimes(stat, 0));
        assertNull(ProcFs.cpuTimes(stat, 2));
    }

    @Test
    void shouldReadTheLoadAverage() throws IOException
    {
        Files.writeString(proc.resolve("loadavg"), "2.09 2.97 3.33 4/512 12345\n");

        assertEquals(List.of(2.09, 2.97, 3.33), new ProcFs(proc).loadAverage());
    }

    @Test
    void shouldSumTheJitCompilerThreadsOfATree() throws IOException
    {
        process(100, 1, 500, 100, 0, 0);
        thread(100, 100, "java", 300, 50);
        thread(100, 101, "C2 CompilerThre", 120, 3);
        thread(100, 102, "C1 CompilerThre", 40, 1);
        thread(100, 103, "VM Thread", 9, 9);
        process(101, 100, 200, 10, 0, 0);
        thread(101, 104, "C2 CompilerThre", 30, 2);
        thread(101, 105, "multiThreadIoEv", 170, 8);
        process(200, 1, 900, 9, 0, 0);
        thread(200, 201, "C2 CompilerThre", 500, 5);
        final ProcFs procFs = new ProcFs(proc);

        assertEquals(120 + 3 + 40 + 1 + 30 + 2, procFs.compilerTicks(List.of(100L)));
        assertEquals(0, procFs.compilerTicks(List.of(999L)));
        assertTrue(ProcFs.isCompilerThread("C2 CompilerThre"));
        assertFalse(ProcFs.isCompilerThread("Compiler"));
    }

    private void thread(final long pid, final long tid, final String comm, final long utime, final long stime)
        throws IOException
    {
        final Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("task")
            .resolve(Long.toString(tid)));
        Files.writeString(dir.resolve("stat"), tid + " (" + comm + ") S " + pid + " 1 1 0 -1 0 0 0 0 0 " +
            utime + " " + stime + " 0 0 20 0 1 0 100 0 0\n");
    }

    private void process(
        final long pid, final long ppid, final long utime, final long stime, final long cutime, final long cstime)
        throws IOException
    {
        final Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (p" + pid + ") S " + ppid + " 1 1 0 -1 0 0 0 0 0 " +
            utime + " " + stime + " " + cutime + " " + cstime + " 20 0 1 0 100 0 0\n");
    }
}
