package io.sluice.listener;

import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.process.WorkerCommand;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * One real {@link Listener} for an end-to-end test, on a free loopback port, with its own listener id, shared-memory
 * directory and worker log directory, so test classes never share state.
 * <p>
 * The configuration is a YAML template; these tokens are replaced before it is parsed:
 * <ul>
 *     <li>{@code ${PORT}}: the port probed free;</li>
 *     <li>{@code ${ID}}: a unique listener id;</li>
 *     <li>{@code ${SHM_DIR}}: {@code /dev/shm/sluice-test-<random>};</li>
 *     <li>{@code ${LOG_DIR}}: {@code target/sluice-test-logs/<id>}, where workers' stdout goes.</li>
 * </ul>
 * {@link TestConfig} builds such templates. Worker logs are deleted on {@link #close()} unless a test failed while the
 * listener was open and the test class registers {@link KeepLogsOnFailure} (or {@link ListenerExtension}, which starts
 * and closes the listeners of a test class): then they are kept as the failure's artifacts and their place is printed.
 */
final class TestListener implements AutoCloseable
{
    private static final int BIND_ATTEMPTS = 5;
    private static final Path LOG_ROOT = Path.of("target", "sluice-test-logs").toAbsolutePath();
    private static final Set<TestListener> OPEN = ConcurrentHashMap.newKeySet();

    private final Listener listener;
    private final int port;
    private final Path shmDir;
    private final Path logDir;
    private final String id;
    private volatile boolean keepLogs;

    private TestListener(
        final Listener listener, final int port, final Path shmDir, final Path logDir, final String id)
    {
        this.id = id;
        this.listener = listener;
        this.port = port;
        this.shmDir = shmDir;
        this.logDir = logDir;
    }

    /**
     * The listener section and one queue per hosting model, all serving {@code handlerClassName}: {@code inproc}
     * (in-process), {@code shm} (shared memory) and {@code loopback}, each under the prefix of its name and each
     * worker logging to {@code <name>.log}; the template of a scenario run against all three models. More queues may
     * be appended.
     *
     * @param handlerClassName the handler's class name.
     * @return the configuration template.
     */
    static String allModelsConfig(final String handlerClassName)
    {
        return TestConfig.listener()
            .listener("bind", "127.0.0.1")
            .queue(TestConfig.inProcess("inproc", handlerClassName))
            .queue(TestConfig.sharedMemory("shm", handlerClassName))
            .queue(TestConfig.loopback("loopback", handlerClassName))
            .yaml();
    }

    /**
     * The value of a queue's worker {@code command} key (a YAML flow sequence) that runs {@code mainClass} on this
     * JVM and class path with the flags the supervisor gives its own workers: for a worker written from the protocol
     * document rather than on the SDK.
     *
     * @param mainClass the worker's main class.
     * @return the command as YAML.
     */
    static String workerCommand(final Class<?> mainClass)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(WorkerCommand.workerJvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        return "[ \"" + String.join("\", \"", command) + "\" ]";
    }

    /**
     * Start a listener from a template, retrying on a new port if another process took the probed one.
     *
     * @param idPrefix     start of the listener id, e.g. the test's short name.
     * @param yamlTemplate the configuration with tokens.
     * @return the started listener.
     */
    static TestListener start(final String idPrefix, final String yamlTemplate)
    {
        return start(idPrefix, yamlTemplate, SystemNanoClock.INSTANCE);
    }

    /**
     * Start a listener from a template whose hosts and workers' lifetimes read the given clock.
     *
     * @param idPrefix     start of the listener id, e.g. the test's short name.
     * @param yamlTemplate the configuration with tokens.
     * @param nanoClock    the clock of the hosts' timers and the workers' lifetimes.
     * @return the started listener.
     */
    static TestListener start(final String idPrefix, final String yamlTemplate, final NanoClock nanoClock)
    {
        IllegalStateException lastFailure = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++)
        {
            final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            final String id = idPrefix + "-" + suffix;
            final Path shmDir = Path.of("/dev/shm", "sluice-test-" + suffix);
            final Path logDir = LOG_ROOT.resolve(id);
            final int port = freePort();
            final String yaml = resolve(yamlTemplate, port, id, shmDir, logDir);
            final ListenerConfiguration config = ConfigLoader.parse(yaml, id + ".yaml");
            final Listener listener = new Listener(config, nanoClock);
            try
            {
                listener.start();
                final TestListener started = new TestListener(listener, port, shmDir, logDir, id);
                OPEN.add(started);
                return started;
            }
            catch (final IllegalStateException ex)
            {
                if (null == ex.getMessage() || !ex.getMessage().contains("cannot listen on"))
                {
                    throw ex;
                }
                lastFailure = ex;
            }
        }
        throw lastFailure;
    }

    /**
     * Read another configuration with this listener's tokens (port, id, directories): what a reload of its file reads.
     *
     * @param yamlTemplate the configuration with tokens.
     * @return the configuration.
     * @throws io.sluice.listener.config.ConfigException when it is not valid.
     */
    ListenerConfiguration configuration(final String yamlTemplate)
    {
        return ConfigLoader.parse(resolve(yamlTemplate, port, id, shmDir, logDir), id + ".yaml");
    }

    private static String resolve(
        final String yamlTemplate, final int port, final String id, final Path shmDir, final Path logDir)
    {
        return yamlTemplate
            .replace("${PORT}", Integer.toString(port))
            .replace("${ID}", id)
            .replace("${SHM_DIR}", shmDir.toString())
            .replace("${LOG_DIR}", logDir.toString());
    }

    /**
     * @return a port nothing listens on right now (it may be taken before we bind it: {@link #start} retries).
     */
    static int freePort()
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(RawHttpClient.LOOPBACK_ADDRESS)))
        {
            return probe.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot probe a free port: " + ex, ex);
        }
    }

    Listener listener()
    {
        return listener;
    }

    int port()
    {
        return port;
    }

    /**
     * @return where the workers' stdoutLog files go ({@code ${LOG_DIR}}).
     */
    Path logDir()
    {
        return logDir;
    }

    /**
     * @return the listener's shared-memory directory ({@code ${SHM_DIR}}).
     */
    Path shmDir()
    {
        return shmDir;
    }

    /**
     * @return the supervisor of an out-of-process queue; null when the host does not have one (yet).
     */
    WorkerSupervisor supervisor(final String queueName)
    {
        final Host host = listener.host(queueName);
        if (host instanceof SharedMemoryHost shm)
        {
            return shm.supervisor();
        }
        if (host instanceof LoopbackHost loopback)
        {
            return loopback.supervisor();
        }
        throw new IllegalArgumentException("queue has no workers: " + queueName + " (" + host + ")");
    }

    /**
     * Poll {@code GET <path>} on fresh connections until it answers 200 or the time runs out. Out-of-process
     * queues start their workers asynchronously; this is the readiness barrier before a test's exact assertions.
     *
     * @return the last response (200 when ready), or null when no attempt got a response at all.
     */
    RawHttpClient.Response awaitOk(final String path, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        RawHttpClient.Response last = null;
        while (true)
        {
            try (RawHttpClient client = new RawHttpClient(port))
            {
                last = client.send(RawHttpClient.get(path, port));
                if (last.status() == 200)
                {
                    return last;
                }
            }
            catch (final IOException ex)
            {
                // not serving yet: the worker may still be starting
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return last;
            }
            Thread.sleep(50);
        }
    }

    /**
     * Await each path's first {@code 200} ({@link #awaitOk}) and assert that it came: the readiness barrier of a test
     * class's set-up.
     *
     * @param timeoutMs how long to wait for each path.
     * @param paths     the paths, in order.
     * @throws InterruptedException when interrupted while waiting.
     */
    void assertReady(final long timeoutMs, final String... paths) throws InterruptedException
    {
        for (final String path : paths)
        {
            final RawHttpClient.Response ready = awaitOk(path, timeoutMs);
            assertNotNull(ready, "no response from " + path);
            assertEquals(200, ready.status(), ready::toString);
        }
    }

    /**
     * Poll a queue's length until it reaches {@code length} or ten seconds pass.
     *
     * @param queueName the queue.
     * @param length    the length awaited.
     * @return the queue's length when it reached {@code length} or the time ran out, for the caller to assert.
     * @throws InterruptedException when interrupted while waiting.
     */
    int awaitQueueLength(final String queueName, final int length) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listener.queue(queueName).length() < length && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        return listener.queue(queueName).length();
    }

    /**
     * Stop the listener (which removes its shared-memory directory), then tidy: worker logs are deleted unless a test
     * failed meanwhile, and a shared-memory directory a failed close left behind is removed, since /dev/shm is memory.
     */
    public void close()
    {
        OPEN.remove(this);
        try
        {
            listener.close();
        }
        finally
        {
            if (!keepLogs)
            {
                deleteRecursively(logDir);
            }
            deleteRecursively(shmDir);
        }
    }

    /**
     * Keep the worker logs of every listener open now, and say where they are: a test failed.
     *
     * @param testName the name of the test that failed.
     */
    static void keepLogsOfOpenListeners(final String testName)
    {
        for (final TestListener open : OPEN)
        {
            open.keepLogs = true;
            System.err.println(testName + " failed; worker logs kept in " + open.logDir);
        }
    }

    private static void deleteRecursively(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            final List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (final Path path : deepestFirst)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ignore)
        {
            // only tidying
        }
    }

    /**
     * Register on a test class ({@code @ExtendWith}) to keep the worker logs of every listener open when a test fails.
     * Runs right after the test method, before {@code @AfterEach} closes the listener.
     */
    static final class KeepLogsOnFailure implements AfterTestExecutionCallback
    {
        public void afterTestExecution(final ExtensionContext context)
        {
            if (context.getExecutionException().isPresent())
            {
                keepLogsOfOpenListeners(context.getDisplayName());
            }
        }
    }
}
