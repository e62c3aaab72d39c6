package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs wrk, the load generator: one thread (on its own core when pinned) holding the scenario's connections, the
 * scenario's Lua script, and wrk's result line parsed into a {@link WrkResult}.
 */
final class Wrk
{
    /**
     * wrk's per-request time-out, in seconds: long enough for a 1 MiB echo on a busy machine, short enough that a
     * stuck target shows as time-outs rather than a hung run.
     */
    static final int TIMEOUT_SECONDS = 5;

    private static final long EXIT_GRACE_MS = 30_000;

    private final String binary;
    private final List<String> cpuPrefix;
    private final int threads;
    private final Path scriptsDir;
    private final Map<String, Path> scripts = new HashMap<>();

    /**
     * @param binary     the wrk executable.
     * @param cpuPrefix  command prefix that pins wrk, e.g. {@code taskset -c 1}; empty for none.
     * @param threads    wrk threads, one per core wrk may use.
     * @param scriptsDir where the Lua scripts are written (kept with the results, so a run can be repeated by hand).
     */
    Wrk(final String binary, final List<String> cpuPrefix, final int threads, final Path scriptsDir)
    {
        this.binary = binary;
        this.cpuPrefix = List.copyOf(cpuPrefix);
        this.threads = threads;
        this.scriptsDir = scriptsDir;
    }

    /**
     * @param scenario       the request shape.
     * @param url            where to send it.
     * @param durationSeconds length of the run, whole seconds (wrk's resolution).
     * @return the command line that {@link #run} executes.
     * @throws IOException when the script cannot be written.
     */
    List<String> command(final Scenario scenario, final String url, final int durationSeconds) throws IOException
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(binary);
        command.add("-t" + Math.min(threads, scenario.connections()));
        command.add("-c" + scenario.connections());
        command.add("-d" + durationSeconds + "s");
        command.add("--timeout");
        command.add(TIMEOUT_SECONDS + "s");
        command.add("-s");
        command.add(script(scenario).toString());
        command.add(url);
        return command;
    }

    /**
     * Run wrk once and wait for it.
     *
     * @param scenario        the request shape.
     * @param url             where to send it.
     * @param durationSeconds length of the run, whole seconds.
     * @return wrk's figures.
     * @throws IOException          when wrk cannot be started, fails, or prints no result.
     * @throws InterruptedException when interrupted while waiting.
     */
    WrkResult run(final Scenario scenario, final String url, final int durationSeconds)
        throws IOException, InterruptedException
    {
        final List<String> command = command(scenario, url, durationSeconds);
        final Path out = Files.createTempFile(scriptsDir, "wrk-", ".out");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
            if (!process.waitFor(durationSeconds * 1000L + EXIT_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IOException("wrk did not finish: " + String.join(" ", command));
            }
            final String output = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException("wrk exited " + process.exitValue() + ": " + String.join(" ", command) +
                    "\n" + output);
            }
            try
            {
                return WrkResult.parse(output);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException(ex.getMessage(), ex);
            }
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    private Path script(final Scenario scenario) throws IOException
    {
        Path script = scripts.get(scenario.name());
        if (null == script)
        {
            script = scriptsDir.resolve(scenario.name() + ".lua");
            Files.writeString(script, WrkScript.forScenario(scenario), StandardCharsets.UTF_8);
            scripts.put(scenario.name(), script);
        }
        return script;
    }
}
