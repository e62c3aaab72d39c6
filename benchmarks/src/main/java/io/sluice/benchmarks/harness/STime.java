package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives the new-connection scenario with {@code openssl s_time -new}: each process opens a TLS connection, does a
 * full handshake (a new session every time, never resumed), sends the hello GET with {@code Connection: close}, reads
 * the response until the server closes, and starts over; the scenario's connections are that many processes at once.
 * wrk and h2load cannot do this: both resume the first connection's TLS session on every later one, which measures
 * resumption, not handshakes.
 * <p>
 * {@code s_time} sends {@code GET <www> HTTP/1.0} and nothing else, so the request line's path carries the rest of
 * an HTTP/1.1 head ({@code Host}, {@code Connection: close}, and a last field that absorbs the {@code HTTP/1.0}).
 * Its own figures are whole seconds of wall time, so the harness times the processes itself, from starting the first
 * to the end of the last: the few milliseconds of starting them count against every target alike. It checks no
 * status: the harness checks every target's answer before measuring.
 */
final class STime
{
    private static final long EXIT_GRACE_MS = 30_000;
    private static final Pattern RESULT = Pattern.compile(
        "(?m)^(\\d+) connections in [0-9.]+s; \\S+ connections/user sec, bytes read (\\d+)\\s*$");

    private final String binary;
    private final List<String> cpuPrefix;
    private final Path scriptsDir;

    /**
     * @param binary     the openssl executable.
     * @param cpuPrefix  command prefix that pins the processes, e.g. {@code taskset -c 1}; empty for none.
     * @param scriptsDir where the command of a run is written (so it can be repeated by hand) and output kept briefly.
     */
    STime(final String binary, final List<String> cpuPrefix, final Path scriptsDir)
    {
        this.binary = binary;
        this.cpuPrefix = List.copyOf(cpuPrefix);
        this.scriptsDir = scriptsDir;
    }

    /**
     * @param host            the target's address.
     * @param port            its TLS port.
     * @param path            the request target.
     * @param durationSeconds length of the run.
     * @return the command line of one of the processes.
     */
    List<String> command(final String host, final int port, final String path, final int durationSeconds)
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(binary);
        command.add("s_time");
        command.add("-connect");
        command.add(host + ":" + port);
        command.add("-new");
        command.add("-time");
        command.add(Integer.toString(durationSeconds));
        command.add("-www");
        command.add(path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\nX-Load: s_time");
        return command;
    }

    /**
     * Run the scenario's connections as that many processes and wait for them.
     *
     * @param scenario        the request shape: its connections are the processes.
     * @param target          the target.
     * @param durationSeconds length of the run.
     * @return the connections completed (as requests), the bytes read, processes that failed (as connect errors), and
     * no latency.
     * @throws IOException          when a process cannot be started or prints no result.
     * @throws InterruptedException when interrupted while waiting.
     */
    WrkResult run(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        final int port = target.port(scenario.protocol());
        final List<String> command = command(target.host(), port, target.path(scenario), durationSeconds);
        writeScript(scenario, command);
        final List<Process> processes = new ArrayList<>();
        final List<Path> outputs = new ArrayList<>();
        final long startNs = System.nanoTime();
        try
        {
            for (int i = 0; i < scenario.connections(); i++)
            {
                final Path out = Files.createTempFile(scriptsDir, "s_time-", ".out");
                outputs.add(out);
                processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start());
            }
            final long deadlineMs = System.currentTimeMillis() + durationSeconds * 1000L + EXIT_GRACE_MS;
            for (final Process process : processes)
            {
                if (!process.waitFor(Math.max(1, deadlineMs - System.currentTimeMillis()), TimeUnit.MILLISECONDS))
                {
                    throw new IOException("openssl s_time did not finish: " + String.join(" ", command));
                }
            }
            final long durationUs = (System.nanoTime() - startNs) / 1000;
            long connections = 0;
            long bytes = 0;
            long failed = 0;
            String failure = null;
            for (int i = 0; i < processes.size(); i++)
            {
                final String output = Files.readString(outputs.get(i), StandardCharsets.ISO_8859_1);
                final Matcher matcher = RESULT.matcher(output);
                if (0 == processes.get(i).exitValue() && matcher.find())
                {
                    connections += Long.parseLong(matcher.group(1));
                    bytes += Long.parseLong(matcher.group(2));
                }
                else
                {
                    failed++;
                    failure = "exit status " + processes.get(i).exitValue() + ":\n" + output.replace("*", "").strip();
                }
            }
            if (failed == processes.size())
            {
                throw new IOException("every openssl s_time failed: " + String.join(" ", command) + "\n" + failure);
            }
            if (failed > 0)
            {
                Files.writeString(scriptsDir.resolve(scenario.name() + "-" + target.kind().key() + "-failed.txt"),
                    failed + " of " + processes.size() + " processes failed; the last one printed:\n" + failure + "\n",
                    StandardCharsets.UTF_8);
            }
            return new WrkResult(connections, durationUs, bytes, new WrkResult.Errors(failed, 0, 0, 0, 0),
                new WrkResult.Latency(0, 0, 0, 0, 0, 0, 0, 0), new long[0][]);
        }
        finally
        {
            for (final Process process : processes)
            {
                if (process.isAlive())
                {
                    process.destroyForcibly().waitFor();
                }
            }
            for (final Path out : outputs)
            {
                Files.deleteIfExists(out);
            }
        }
    }

    /**
     * @param output what one {@code s_time} process printed.
     * @return the connections it completed, or -1 when it printed no result.
     */
    static long connections(final String output)
    {
        final Matcher matcher = RESULT.matcher(output);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private void writeScript(final Scenario scenario, final List<String> command) throws IOException
    {
        final StringBuilder script = new StringBuilder(512);
        script.append("#!/usr/bin/env bash\n# Written by the Sluice bench harness for scenario ")
            .append(scenario.name()).append(": ").append(scenario.title()).append(".\n# It runs ")
            .append(scenario.connections()).append(" of these at once and sums their connections.\n");
        for (final String part : command)
        {
            script.append(part.chars().anyMatch((c) -> c < ' ' || c == '\'' || c == ' ') ?
                "$'" + part.replace("\\", "\\\\").replace("'", "\\'").replace("\r", "\\r").replace("\n", "\\n") +
                "'" : part).append(' ');
        }
        script.setLength(script.length() - 1);
        script.append('\n');
        Files.writeString(scriptsDir.resolve(scenario.name() + ".sh"), script, StandardCharsets.UTF_8);
    }
}
