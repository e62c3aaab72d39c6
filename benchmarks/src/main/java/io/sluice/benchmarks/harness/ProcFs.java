package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what the harness needs from {@code /proc}: process times, the process tree, a process's environment, the
 * load average. The root is a parameter so that tests can point it at a directory of their own.
 * <p>
 * CPU accounting: a process's {@code utime + stime} covers all its threads, live and exited; {@code cutime + cstime}
 * covers the children it has reaped. Summed over a process and its live descendants, the total only grows while the
 * root lives, whatever starts and exits beneath it: that is what {@link #treeTicks} returns.
 */
final class ProcFs
{
    /**
     * The real {@code /proc}.
     */
    static final Path PROC = Path.of("/proc");

    private final Path root;

    /**
     * @param root the proc file system's mount point, {@link #PROC} outside tests.
     */
    ProcFs(final Path root)
    {
        this.root = root;
    }

    /**
     * @param pid a process id.
     * @return its stat, or empty when it no longer exists.
     */
    Optional<ProcStat> stat(final long pid)
    {
        try
        {
            return Optional.of(ProcStat.parse(Files.readString(root.resolve(Long.toString(pid)).resolve("stat"))));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * @param pid a process id.
     * @return the process and its live descendants, the process first; empty when it no longer exists.
     */
    List<Long> treeOf(final long pid)
    {
        return treesOf(List.of(pid));
    }

    /**
     * @param rootPids process ids.
     * @return the processes and their live descendants, each once.
     */
    List<Long> treesOf(final Collection<Long> rootPids)
    {
        final Map<Long, List<Long>> children = childrenByParent();
        final Set<Long> seen = new LinkedHashSet<>();
        final Deque<Long> pending = new ArrayDeque<>();
        for (final long pid : rootPids)
        {
            if (Files.isDirectory(root.resolve(Long.toString(pid))))
            {
                pending.add(pid);
            }
        }
        while (!pending.isEmpty())
        {
            final long pid = pending.removeFirst();
            if (seen.add(pid))
            {
                pending.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        return new ArrayList<>(seen);
    }

    /**
     * @param rootPids process ids.
     * @return CPU time (user + system, with reaped children) of the processes and their live descendants, in clock
     * ticks.
     */
    long treeTicks(final Collection<Long> rootPids)
    {
        long ticks = 0;
        for (final long pid : treesOf(rootPids))
        {
            ticks += stat(pid).map(ProcStat::totalTicks).orElse(0L);
        }
        return ticks;
    }

    /**
     * @param rootPids process ids.
     * @return CPU time (user + system) of the JIT compiler threads ({@code C1 CompilerThread<n>}, {@code C2
     * CompilerThread<n>}, their names as the kernel keeps them, 15 characters) of the processes and their live
     * descendants, in clock ticks; 0 for processes that are not JVMs.
     */
    long compilerTicks(final Collection<Long> rootPids)
    {
        long ticks = 0;
        for (final long pid : treesOf(rootPids))
        {
            final Path taskDir = root.resolve(Long.toString(pid)).resolve("task");
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir))
            {
                for (final Path task : tasks)
                {
                    ticks += threadStat(task.resolve("stat"))
                        .filter((stat) -> isCompilerThread(stat.comm()))
                        .map((stat) -> stat.utimeTicks() + stat.stimeTicks())
                        .orElse(0L);
                }
            }
            catch (final IOException ex)
            {
                // the process exited meanwhile: its compilers count no more
            }
        }
        return ticks;
    }

    /**
     * @param comm a thread's name as {@code /proc} gives it.
     * @return true for a HotSpot JIT compiler thread.
     */
    static boolean isCompilerThread(final String comm)
    {
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    private static Optional<ProcStat> threadStat(final Path stat)
    {
        try
        {
            return Optional.of(ProcStat.parse(Files.readString(stat)));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * @param pid a process id.
     * @return CPU time of the process and each live descendant, in clock ticks, keyed by pid, in tree order.
     */
    Map<Long, Long> ticksByProcess(final long pid)
    {
        final Map<Long, Long> ticks = new LinkedHashMap<>();
        for (final long member : treeOf(pid))
        {
            stat(member).ifPresent((stat) -> ticks.put(member, stat.totalTicks()));
        }
        return ticks;
    }

    /**
     * @param pid a process id.
     * @return its environment at exec time, or an empty map when it cannot be read.
     */
    Map<String, String> environ(final long pid)
    {
        final Map<String, String> env = new LinkedHashMap<>();
        try
        {
            final byte[] bytes = Files.readAllBytes(root.resolve(Long.toString(pid)).resolve("environ"));
            for (final String entry : new String(bytes, StandardCharsets.UTF_8).split("\0"))
            {
                final int equals = entry.indexOf('=');
                if (equals > 0)
                {
                    env.put(entry.substring(0, equals), entry.substring(equals + 1));
                }
            }
        }
        catch (final IOException ex)
        {
            return Map.of();
        }
        return env;
    }

    /**
     * Where one CPU's time went since boot, in clock ticks ({@code /proc/stat}).
     *
     * @param processTicks   running processes: user, nice, system (guest time is inside user).
     * @param interruptTicks handling interrupts: irq, softirq. Without {@code CONFIG_IRQ_TIME_ACCOUNTING} these are
     *                       the ticks that landed in interrupt context; loopback TCP processing runs there, on the
     *                       sending CPU.
     * @param stealTicks     taken by the hypervisor while this virtual CPU wanted to run.
     */
    record CpuTimes(long processTicks, long interruptTicks, long stealTicks)
    {
    }

    /**
     * @param cpu a CPU number.
     * @return where that CPU's time went since boot; null when unknown.
     */
    CpuTimes cpuTimes(final int cpu)
    {
        try
        {
            return cpuTimes(Files.readAllLines(root.resolve("stat"), StandardCharsets.UTF_8), cpu);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * @param statLines the lines of {@code /proc/stat}.
     * @param cpu       a CPU number.
     * @return where that CPU's time went; null when its line is missing.
     */
    static CpuTimes cpuTimes(final List<String> statLines, final int cpu)
    {
        final String prefix = "cpu" + cpu + " ";
        for (final String line : statLines)
        {
            if (line.startsWith(prefix))
            {
                final String[] f = line.substring(prefix.length()).trim().split(" +");
                return new CpuTimes(
                    Long.parseLong(f[0]) + Long.parseLong(f[1]) + Long.parseLong(f[2]),
                    Long.parseLong(f[5]) + Long.parseLong(f[6]),
                    f.length > 7 ? Long.parseLong(f[7]) : 0);
            }
        }
        return null;
    }

    /**
     * @return the 1, 5 and 15 minute load averages, or an empty list when unknown.
     */
    List<Double> loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(root.resolve("loadavg")).trim().split(" +");
            return List.of(Double.parseDouble(fields[0]), Double.parseDouble(fields[1]),
                Double.parseDouble(fields[2]));
        }
        catch (final IOException | RuntimeException ex)
        {
            return List.of();
        }
    }

    private Map<Long, List<Long>> childrenByParent()
    {
        final Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, (p) -> isPid(p.getFileName().toString())))
        {
            for (final Path dir : dirs)
            {
                final long pid = Long.parseLong(dir.getFileName().toString());
                stat(pid).ifPresent((stat) -> children.computeIfAbsent(stat.ppid(), (k) -> new ArrayList<>()).add(pid));
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot list " + root + ": " + ex, ex);
        }
        return children;
    }

    private static boolean isPid(final String name)
    {
        if (name.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }
}
