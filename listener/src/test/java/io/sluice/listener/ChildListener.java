package io.sluice.listener;

import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.process.WorkerCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A listener in a child JVM, started the way an operator starts it ({@code SluiceMain run --config FILE}, with the
 * test class path), for tests that signal the listener process itself (SIGTERM, SIGKILL). Its configuration, output
 * and its workers' logs go to {@code target/sluice-test-logs/<id>/}.
 * <p>
 * The template tokens are those of {@link TestListener}: {@code ${PORT}}, {@code ${ID}}, {@code ${SHM_DIR}},
 * {@code ${LOG_DIR}}.
 */
final class ChildListener implements AutoCloseable
{
    private static final Path LOG_ROOT = Path.of("target", "sluice-test-logs").toAbsolutePath();
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final Path configFile;
    private final Path logDir;
    private final Path shmDir;
    private final int port;
    private final List<ProcessHandle> workers = new ArrayList<>();

    private ChildListener(
        final Process process, final Path configFile, final Path logDir, final Path shmDir, final int port)
    {
        this.process = process;
        this.configFile = configFile;
        this.logDir = logDir;
        this.shmDir = shmDir;
        this.port = port;
    }

    /**
     * Start a listener JVM and wait until {@code readyPath} answers 200.
     *
     * @param idPrefix     start of the listener id.
     * @param yamlTemplate the configuration with tokens.
     * @param readyPaths   paths that must answer 200 before the listener counts as started.
     * @return the started listener.
     */
    static ChildListener start(final String idPrefix, final String yamlTemplate, final String... readyPaths)
        throws IOException, InterruptedException
    {
        String lastOutput = "";
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
        {
            final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            final String id = idPrefix + "-" + suffix;
            final Path shmDir = Path.of("/dev/shm", "sluice-test-" + suffix);
            final Path logDir = LOG_ROOT.resolve(id);
            Files.createDirectories(logDir);
            final int port = TestListener.freePort();
            final Path configFile = logDir.resolve("sluice.yaml");
            Files.writeString(configFile, yamlTemplate
                .replace("${PORT}", Integer.toString(port))
                .replace("${ID}", id)
                .replace("${SHM_DIR}", shmDir.toString())
                .replace("${LOG_DIR}", logDir.toString()), StandardCharsets.UTF_8);

            final ChildListener child = new ChildListener(launch(configFile, logDir), configFile, logDir, shmDir, port);
            if (child.awaitReady(readyPaths))
            {
                return child;
            }
            lastOutput = child.output();
            child.close();
            if (!lastOutput.contains("cannot listen on"))
            {
                break;
            }
        }
        throw new IllegalStateException("the listener did not start; its output:\n" + lastOutput);
    }

    /**
     * Start another listener on the same configuration file (same port, same shared-memory directory).
     *
     * @return the new listener, not yet waited for.
     */
    ChildListener restart() throws IOException
    {
        return new ChildListener(launch(configFile, logDir), configFile, logDir, shmDir, port);
    }

    private static Process launch(final Path configFile, final Path logDir) throws IOException
    {
        final List<String> command = new ArrayList<>();
        // as bin/sluice does: a test run under nohup must not hand the listener an ignored SIGHUP
        command.add("env");
        command.add("--default-signal=HUP");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(WorkerCommand.workerJvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceMain.class.getName());
        command.add("run");
        command.add("--config");
        command.add(configFile.toString());
        return new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("listener.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    }

    Process process()
    {
        return process;
    }

    int port()
    {
        return port;
    }

    Path shmDir()
    {
        return shmDir;
    }

    Path configFile()
    {
        return configFile;
    }

    Path logDir()
    {
        return logDir;
    }

    /**
     * @return the listener's worker processes now (its children); remembered, so {@link #close()} can end them even
     * after the listener is gone.
     */
    List<ProcessHandle> workers()
    {
        final List<ProcessHandle> children = process.children().toList();
        for (final ProcessHandle child : children)
        {
            if (!workers.contains(child))
            {
                workers.add(child);
            }
        }
        return children;
    }

    String output() throws IOException
    {
        final Path log = logDir.resolve("listener.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    boolean awaitReady(final String... paths) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final String path : paths)
        {
            while (true)
            {
                if (!process.isAlive())
                {
                    return false;
                }
                try (RawHttpClient client = new RawHttpClient(port))
                {
                    if (client.send(RawHttpClient.get(path, port)).status() == 200)
                    {
                        break;
                    }
                }
                catch (final IOException ex)
                {
                    // not serving yet
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    return false;
                }
                Thread.sleep(50);
            }
        }
        return true;
    }

    /**
     * Kill the listener if it still runs, end any worker it left, and remove the shared-memory directory.
     */
    public void close()
    {
        workers();
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final ProcessHandle worker : workers)
        {
            worker.destroyForcibly();
        }
        try
        {
            // killed, it could not remove its pid file
            PidFile.removeOf(ConfigLoader.load(configFile).id(), process.pid());
        }
        catch (final RuntimeException ignore)
        {
            // only tidying
        }
        try
        {
            io.sluice.dispatch.shm.SharedMemoryFiles.deletePrivateDirectory(shmDir);
        }
        catch (final IOException ignore)
        {
            // only tidying
        }
    }
}
