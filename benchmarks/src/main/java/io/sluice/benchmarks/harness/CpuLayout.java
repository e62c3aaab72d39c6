package io.sluice.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which CPUs a bench run gives the server side (the listener, its workers, the bare server, nginx) and which the load
 * generator (wrk, and the harness itself). By default the servers get CPU 0 and wrk CPU 1, so that on a 2-core
 * machine neither takes the other's core.
 *
 * @param serverCpus the server side's CPUs, ascending, at least one.
 * @param loadCpus   wrk's CPUs, ascending, at least one.
 */
record CpuLayout(List<Integer> serverCpus, List<Integer> loadCpus)
{
    /**
     * The default: servers on CPU 0, wrk on CPU 1.
     */
    static final CpuLayout DEFAULT = new CpuLayout(List.of(0), List.of(1));

    /**
     * Highest CPU number a list may name: {@value}.
     */
    static final int CPU_MAX = 4095;

    CpuLayout
    {
        if (serverCpus.isEmpty() || loadCpus.isEmpty())
        {
            throw new IllegalArgumentException("a CPU list names no CPU");
        }
        serverCpus = List.copyOf(serverCpus);
        loadCpus = List.copyOf(loadCpus);
    }

    /**
     * @param list a CPU list as {@code taskset -c} takes it: numbers and ranges, comma-separated, e.g. {@code 0},
     *             {@code 0-3} or {@code 0,2,4-5}.
     * @return the CPUs, ascending, each once.
     * @throws IllegalArgumentException when the list is empty or malformed, or a number is past {@value #CPU_MAX}.
     */
    static List<Integer> parseList(final String list)
    {
        final TreeSet<Integer> cpus = new TreeSet<>();
        for (final String part : list.split(",", -1))
        {
            final String item = part.trim();
            final int dash = item.indexOf('-');
            final int first = cpu(dash < 0 ? item : item.substring(0, dash), list);
            final int last = dash < 0 ? first : cpu(item.substring(dash + 1), list);
            if (last < first)
            {
                throw new IllegalArgumentException("CPU range runs backwards: " + item + " in " + list);
            }
            for (int cpu = first; cpu <= last; cpu++)
            {
                cpus.add(cpu);
            }
        }
        return new ArrayList<>(cpus);
    }

    /**
     * @param cpus CPUs.
     * @return the list as {@code taskset -c} takes it, e.g. {@code 0,1,2}.
     */
    static String format(final List<Integer> cpus)
    {
        return String.join(",", cpus.stream().map(String::valueOf).toList());
    }

    /**
     * @return the server side's CPUs as {@code taskset -c} takes them.
     */
    String serverList()
    {
        return format(serverCpus);
    }

    /**
     * @return wrk's CPUs as {@code taskset -c} takes them.
     */
    String loadList()
    {
        return format(loadCpus);
    }

    /**
     * @return true when a CPU serves and drives load both: the two sides then compete for it.
     */
    boolean overlaps()
    {
        return serverCpus.stream().anyMatch(loadCpus::contains);
    }

    /**
     * @param onlineCpus CPUs online on this machine (numbered 0 to {@code onlineCpus - 1}).
     * @return the first CPU of the layout this machine does not have, or -1 when it has them all.
     */
    int missingCpu(final int onlineCpus)
    {
        for (final List<Integer> cpus : List.of(serverCpus, loadCpus))
        {
            for (final int cpu : cpus)
            {
                if (cpu >= onlineCpus)
                {
                    return cpu;
                }
            }
        }
        return -1;
    }

    private static int cpu(final String text, final String list)
    {
        try
        {
            final int cpu = Integer.parseInt(text.trim());
            if (cpu < 0 || cpu > CPU_MAX)
            {
                throw new IllegalArgumentException("CPU out of range: cpu=" + cpu + ", limit=0.." + CPU_MAX);
            }
            return cpu;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a CPU list (e.g. 0 or 0-3 or 0,2): " + list, ex);
        }
    }
}
