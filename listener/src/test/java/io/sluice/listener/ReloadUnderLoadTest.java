package io.sluice.listener;

import io.sluice.listener.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reload promise under load, with real processes and sockets: a listener started as an operator starts it
 * ({@code sluice run}, in a child JVM) serves the sample handler in-process, over shared memory and over loopback
 * while keep-alive clients load all three, and its file is changed and reloaded ten times through
 * {@code sluice reload} (pid file, SIGHUP, outcome read on the admin port's {@code /config}): a limit changed, a prefix
 * added and then served, a queue added on a new port and removed, timers changed, each out-of-process queue's worker
 * environment changed (its workers recycled overlapped by their supervisor) and its worker count or length changed
 * (its host recycled overlapped), and one file with a mistake (refused, running configuration kept). Every request
 * sent is answered 2xx, none is lost and no connection fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadUnderLoadTest
{
    private static final String HANDLER = "io.sluice.dispatch.sample.SampleHandler";
    private static final String[] MODELS = { "inproc", "shm", "loopback" };
    private static final int CONNECTIONS_PER_MODEL = 3;
    private static final long LOAD_BEFORE_MS = 500;
    /**
     * Longest a step may take, reload and outcome: far below the test's timeout, so that a reload that never ends
     * fails the test with its diagnosis rather than by the timeout.
     */
    private static final long STEP_LIMIT_MS = 40_000;
    private static final int LOG_TAIL_LINES = 40;
    private static final Pattern LOG_RECORD =
        Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T|sluice:|Exception in thread|[a-z.]+\\.[A-Za-z]+(Exception|Error)");
    private static final String STARTUP_LIMITS = "startupTimeLimit: 15s\n      startupRetryCount: 1";

    @Test
    void shouldLoseNoRequestWhileTheFileIsReloadedTenTimes() throws Exception
    {
        final int adminPort = TestListener.freePort();
        final int sidePort = TestListener.freePort();
        // a recycled queue whose new workers are not ready soon is refused by the listener well within a step's limit
        final String template = workerKey(workerKey(TestListener.allModelsConfig(HANDLER)
            .replace("  eventLoops: 1\n", "  eventLoops: 1\n  adminPort: " + adminPort + "\n"),
            "shm", STARTUP_LIMITS), "loopback", STARTUP_LIMITS);
        try (ChildListener child = ChildListener.start("reload-load", template, "/inproc/", "/shm/", "/loopback/"))
        {
            final Path file = child.configFile();
            final String base = Files.readString(file, StandardCharsets.UTF_8);
            // how sluice reload finds the listener
            final Path pidFile = PidFile.of(ConfigLoader.load(file).id());
            assertEquals(child.process().pid(), PidFile.read(pidFile));
            final Load load = new Load(child.port());
            load.start();
            Thread.sleep(LOAD_BEFORE_MS);

            steps.addAll(List.of(
                // 1: a limit: a queue's length
                (yaml) -> queueKey(yaml, "inproc", "queueLength: 500"),
                // 2: a prefix added to a queue
                (yaml) -> queueKey(yaml, "inproc", "queueLength: 500")
                    .replace("\"http://+:" + child.port() + "/inproc/\"",
                        "\"http://+:" + child.port() + "/inproc/\", \"http://+:" + child.port() + "/extra/\""),
                // 3: the shared-memory queue's worker settings: recycled
                (yaml) -> workerKey(changed(yaml, 2), "shm", "processes: 2"),
                // 4: the loopback queue's worker environment: its workers recycled, its host kept
                (yaml) -> workerKey(changed(yaml, 3), "loopback", "environment: { RELOADED: \"4\" }"),
                // 5: timers, and the shared-memory queue's worker environment: its workers recycled
                (yaml) -> workerKey(changed(yaml, 4), "shm", "environment: { RELOADED: \"5\" }")
                    .replace("  eventLoops: 1\n",
                    "  eventLoops: 1\n  timeouts: { headerWait: 60s, idleConnection: 90s }\n"),
                // 6: a queue on a port not listened on yet
                (yaml) -> changed(yaml, 5) + "  - name: side\n    prefixes: [ \"http://+:" + sidePort + "/side/\" ]\n" +
                    "    hosting: in-process\n    handler: " + HANDLER + "\n",
                // 7: a mistake: refused, the running configuration kept
                (yaml) -> changed(yaml, 6).replace("processes: 2", "processes: 0"),
                // 8: the queue on its own port removed: the port closed
                (yaml) -> changed(yaml, 5),
                // 9: the shared-memory queue's workers back to one: recycled again
                (yaml) -> changed(yaml, 5).replace("processes: 2", "processes: 1"),
                // 10: the limit back, the loopback queue's length changed: recycled
                (yaml) -> changed(yaml, 9).replace("queueLength: 500", "queueLength: 1000")
                    .replace("  - name: loopback\n", "  - name: loopback\n    queueLength: 900\n")));

            final List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++)
            {
                final String yaml = steps.get(i).apply(base);
                Files.writeString(file, yaml, StandardCharsets.UTF_8);
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final ByteArrayOutputStream err = new ByteArrayOutputStream();
                final Future<Integer> command = reloads.submit(() -> ReloadCommand.run(
                    file, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
                int status;
                try
                {
                    status = command.get(STEP_LIMIT_MS, TimeUnit.MILLISECONDS);
                }
                catch (final TimeoutException ex)
                {
                    command.cancel(true);
                    status = -1;
                }
                final String outcome = (out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
                    .strip();
                outcomes.add(outcome);
                final int step = i + 1;
                final int exit = status;
                final Supplier<String> diagnosis = () -> diagnosis(child, adminPort, step, exit, outcome);
                if (6 == i)
                {
                    // refused by the command before the listener was disturbed
                    assertEquals(2, status, diagnosis);
                    assertEquals("sluice: " + file + ": queues[1].worker.processes: must be between 1 and 64 (was 0)",
                        outcome);
                    // and by the listener itself, when signalled anyway
                    assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid()))
                        .start().waitFor());
                    awaitConfig(adminPort, "# reload 7 refused, running configuration kept: " + file +
                        ": queues[1].worker.processes: must be between 1 and 64 (was 0)");
                    continue;
                }
                assertEquals(0, status, diagnosis);
                assertTrue(outcome.startsWith("sluice: reload " + (i + 1) + " applied:"), diagnosis);
                if (1 == i)
                {
                    assertEquals(200, get(child.port(), "/extra/"), "a new prefix is served");
                }
                if (5 == i)
                {
                    assertEquals(200, get(sidePort, "/side/"), "a new port is served");
                }
                if (7 == i)
                {
                    assertThrows(ConnectException.class, () -> get(sidePort, "/side/"));
                }
            }
            Thread.sleep(LOAD_BEFORE_MS);
            load.stop();

            final String config = fetch(adminPort, "/config");
            assertTrue(config.startsWith("# reload 10 applied:"), config);
            assertTrue(config.contains("queueLength: 900"), config);
            System.out.println("reload outcomes:\n  " + String.join("\n  ", outcomes));
            System.out.println(load.report());
            for (int m = 0; m < MODELS.length; m++)
            {
                assertEquals(0, load.errors[m].get(), load.report());
                assertEquals(0, load.other[m].get(), load.report());
                assertEquals(load.sent[m].get(), load.ok[m].get(), load.report());
                assertTrue(load.ok[m].get() > 0, load.report());
            }
            assertTrue(child.output().contains("reload 7 refused"), child.output());

            // a graceful stop removes the pid file
            child.process().destroy();
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.process().exitValue(), child.output());
            assertFalse(Files.exists(pidFile), pidFile.toString());
        }
    }

    private final List<UnaryOperator<String>> steps = new ArrayList<>();
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(
        (r) ->
        {
            final Thread thread = new Thread(r, "reload-command");
            thread.setDaemon(true);
            return thread;
        });

    @AfterEach
    void stopReloads()
    {
        reloads.shutdownNow();
    }

    /**
     * @return what a failed step needs to be understood: the step, the command's exit status and output, the first
     * line of the listener's {@code /config} (its last reload outcome) and the tail of the listener's log; when the
     * step did not end in time, the stack of the listener's reloading thread (from a thread dump, SIGQUIT).
     */
    private static String diagnosis(
        final ChildListener child, final int adminPort, final int step, final int status, final String outcome)
    {
        final StringBuilder text = new StringBuilder("reload step ").append(step).append(": ")
            .append(status < 0 ? "no outcome within " + STEP_LIMIT_MS + " ms" : "exit status " + status)
            .append(", command output: '").append(outcome).append("'\n");
        String firstLine;
        try
        {
            firstLine = fetch(adminPort, "/config").lines().findFirst().orElse("");
        }
        catch (final IOException | AssertionError ex)
        {
            firstLine = "(GET /config failed: " + ex + ")";
        }
        text.append("last /config comment: ").append(firstLine).append('\n');
        try
        {
            if (status < 0 && child.process().isAlive())
            {
                new ProcessBuilder("kill", "-QUIT", Long.toString(child.process().pid())).start().waitFor();
                Thread.sleep(1_000);
            }
            final List<String> lines = child.output().lines().toList();
            final int reloading = lastIndexOfStartingWith(lines, "\"sluice-reload\"");
            if (reloading >= 0)
            {
                text.append("listener's reloading thread:\n");
                for (int n = reloading; n < lines.size() && !lines.get(n).isBlank(); n++)
                {
                    text.append("  ").append(lines.get(n)).append('\n');
                }
            }
            text.append("listener log (").append(child.logDir().resolve("listener.log")).append("), last lines:\n");
            // its records and its own lines, not the configuration it printed nor a thread dump
            final List<String> logLines = lines.stream()
                .filter((line) -> LOG_RECORD.matcher(line).lookingAt())
                .toList();
            for (final String line : logLines.subList(Math.max(0, logLines.size() - LOG_TAIL_LINES), logLines.size()))
            {
                text.append("  ").append(line).append('\n');
            }
        }
        catch (final IOException ex)
        {
            text.append("(the listener's log cannot be read: ").append(ex).append(")\n");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return text.toString();
    }

    private static int lastIndexOfStartingWith(final List<String> lines, final String start)
    {
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            if (lines.get(i).startsWith(start))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the file of reload {@code step} (from 1), made from the first file: each builds on an earlier one.
     */
    private String changed(final String base, final int step)
    {
        return steps.get(step - 1).apply(base);
    }

    private static String queueKey(final String yaml, final String queue, final String keyLine)
    {
        return yaml.replace("  - name: " + queue + "\n", "  - name: " + queue + "\n    " + keyLine + "\n");
    }

    private static String workerKey(final String yaml, final String queue, final String keyLine)
    {
        final int start = yaml.indexOf("  - name: " + queue + "\n");
        final int worker = yaml.indexOf("    worker:\n", start);
        return yaml.substring(0, worker) + "    worker:\n      " + keyLine + "\n" +
            yaml.substring(worker + "    worker:\n".length());
    }

    private static int get(final int port, final String path) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            return client.send(RawHttpClient.get(path, port)).status();
        }
    }

    private static String fetch(final int port, final String path) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(port))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get(path, port));
            assertEquals(200, response.status(), response::toString);
            return response.bodyText();
        }
    }

    private static void awaitConfig(final int adminPort, final String firstLine) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String config = "";
        while (System.nanoTime() - deadlineNs < 0)
        {
            config = fetch(adminPort, "/config");
            if (config.startsWith(firstLine))
            {
                return;
            }
            Thread.sleep(50);
        }
        assertEquals(firstLine, config.lines().findFirst().orElse(""));
    }

    /**
     * Keep-alive clients, {@link #CONNECTIONS_PER_MODEL} per hosting model, each sending GETs one after another and
     * counting what it sent and what came back.
     */
    private static final class Load
    {
        final AtomicLong[] sent = counters();
        final AtomicLong[] ok = counters();
        final AtomicLong[] other = counters();
        final AtomicLong[] errors = counters();
        final AtomicLong[] connections = counters();
        private final int port;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(final int port)
        {
            this.port = port;
        }

        void start()
        {
            for (int m = 0; m < MODELS.length; m++)
            {
                for (int c = 0; c < CONNECTIONS_PER_MODEL; c++)
                {
                    final int model = m;
                    final Thread thread = new Thread(() -> run(model), "load-" + MODELS[m] + "-" + c);
                    thread.setDaemon(true);
                    threads.add(thread);
                    thread.start();
                }
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            for (final Thread thread : threads)
            {
                thread.join(30_000);
            }
        }

        String report()
        {
            final StringBuilder text = new StringBuilder("model     connections  sent      2xx       other  errors\n");
            for (int m = 0; m < MODELS.length; m++)
            {
                text.append(String.format("%-9s %-12d %-9d %-9d %-6d %d%n", MODELS[m], connections[m].get(),
                    sent[m].get(), ok[m].get(), other[m].get(), errors[m].get()));
            }
            return text.toString();
        }

        private void run(final int model)
        {
            final byte[] request = RawHttpClient.get("/" + MODELS[model] + "/", port);
            while (running.get())
            {
                try (RawHttpClient client = new RawHttpClient(port))
                {
                    connections[model].incrementAndGet();
                    while (running.get())
                    {
                        sent[model].incrementAndGet();
                        final int status = client.send(request).status();
                        (status >= 200 && status < 300 ? ok[model] : other[model]).incrementAndGet();
                    }
                }
                catch (final IOException ex)
                {
                    errors[model].incrementAndGet();
                }
            }
        }

        private static AtomicLong[] counters()
        {
            final AtomicLong[] counters = new AtomicLong[MODELS.length];
            for (int i = 0; i < counters.length; i++)
            {
                counters[i] = new AtomicLong();
            }
            return counters;
        }
    }
}
