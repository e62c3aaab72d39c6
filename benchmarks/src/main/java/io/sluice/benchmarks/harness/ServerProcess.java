package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server-side process the harness started (the listener, the bare server, nginx): its output goes to a log file,
 * and {@link #close} stops it with SIGTERM, then SIGKILL after a grace period, and then kills whatever of its own
 * descendants is left. It ends only processes it started and their children, by pid.
 */
final class ServerProcess implements AutoCloseable
{
    private static final long STOP_GRACE_MS = 15_000;

    private final String name;
    private final Process process;
    private final Path log;
    private final ProcFs procFs;

    private ServerProcess(final String name, final Process process, final Path log, final ProcFs procFs)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.procFs = procFs;
    }

    /**
     * Start a process with its standard output and error appended to a log file. A {@code taskset} prefix execs the
     * program, so the pid is the program's own.
     *
     * @param name    what the progress output and errors call it.
     * @param command the command line, with any CPU-pinning prefix.
     * @param log     file receiving its output.
     * @param procFs  for finding its descendants when stopping.
     * @return the started process.
     * @throws IOException when it cannot be started.
     */
    static ServerProcess start(final String name, final List<String> command, final Path log, final ProcFs procFs)
        throws IOException
    {
        Files.writeString(log, "# " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        return new ServerProcess(name, process, log, procFs);
    }

    /**
     * @return what the progress output calls it.
     */
    String name()
    {
        return name;
    }

    /**
     * @return its pid.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * @return true while it runs.
     */
    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return its log file.
     */
    Path log()
    {
        return log;
    }

    /**
     * @param lines how many lines.
     * @return the last lines of its log, for an error message.
     */
    String logTail(final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException ex)
        {
            return "(cannot read " + log + ": " + ex.getMessage() + ")";
        }
    }

    /**
     * Stop it: SIGTERM, wait, SIGKILL if it is still there, then SIGKILL to any descendant it left behind.
     */
    public void close()
    {
        // Handles taken before the stop keep each process's start time, so a pid reused later is never killed.
        final List<ProcessHandle> tree = new ArrayList<>();
        if (process.isAlive())
        {
            for (final long pid : procFs.treeOf(process.pid()))
            {
                ProcessHandle.of(pid).ifPresent(tree::add);
            }
        }
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        final List<Long> leftovers = new ArrayList<>();
        for (final ProcessHandle handle : tree)
        {
            if (handle.isAlive())
            {
                leftovers.add(handle.pid());
                handle.destroyForcibly();
            }
        }
        if (!leftovers.isEmpty())
        {
            System.err.println("sluice bench: killed processes " + name + " left behind: " + leftovers);
        }
    }
}
