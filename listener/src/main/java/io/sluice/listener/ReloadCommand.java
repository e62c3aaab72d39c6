package io.sluice.listener;

import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.WorkerConfiguration;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sluice reload [--config FILE] [--pid PID]}: ask the running listener to re-read its file. The file is checked
 * first, as {@code sluice check} does: a mistake is printed (one line naming the key) and the listener is not
 * disturbed (exit 2). The listener is found by the pid file of the file's {@code listener.id} ({@link PidFile}), or
 * named with {@code --pid}, and sent SIGHUP. When the file has an admin port, the command then waits for the
 * listener's outcome on {@code GET /config} (its first line) and prints it: exit 0 when applied, 1 when the listener
 * kept its running configuration; without one it exits 0 once the signal is sent (the listener's log tells the
 * outcome).
 */
final class ReloadCommand
{
    private static final Pattern OUTCOME = Pattern.compile("^# (reload ([0-9]+) (applied|refused).*)$",
        Pattern.MULTILINE);
    private static final long POLL_MS = 100;
    private static final int BEFORE_ATTEMPTS = 3;
    private static final long OUTCOME_SLACK_MS = 30_000;
    private static final int EXIT_REFUSED = 1;
    private static final int EXIT_CONFIG = 2;
    private static final int FETCH_TIMEOUT_MS = 5_000;
    private static final String CONFIG_PATH = "/config";

    private ReloadCommand()
    {
    }

    /**
     * @param configFile the deployment file.
     * @param pid        the listener's process id, or null to read its pid file.
     * @param out        where the outcome goes.
     * @param err        where failures go.
     * @return the exit status.
     */
    static int run(final Path configFile, final Long pid, final PrintStream out, final PrintStream err)
    {
        final ListenerConfiguration config;
        try
        {
            config = ConfigCheck.check(configFile);
        }
        catch (final ConfigException ex)
        {
            err.println("sluice: " + ex.getMessage());
            return EXIT_CONFIG;
        }
        catch (final StartupException ex)
        {
            err.println("sluice: " + configFile + ": " + ex.getMessage());
            return EXIT_CONFIG;
        }
        final long listenerPid;
        try
        {
            listenerPid = null != pid ? pid : PidFile.read(PidFile.of(config.id()));
        }
        catch (final IOException ex)
        {
            err.println("sluice: no running listener found for listener.id " + config.id() + ": " +
                ex.getMessage() + " (is it running? --pid PID names it)");
            return EXIT_REFUSED;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(listenerPid);
        if (process.isEmpty() || !process.get().isAlive() || !isListener(process.get()))
        {
            err.println("sluice: process " + listenerPid + " is not a running Sluice listener");
            return EXIT_REFUSED;
        }

        final String adminHost = adminHost(config.admin().bindAddress());
        final int adminPort = config.adminPort();
        final long before = adminPort > 0 ? generationBefore(adminHost, adminPort) : -1;
        if (adminPort > 0 && before < 0)
        {
            err.println("sluice: the listener's admin endpoint http://" + adminHost + ":" + adminPort + CONFIG_PATH +
                " does not answer; SIGHUP not sent");
            return EXIT_REFUSED;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-s", "HUP", Long.toString(listenerPid))
                .redirectErrorStream(true).start();
            final String output = new String(kill.getInputStream().readAllBytes()).strip();
            if (0 != kill.waitFor())
            {
                err.println("sluice: cannot signal process " + listenerPid + ": " + output);
                return EXIT_REFUSED;
            }
        }
        catch (final IOException ex)
        {
            err.println("sluice: cannot signal process " + listenerPid + ": " + ex.getMessage());
            return EXIT_REFUSED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return EXIT_REFUSED;
        }
        if (before < 0)
        {
            out.println("sluice: sent SIGHUP to listener pid " + listenerPid + "; its log tells the outcome");
            return 0;
        }

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(outcomeWaitMs(config));
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String document = fetch(adminHost, adminPort);
            final Matcher matcher = null == document ? null : OUTCOME.matcher(document);
            if (null != matcher && matcher.find() && Long.parseLong(matcher.group(2)) > before)
            {
                out.println("sluice: " + matcher.group(1));
                return "applied".equals(matcher.group(3)) ? 0 : EXIT_REFUSED;
            }
            try
            {
                Thread.sleep(POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                err.println("sluice: interrupted while waiting for the outcome of the reload on http://" + adminHost +
                    ":" + adminPort + CONFIG_PATH + "; last seen: " + firstLine(document));
                return EXIT_REFUSED;
            }
        }
        err.println("sluice: sent SIGHUP to listener pid " + listenerPid + " but saw no outcome on http://" +
            adminHost + ":" + adminPort + CONFIG_PATH + " within " + outcomeWaitMs(config) + " ms; last seen: " +
            firstLine(fetch(adminHost, adminPort)));
        return EXIT_REFUSED;
    }

    /**
     * @return the longest a reload may take: the slowest new workers' start-up limits, and some slack.
     */
    private static long outcomeWaitMs(final ListenerConfiguration config)
    {
        long longestMs = 0;
        for (final QueueConfiguration queue : config.queues())
        {
            final WorkerConfiguration worker = queue.worker();
            if (null != worker)
            {
                longestMs = Math.max(longestMs, worker.startupTimeLimitMs() * (worker.startupRetryCount() + 1L));
            }
        }
        return longestMs + OUTCOME_SLACK_MS;
    }

    private static boolean isListener(final ProcessHandle process)
    {
        final String commandLine = process.info().commandLine().orElse("");
        return commandLine.isEmpty() || commandLine.contains("sluice") ||
            commandLine.contains(SluiceMain.class.getName());
    }

    private static String adminHost(final String bindAddress)
    {
        if ("0.0.0.0".equals(bindAddress) || "*".equals(bindAddress))
        {
            return "127.0.0.1";
        }
        if ("::".equals(bindAddress) || "[::]".equals(bindAddress))
        {
            return "::1";
        }
        return bindAddress.startsWith("[") && bindAddress.endsWith("]") ?
            bindAddress.substring(1, bindAddress.length() - 1) : bindAddress;
    }

    /**
     * @return the generation of the listener's last reload, read before signalling it (a busy listener may fail to
     * answer once); -1 when it does not answer.
     */
    private static long generationBefore(final String host, final int port)
    {
        for (int attempt = 0; attempt < BEFORE_ATTEMPTS; attempt++)
        {
            final long generation = generation(fetch(host, port));
            if (generation >= 0)
            {
                return generation;
            }
            try
            {
                Thread.sleep(POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    private static String firstLine(final String document)
    {
        return null == document ? "(no answer)" : document.lines().findFirst().orElse("");
    }

    private static long generation(final String document)
    {
        final Matcher matcher = null == document ? null : OUTCOME.matcher(document);
        return null != matcher && matcher.find() ? Long.parseLong(matcher.group(2)) : -1;
    }

    /**
     * {@code GET} on a connection of its own, closed after the answer, so that polling holds no admin connection.
     *
     * @return the body of a 200 answer; null for any other answer or failure.
     */
    private static String fetch(final String host, final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), FETCH_TIMEOUT_MS);
            socket.setSoTimeout(FETCH_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + CONFIG_PATH + " HTTP/1.1\r\nhost: " + host + ":" + port +
                "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final int bodyStart = answer.indexOf("\r\n\r\n");
            return answer.startsWith("HTTP/1.1 200 ") && bodyStart > 0 ? answer.substring(bodyStart + 4) : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
