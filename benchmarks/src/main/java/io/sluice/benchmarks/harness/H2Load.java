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
 * Drives the HTTP/2 scenarios with h2load (nghttp2): the scenario's connections, each with its pipeline depth of
 * streams in flight ({@code -m}), for the run's length ({@code -D}); h2 over TLS by ALPN for an https URL, h2c with
 * prior knowledge for an http one. A run that negotiated anything but the scenario's protocol fails, so an HTTP/1.1
 * fallback never passes for HTTP/2. h2load reports no latency percentiles, so the scenarios have none.
 */
final class H2Load
{
    /**
     * Body bytes of the hello every target sends.
     */
    static final int HELLO_LENGTH = HttpCheck.HELLO.length;

    private static final int CHECK_REQUESTS = 16;
    private static final int CHECK_STREAMS = 4;
    private static final long EXIT_GRACE_MS = 30_000;
    private static final int LAST_LINES = 8;
    private static final Pattern PROTOCOL = Pattern.compile("(?m)^Application protocol: (\\S+)\\s*$");
    private static final Pattern FINISHED = Pattern.compile(
        "(?m)^finished in ([0-9.]+)(s|ms|us), ([0-9.]+) req/s");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^requests: (\\d+) total, (\\d+) started, " +
        "(\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout\\s*$");
    private static final Pattern STATUS = Pattern.compile(
        "(?m)^status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx\\s*$");
    private static final Pattern TRAFFIC = Pattern.compile(
        "(?m)^traffic: .*?\\((\\d+)\\) total, .*\\((\\d+)\\) data\\s*$");

    private final String binary;
    private final List<String> cpuPrefix;
    private final int threads;
    private final Path scriptsDir;

    /**
     * @param binary     the h2load executable.
     * @param cpuPrefix  command prefix that pins h2load, e.g. {@code taskset -c 1}; empty for none.
     * @param threads    h2load threads, one per load CPU.
     * @param scriptsDir where a run's command is written, so it can be repeated by hand.
     */
    H2Load(final String binary, final List<String> cpuPrefix, final int threads, final Path scriptsDir)
    {
        this.binary = binary;
        this.cpuPrefix = List.copyOf(cpuPrefix);
        this.threads = threads;
        this.scriptsDir = scriptsDir;
    }

    /**
     * @param scenario        the request shape: connections and streams per connection.
     * @param url             where to send it.
     * @param durationSeconds length of the run.
     * @return the command line of a run.
     */
    List<String> command(final Scenario scenario, final String url, final int durationSeconds)
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(binary);
        command.add("-t" + Math.min(threads, scenario.connections()));
        command.add("-c" + scenario.connections());
        command.add("-m" + scenario.pipelineDepth());
        command.add("-D" + durationSeconds);
        command.add(url);
        return command;
    }

    /**
     * Run h2load once for the scenario's length.
     *
     * @param scenario        the request shape.
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @return the figures: succeeded requests (2xx and 3xx), the length h2load's rate is over, errors by kind (4xx and
     * 5xx as status errors), no latency.
     * @throws IOException          when h2load fails, prints no result, or did not speak the scenario's protocol.
     * @throws InterruptedException when interrupted while waiting.
     */
    WrkResult run(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        final List<String> command = command(scenario, target.url(scenario), durationSeconds);
        writeScript(scenario, command);
        return parse(scenario.protocol(), execute(command, durationSeconds));
    }

    /**
     * Check a target before measuring it: {@value #CHECK_REQUESTS} GETs on each of the scenario's connections,
     * {@value #CHECK_STREAMS} streams at a time, each answered 2xx with the hello's length, over the scenario's
     * protocol. A count of requests, not a length of time: it ends however long the connections take to open. The
     * timed run after it opens its connections on a server that has already opened as many: h2load's {@code -D} stops
     * only the connections open when its time is up, so one still in its handshake then (a server just started,
     * its first TLS handshakes slow) would run on and h2load would never exit.
     *
     * @param scenario the request shape (its protocol).
     * @param target   the target.
     * @throws IOException          when it answers otherwise.
     * @throws InterruptedException when interrupted while waiting.
     */
    void check(final Scenario scenario, final Target target) throws IOException, InterruptedException
    {
        final String output = execute(checkCommand(scenario, target.url(scenario)), 0);
        final WrkResult result = parse(scenario.protocol(), output);
        final long data = dataBytes(output);
        final int requests = checkRequests(scenario);
        if (result.requests() != requests || result.errors().total() != 0 || data != (long)requests * HELLO_LENGTH)
        {
            throw new IOException("GET " + target.path(scenario) + " over " + scenario.protocol().label() + ": " +
                result.requests() + " of " + requests + " answered 2xx, " + result.errors().total() +
                " errors, " + data + " body bytes where " + (long)requests * HELLO_LENGTH + " were expected");
        }
    }

    /**
     * @param scenario the request shape: its connections.
     * @param url      where to send the check.
     * @return the command line of the check: the scenario's connections, a count of requests on each.
     */
    List<String> checkCommand(final Scenario scenario, final String url)
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(binary);
        command.add("-t" + Math.min(threads, scenario.connections()));
        command.add("-c" + scenario.connections());
        command.add("-m" + CHECK_STREAMS);
        command.add("-n" + checkRequests(scenario));
        command.add(url);
        return command;
    }

    private static int checkRequests(final Scenario scenario)
    {
        return scenario.connections() * CHECK_REQUESTS;
    }

    /**
     * @param protocol the protocol the run had to speak.
     * @param output   everything h2load printed.
     * @return its figures.
     * @throws IOException when it printed no result or negotiated another protocol.
     */
    static WrkResult parse(final Protocol protocol, final String output) throws IOException
    {
        final String expected = Protocol.H2 == protocol ? "h2" : "h2c";
        final Matcher negotiated = PROTOCOL.matcher(output);
        if (!negotiated.find())
        {
            throw new IOException("h2load made no connection: " + lastLines(output));
        }
        if (!expected.equals(negotiated.group(1)))
        {
            throw new IOException("h2load spoke " + negotiated.group(1) + ", not " + expected);
        }
        final Matcher finished = FINISHED.matcher(output);
        final Matcher requests = REQUESTS.matcher(output);
        final Matcher status = STATUS.matcher(output);
        final Matcher traffic = TRAFFIC.matcher(output);
        if (!finished.find() || !requests.find() || !status.find() || !traffic.find())
        {
            throw new IOException("h2load printed no result: " + lastLines(output));
        }
        final long succeeded = Long.parseLong(requests.group(4));
        final long bad = Long.parseLong(status.group(3)) + Long.parseLong(status.group(4));
        final long failed = Long.parseLong(requests.group(5));
        final long errored = Long.parseLong(requests.group(6));
        final long timeout = Long.parseLong(requests.group(7));
        final double rate = Double.parseDouble(finished.group(3));
        final double seconds = Double.parseDouble(finished.group(1)) / switch (finished.group(2))
        {
            case "ms" -> 1e3;
            case "us" -> 1e6;
            default -> 1.0;
        };
        // h2load's rate is the succeeded requests over its measurement's own length (in a timed run, the main
        // duration without the start and the stop), so the duration given back is that length
        final long durationUs = rate > 0 && succeeded > 0 ? Math.round(succeeded * 1e6 / rate) :
            Math.round(seconds * 1e6);
        return new WrkResult(succeeded, Math.max(1, durationUs), Long.parseLong(traffic.group(1)),
            new WrkResult.Errors(errored, Math.max(0, failed - errored - timeout), 0, bad, timeout),
            new WrkResult.Latency(0, 0, 0, 0, 0, 0, 0, 0), new long[0][]);
    }

    private static long dataBytes(final String output)
    {
        final Matcher traffic = TRAFFIC.matcher(output);
        return traffic.find() ? Long.parseLong(traffic.group(2)) : -1;
    }

    private String execute(final List<String> command, final int durationSeconds)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile(scriptsDir, "h2load-", ".out");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
            if (!process.waitFor(durationSeconds * 1000L + EXIT_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IOException("h2load did not finish: " + String.join(" ", command));
            }
            final String output = Files.readString(out, StandardCharsets.UTF_8);
            if (0 != process.exitValue())
            {
                throw new IOException("h2load exited " + process.exitValue() + ": " + String.join(" ", command) +
                    "\n" + lastLines(output));
            }
            return output;
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    private void writeScript(final Scenario scenario, final List<String> command) throws IOException
    {
        Files.writeString(scriptsDir.resolve(scenario.name() + ".sh"), "#!/usr/bin/env bash\n# Written by the " +
            "Sluice bench harness for scenario " + scenario.name() + ": " + scenario.title() + ".\n" +
            String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    }

    private static String lastLines(final String output)
    {
        final List<String> lines = output.lines().filter((l) -> !l.startsWith("progress:")).toList();
        final String last = String.join("\n", lines.subList(Math.max(0, lines.size() - LAST_LINES), lines.size()));
        return last.isBlank() ? "(nothing)" : last;
    }
}
