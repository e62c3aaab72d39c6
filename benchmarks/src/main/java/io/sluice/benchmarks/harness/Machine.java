package io.sluice.benchmarks.harness;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine a figure came from, as every report quotes it.
 *
 * @param cpuModel    CPU model name ({@code /proc/cpuinfo}).
 * @param cpus        online CPUs (not those this process is pinned to).
 * @param memoryMiB   total memory.
 * @param kernel      kernel release ({@code uname -r}).
 * @param os          distribution ({@code /etc/os-release}).
 * @param javaVersion {@code java -version} of the JVM the servers run on, one line per element.
 * @param jvmFlags    flags the servers' JVMs got.
 * @param tools       tool name to its version (wrk, nginx), or why it is absent.
 */
record Machine(
    String cpuModel,
    int cpus,
    @JsonProperty("memory_mib") long memoryMiB,
    String kernel,
    String os,
    List<String> javaVersion,
    List<String> jvmFlags,
    Map<String, String> tools)
{
    private static final long COMMAND_TIMEOUT_MS = 10_000;

    /**
     * Read the facts of this machine.
     *
     * @param java     the java executable the servers run on.
     * @param jvmFlags the flags they get.
     * @param tools    tool name to the version to quote.
     * @return the facts; a fact that cannot be read is {@code unknown}.
     */
    static Machine describe(final String java, final List<String> jvmFlags, final Map<String, String> tools)
    {
        return new Machine(
            readCpuModel(),
            onlineCpus(),
            readMemoryMiB(),
            firstLine(Path.of("/proc/sys/kernel/osrelease")),
            osName(),
            run(List.of(java, "-version")),
            List.copyOf(jvmFlags),
            new LinkedHashMap<>(tools));
    }

    /**
     * @return the facts, one line, for a report heading.
     */
    String oneLine()
    {
        return cpuModel + ", " + cpus + " CPUs, " + (memoryMiB / 1024) + " GiB; Linux " + kernel + "; " +
            (javaVersion.isEmpty() ? "java unknown" : javaVersion.get(javaVersion.size() > 1 ? 1 : 0));
    }

    /**
     * Run a command and return its output lines (standard output and error), or one line saying it failed.
     *
     * @param command the command.
     * @return its output lines.
     */
    static List<String> run(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            final List<String> lines = new ArrayList<>();
            for (final String line : output.split("\n"))
            {
                if (!line.isBlank())
                {
                    lines.add(line.strip());
                }
            }
            return lines;
        }
        catch (final IOException ex)
        {
            return List.of(command.get(0) + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return List.of(command.get(0) + ": interrupted");
        }
    }

    private static String readCpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        return "unknown";
    }

    /**
     * @return the CPUs online ({@code /sys/devices/system/cpu/online}), whatever this process is pinned to.
     */
    static int onlineCpus()
    {
        final String online = firstLine(Path.of("/sys/devices/system/cpu/online"));
        try
        {
            int count = 0;
            for (final String range : online.split(","))
            {
                final String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return count;
        }
        catch (final NumberFormatException ex)
        {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static long readMemoryMiB()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("MemTotal:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0;
        }
        return 0;
    }

    private static String osName()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("PRETTY_NAME="))
                {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        return "unknown";
    }

    private static String firstLine(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "unknown" : lines.get(0).strip();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
