package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives the WebSocket echo scenario with {@link WsEchoClient} in a JVM of its own, pinned to the load CPUs as wrk is,
 * so that the server side's CPU per message is measured as for every other scenario and the client's CPU is counted
 * as the load generator's. Any error (a failed upgrade, a connection closed by the server, an echo that is not the
 * message sent) is kept with the run's figures, as wrk's are.
 * <p>
 * The client is a fresh JVM for every run, so it warms up first: {@link #prepare} starts it, and it echoes for
 * {@value #WARMUP_SECONDS} s uncounted (the client's code compiled, its connections open) and waits with no message in
 * flight; the harness then reads the CPU times and {@link #run} lets it count. So the figures cover the counted
 * messages only, with a load generator that runs compiled code from its first counted message, as wrk does.
 */
final class WsEcho
{
    private static final int CHECK_MESSAGES = 16;
    private static final long CHECK_TIMEOUT_MS = 10_000;
    private static final long EXIT_GRACE_MS = 30_000;
    private static final int WARMUP_SECONDS = 1;
    private static final long READY_GRACE_MS = 60_000;
    private static final long READY_POLL_MS = 5;
    private static final String GO_LINE = "go\n";

    private final List<String> cpuPrefix;
    private final Path scriptsDir;
    private Process prepared;
    private Path preparedOutput;
    private List<String> preparedCommand;

    /**
     * @param cpuPrefix  command prefix that pins the client, e.g. {@code taskset -c 1}; empty for none.
     * @param scriptsDir where a run's command is written, so it can be repeated by hand.
     */
    WsEcho(final List<String> cpuPrefix, final Path scriptsDir)
    {
        this.cpuPrefix = List.copyOf(cpuPrefix);
        this.scriptsDir = scriptsDir;
    }

    /**
     * @param scenario        the shape: connections and message length ({@link Scenario#bodyLength()}).
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @return the command line of a run.
     */
    List<String> command(final Scenario scenario, final Target target, final int durationSeconds)
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        // Netty's sampling leak detector records a stack trace for some buffers: not the server's cost
        command.add("-Dio.netty.leakDetection.level=disabled");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WsEchoClient.class.getName());
        command.add(target.host());
        command.add(Integer.toString(target.port(scenario.protocol())));
        command.add(target.path(scenario));
        command.add(Integer.toString(scenario.connections()));
        command.add(Integer.toString(scenario.bodyLength()));
        command.add(Integer.toString(durationSeconds));
        command.add(Integer.toString(WARMUP_SECONDS));
        return command;
    }

    /**
     * Start the client for a run and return once it is warmed up and waits to count.
     *
     * @param scenario        the shape.
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @throws IOException          when the client fails before it is ready.
     * @throws InterruptedException when interrupted while waiting.
     */
    void prepare(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        discard();
        final List<String> command = command(scenario, target, durationSeconds);
        Files.writeString(scriptsDir.resolve(scenario.name() + ".sh"), "#!/usr/bin/env bash\n# Written by the " +
            "Sluice bench harness for scenario " + scenario.name() + ": " + scenario.title() + ".\n# The client " +
            "warms up for its last argument's seconds, then counts once it reads a line on standard input.\n" +
            "echo go | " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        final Path out = Files.createTempFile(scriptsDir, "ws-echo-", ".out");
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(out);
            throw ex;
        }
        prepared = process;
        preparedOutput = out;
        preparedCommand = command;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS) +
            TimeUnit.MILLISECONDS.toNanos(READY_GRACE_MS);
        while (!Files.readString(out, StandardCharsets.UTF_8).contains(WsEchoClient.READY_LINE))
        {
            if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
            {
                final String output = Files.readString(out, StandardCharsets.UTF_8);
                discard();
                throw new IOException("the WebSocket client did not get ready: " + output.strip());
            }
            Thread.sleep(READY_POLL_MS);
        }
    }

    /**
     * @param procFs where to read process times.
     * @return the CPU ticks the client started by {@link #prepare} has used so far; 0 when there is none.
     */
    long preparedTicks(final ProcFs procFs)
    {
        final Process process = prepared;
        return null == process ? 0 : procFs.stat(process.pid()).map(ProcStat::totalTicks).orElse(0L);
    }

    /**
     * Run the client once for the scenario's length: the one {@link #prepare} started, else a new one prepared now.
     *
     * @param scenario        the shape.
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @return the figures: echoed messages as requests, no latency.
     * @throws IOException          when the client fails or prints no result.
     * @throws InterruptedException when interrupted while waiting.
     */
    WrkResult run(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        if (null == prepared)
        {
            prepare(scenario, target, durationSeconds);
        }
        final Process process = prepared;
        final Path out = preparedOutput;
        try
        {
            try
            {
                process.getOutputStream().write(GO_LINE.getBytes(StandardCharsets.US_ASCII));
                process.getOutputStream().flush();
            }
            catch (final IOException ex)
            {
                // the client is gone: its output says why
            }
            if (!process.waitFor(durationSeconds * 1000L + EXIT_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IOException("the WebSocket client did not finish: " + String.join(" ", preparedCommand));
            }
            final String output = Files.readString(out, StandardCharsets.UTF_8);
            if (0 != process.exitValue())
            {
                throw new IOException("the WebSocket client exited " + process.exitValue() + ": " + output.strip());
            }
            return WsEchoClient.parse(output).toWrkResult();
        }
        finally
        {
            prepared = null;
            preparedOutput = null;
            Files.deleteIfExists(out);
        }
    }

    /**
     * Stop a client prepared and never run.
     */
    private void discard() throws IOException, InterruptedException
    {
        final Process process = prepared;
        if (null != process)
        {
            prepared = null;
            process.destroyForcibly().waitFor();
            Files.deleteIfExists(preparedOutput);
            preparedOutput = null;
        }
    }

    /**
     * Check a target before measuring it, from the harness's own JVM: one connection upgraded, {@value
     * #CHECK_MESSAGES} messages of the scenario's length each echoed as sent.
     *
     * @param scenario the shape.
     * @param target   the target.
     * @throws IOException          when it answers otherwise.
     * @throws InterruptedException when interrupted while waiting.
     */
    static void check(final Scenario scenario, final Target target) throws IOException, InterruptedException
    {
        final WsEchoClient.Result result = new WsEchoClient(target.host(), target.port(scenario.protocol()),
            target.path(scenario), 1, scenario.bodyLength()).runCount(CHECK_MESSAGES, CHECK_TIMEOUT_MS);
        if (result.messages() != CHECK_MESSAGES || result.errors() != 0)
        {
            throw new IOException("WebSocket echo at " + target.path(scenario) + ": " + result.messages() + " of " +
                CHECK_MESSAGES + " messages echoed, " + result.handshakeFailed() + " failed upgrades, " +
                result.closed() + " closed, " + result.mismatched() + " mismatched");
        }
    }
}
