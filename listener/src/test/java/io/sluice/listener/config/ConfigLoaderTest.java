package io.sluice.listener.config;

import io.sluice.listener.process.WorkerCommand;
import io.sluice.listener.queue.HostingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest
{
    private static final Path NATIVE_CONFIG = Path.of("..", "native-config");
    private static final String SOURCE = "sluice.yaml";
    private static final String SAMPLE_HANDLER = "io.sluice.dispatch.sample.SampleHandler";
    private static final List<String> JVM_OPTIONS_VARIABLES =
        List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    private static final Pattern COLLECTOR_FLAG = Pattern.compile("-XX:\\+Use\\w+GC");

    @Test
    void shouldDescribeThreeHostingModelsWhenLoadingDefaultConfiguration()
    {
        final ListenerConfiguration config = ConfigLoader.load(NATIVE_CONFIG.resolve("sluice.yaml"));

        assertEquals("default", config.id());
        assertEquals("127.0.0.1", config.bindAddress());
        assertEquals(1, config.eventLoops());
        assertEquals(Path.of("/dev/shm/sluice-default"), config.shmDir());
        assertEquals(8081, config.adminPort());
        assertEquals(8192, config.maxInitialLineLength());
        assertEquals(16384, config.maxRequestBytes());
        assertEquals(32, config.maxPipelinedRequests());

        final List<QueueConfiguration> queues = config.queues();
        assertEquals(List.of("inproc", "shm", "loopback"), names(queues));

        final QueueConfiguration inproc = queues.get(0);
        assertEquals(List.of("http://+:8080/inproc/", "https://+:8443/inproc/"), inproc.prefixes());
        assertEquals(HostingMode.IN_PROCESS, inproc.hosting());
        assertEquals(SAMPLE_HANDLER, inproc.handler());
        assertEquals(1000, inproc.queueLength());
        assertEquals(QueueConfiguration.RING_CAPACITY_NONE, inproc.ringCapacity());
        assertNull(inproc.worker());

        final QueueConfiguration shm = queues.get(1);
        assertEquals(List.of("http://+:8080/shm/", "https://+:8443/shm/"), shm.prefixes());
        assertEquals(HostingMode.SHARED_MEMORY, shm.hosting());
        assertEquals(SAMPLE_HANDLER, shm.handler());
        assertEquals(1024 * 1024, shm.ringCapacity());
        assertEquals(256 * 1024, shm.responseWindow());
        assertEquals(defaultWorker(HostingMode.SHARED_MEMORY), shm.worker());

        final QueueConfiguration loopback = queues.get(2);
        assertEquals(List.of("http://+:8080/loopback/", "https://+:8443/loopback/"), loopback.prefixes());
        assertEquals(HostingMode.LOOPBACK_FORWARD, loopback.hosting());
        assertEquals(SAMPLE_HANDLER, loopback.handler());
        assertEquals(QueueConfiguration.RING_CAPACITY_NONE, loopback.ringCapacity());
        assertEquals(defaultWorker(HostingMode.LOOPBACK_FORWARD), loopback.worker());
    }

    @Test
    void shouldLoadEveryFileWhenListingNativeConfigAndExamples() throws IOException
    {
        final List<Path> files = new ArrayList<>(yamlFiles(NATIVE_CONFIG));
        files.addAll(yamlFiles(NATIVE_CONFIG.resolve("examples")));

        assertTrue(files.size() >= 3, files::toString);
        for (final Path file : files)
        {
            assertFalse(ConfigLoader.load(file).queues().isEmpty(), file::toString);
        }
    }

    @Test
    void shouldNotSelectAnotherCollectorWhenShippedWorkerUsesDefaultCommand() throws IOException
    {
        final List<Path> files = new ArrayList<>(yamlFiles(NATIVE_CONFIG));
        files.addAll(yamlFiles(NATIVE_CONFIG.resolve("examples")));
        final List<String> defaultFlags = WorkerCommand.workerJvmFlags();

        for (final Path file : files)
        {
            for (final QueueConfiguration queue : ConfigLoader.load(file).queues())
            {
                if (null == queue.worker() || !queue.worker().command().isEmpty())
                {
                    continue;
                }
                for (final String name : JVM_OPTIONS_VARIABLES)
                {
                    final String options = queue.worker().environment().getOrDefault(name, "");
                    final Matcher collector = COLLECTOR_FLAG.matcher(options);
                    while (collector.find())
                    {
                        // the JVM refuses to start with two collectors selected: the worker would never be ready
                        assertTrue(
                            defaultFlags.contains(collector.group()),
                            () -> file + ": queue " + queue.name() + ": " + name + " selects " + collector.group());
                    }
                }
            }
        }
    }

    @Test
    void shouldScaleOutWorkersWhenLoadingMultiWorkerExample()
    {
        final Path file = NATIVE_CONFIG.resolve("examples").resolve("multi-worker.yaml");
        final ListenerConfiguration config = ConfigLoader.load(file);
        final Path directory = file.toAbsolutePath().getParent().normalize();

        final QueueConfiguration api = config.queues().get(0);
        assertEquals(4 * 1024 * 1024, api.ringCapacity());
        assertEquals(4, api.worker().processes());
        assertEquals(directory.resolve("logs/api-workers.log"), api.worker().stdoutLog());

        final QueueConfiguration reports = config.queues().get(1);
        assertEquals(List.of("/opt/shop/bin/report-worker", "--threads", "8"), reports.worker().command());
        assertEquals(300_000, reports.worker().startupTimeLimitMs());
        assertEquals(60_000, reports.worker().shutdownTimeLimitMs());
    }

    @Test
    void shouldApplyDefaultsWhenKeysAreOmitted()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "queues:\n" +
            "  - name: q\n" +
            "    prefixes: [ \"http://+:8080/q/\" ]\n" +
            "    hosting: shared-memory\n" +
            "    handler: com.example.Handler\n",
            SOURCE);

        assertEquals(ListenerConfiguration.ID_DEFAULT, config.id());
        assertEquals(ListenerConfiguration.BIND_ADDRESS_DEFAULT, config.bindAddress());
        assertEquals(ListenerConfiguration.EVENT_LOOPS_DEFAULT, config.eventLoops());
        assertEquals(Math.min(Runtime.getRuntime().availableProcessors(), 256), config.eventLoops(),
            "one event loop per available processor");
        assertEquals(ListenerConfiguration.shmDirDefault("default"), config.shmDir());
        assertEquals(ListenerConfiguration.ADMIN_PORT_DEFAULT, config.adminPort());
        assertEquals(ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT, config.maxInitialLineLength());
        assertEquals(ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT, config.maxRequestBytes());
        assertEquals(ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT, config.maxPipelinedRequests());

        final QueueConfiguration queue = config.queues().get(0);
        assertEquals(QueueConfiguration.QUEUE_LENGTH_DEFAULT, queue.queueLength());
        assertEquals(QueueConfiguration.RING_CAPACITY_DEFAULT, queue.ringCapacity());
        assertEquals(defaultWorker(HostingMode.SHARED_MEMORY), queue.worker());
    }

    @Test
    void shouldDeriveShmDirFromIdWhenShmDirIsOmitted()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "listener:\n  id: edge-1\n" + queue("in-process", ""), SOURCE);

        assertEquals(Path.of("/dev/shm/sluice-edge-1"), config.shmDir());
    }

    @Test
    void shouldTakeDefaultWhenValueIsNull()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "listener:\n  eventLoops:\n  shmDir: null\n" + queue("loopback", "worker:\n  stdoutLog: null\n"),
            SOURCE);

        assertEquals(ListenerConfiguration.EVENT_LOOPS_DEFAULT, config.eventLoops());
        assertEquals(ListenerConfiguration.shmDirDefault("default"), config.shmDir());
        assertNull(config.queues().get(0).worker().stdoutLog());
    }

    @Test
    void shouldReadEveryWorkerKeyWhenAllAreGiven(@TempDir final Path directory) throws IOException
    {
        final Path file = directory.resolve("sluice.yaml");
        Files.writeString(
            file,
            queue(
                "loopback",
                "worker:\n" +
                "  command: [ /opt/app/bin/worker, --port, \"0\" ]\n" +
                "  environment: { APP_MODE: production, JAVA_HOME: /opt/java }\n" +
                "  processes: 3\n" +
                "  startupTimeLimit: 90s\n" +
                "  startupRetryCount: 0\n" +
                "  rapidFailsPerMinute: 5\n" +
                "  shutdownTimeLimit: 0\n" +
                "  stdoutLog: logs/worker.log\n"),
            StandardCharsets.UTF_8);

        final WorkerConfiguration worker = ConfigLoader.load(file).queues().get(0).worker();

        assertEquals(List.of("/opt/app/bin/worker", "--port", "0"), worker.command());
        assertEquals(Map.of("APP_MODE", "production", "JAVA_HOME", "/opt/java"), worker.environment());
        assertEquals(3, worker.processes());
        assertEquals(90_000, worker.startupTimeLimitMs());
        assertEquals(0, worker.startupRetryCount());
        assertEquals(5, worker.rapidFailsPerMinute());
        assertEquals(0, worker.shutdownTimeLimitMs());
        assertEquals(directory.toAbsolutePath().resolve("logs").resolve("worker.log"), worker.stdoutLog());
    }

    @Test
    void shouldReadRequestAndHeartbeatTimeoutsWhenGiven()
    {
        final WorkerConfiguration worker = ConfigLoader.parse(
            queue("shared-memory", "worker:\n  requestTimeout: 30s\n  heartbeatTimeout: 2500ms\n"), SOURCE)
            .queues().get(0).worker();

        assertEquals(30_000, worker.requestTimeoutMs());
        assertEquals(2_500, worker.heartbeatTimeoutMs());
    }

    @Test
    void shouldTurnHeartbeatChecksOffWhenHeartbeatTimeoutIsZero()
    {
        final WorkerConfiguration worker = ConfigLoader.parse(
            queue("shared-memory", "worker:\n  heartbeatTimeout: 0\n"), SOURCE).queues().get(0).worker();

        assertEquals(WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED, worker.heartbeatTimeoutMs());
    }

    @Test
    void shouldRejectOutOfRangeRequestAndHeartbeatTimeouts()
    {
        assertError(
            "sluice.yaml: queues[0].worker.requestTimeout: must be between 1ms and 24h (was 0)",
            queue("loopback", "worker:\n  requestTimeout: 0\n"));
        assertError(
            "sluice.yaml: queues[0].worker.heartbeatTimeout: must be 0 (off) or between 100ms and 24h (was '50ms')",
            queue("shared-memory", "worker:\n  heartbeatTimeout: 50ms\n"));
        assertError(
            "sluice.yaml: queues[0].worker.heartbeatTimeout: only allowed when hosting is shared-memory " +
            "(hosting is loopback)",
            queue("loopback", "worker:\n  heartbeatTimeout: 5s\n"));
    }

    @Test
    void shouldKeepAbsolutePathWhenStdoutLogIsAbsolute()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            queue("loopback", "worker:\n  stdoutLog: /var/log/sluice/../sluice/q.log\n"), SOURCE, Path.of("/etc"));

        assertEquals(Path.of("/var/log/sluice/q.log"), config.queues().get(0).worker().stdoutLog());
    }

    @Test
    void shouldParseDurationsWhenWrittenWithUnitsOrAsMilliseconds()
    {
        assertEquals(500, startupTimeLimitMs("500ms"));
        assertEquals(30_000, startupTimeLimitMs("30s"));
        assertEquals(120_000, startupTimeLimitMs("2m"));
        assertEquals(3_600_000, startupTimeLimitMs("1h"));
        assertEquals(250, startupTimeLimitMs("250"));
        assertEquals(1500, startupTimeLimitMs("\"1500\""));
        assertEquals(86_400_000, startupTimeLimitMs("24h"));
    }

    @Test
    void shouldParseSizesWhenWrittenWithSuffixesOrAsBytes()
    {
        assertEquals(100, maxHeaderSize("100"));
        assertEquals(64 * 1024, maxHeaderSize("64k"));
        assertEquals(64 * 1024, maxHeaderSize("64K"));
        assertEquals(1024 * 1024, maxHeaderSize("1m"));
        assertEquals(1024 * 1024 * 1024, maxHeaderSize("1g"));
        assertEquals(Integer.MAX_VALUE, maxHeaderSize("2147483647"));
        assertEquals(8192, maxHeaderSize("\"8192\""));
    }

    @Test
    void shouldAcceptRingCapacityWhenPowerOfTwoInRange()
    {
        assertEquals(64 * 1024, ringCapacity("64k"));
        assertEquals(1 << 30, ringCapacity("1g"));
        assertEquals(1 << 17, ringCapacity("131072"));
    }

    @Test
    void shouldRejectHostingWhenNotAModeName()
    {
        assertError(
            "sluice.yaml: queues[1].hosting: must be one of in-process, shared-memory, loopback (was 'shm')",
            "queues:\n" +
            "  - name: a\n" +
            "    prefixes: [ \"http://+:8080/a/\" ]\n" +
            "    hosting: in-process\n" +
            "    handler: com.example.Handler\n" +
            "  - name: b\n" +
            "    prefixes: [ \"http://+:8080/b/\" ]\n" +
            "    hosting: shm\n" +
            "    handler: com.example.Handler\n");
    }

    @Test
    void shouldRejectProcessesWhenOutOfRange()
    {
        assertError(
            "sluice.yaml: queues[0].worker.processes: must be between 1 and 64 (was 0)",
            queue("shared-memory", "worker:\n  processes: 0\n"));
        assertError(
            "sluice.yaml: queues[0].worker.processes: must be between 1 and 64 (was 65)",
            queue("shared-memory", "worker:\n  processes: 65\n"));
        assertError(
            "sluice.yaml: queues[0].worker.processes: must be between 1 and 64 (was 99999999999999999999)",
            queue("shared-memory", "worker:\n  processes: 99999999999999999999\n"));
    }

    @Test
    void shouldRejectKeyWhenUnknownInListener()
    {
        assertError(
            "sluice.yaml: listener.evntLoops: unknown key", "listener:\n  evntLoops: 2\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectKeyWhenUnknownAtTopLevel()
    {
        assertError("sluice.yaml: queue: unknown key", "queue: []\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectKeyWhenUnknownInQueue()
    {
        assertError("sluice.yaml: queues[0].prefix: unknown key", queue("loopback", "prefix: x\n"));
    }

    @Test
    void shouldRejectKeyWhenUnknownInWorker()
    {
        assertError(
            "sluice.yaml: queues[0].worker.process: unknown key", queue("loopback", "worker:\n  process: 2\n"));
    }

    @Test
    void shouldRejectFileWhenQueuesAreMissing()
    {
        assertError("sluice.yaml: queues: missing required key", "listener:\n  id: x\n");
    }

    @Test
    void shouldRejectFileWhenQueuesAreEmpty()
    {
        assertError("sluice.yaml: queues: must list at least one queue (was [])", "queues: []\n");
    }

    @Test
    void shouldRejectQueueWhenHandlerIsMissing()
    {
        assertError(
            "sluice.yaml: queues[0].handler: missing required key",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: in-process\n");
    }

    @Test
    void shouldRejectOutOfProcessQueueWhenHandlerIsMissingAndWorkerRunsTheDefaultCommand()
    {
        assertError(
            "sluice.yaml: queues[0].handler: missing required key",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: shared-memory\n" +
            "    worker: { processes: 2 }\n");
    }

    @Test
    void shouldAcceptQueueWithoutHandlerWhenItsWorkerHasACommandOfItsOwn()
    {
        for (final String hosting : List.of("shared-memory", "loopback"))
        {
            final QueueConfiguration queue = ConfigLoader.parse(
                "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: " + hosting + "\n" +
                "    worker: { command: [ /opt/app/bin/worker ] }\n",
                SOURCE).queues().get(0);

            assertNull(queue.handler(), hosting);
            assertEquals(List.of("/opt/app/bin/worker"), queue.worker().command(), hosting);
        }
    }

    @Test
    void shouldStillCheckHandlerNameWhenWorkerHasACommandOfItsOwn()
    {
        assertError(
            "sluice.yaml: queues[0].handler: must be a Java class name such as " +
            "io.sluice.dispatch.sample.SampleHandler (was 'not a class')",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: loopback\n" +
            "    handler: not a class\n    worker: { command: [ /opt/app/bin/worker ] }\n");
    }

    @Test
    void shouldRejectQueueWhenPrefixesAreMissing()
    {
        assertError(
            "sluice.yaml: queues[0].prefixes: missing required key",
            "queues:\n  - name: a\n    hosting: in-process\n    handler: com.example.Handler\n");
    }

    @Test
    void shouldRejectQueueWhenNameIsMissing()
    {
        assertError(
            "sluice.yaml: queues[0].name: missing required key",
            "queues:\n  - prefixes: [ \"http://+:8080/a/\" ]\n    hosting: in-process\n    handler: a.B\n");
    }

    @Test
    void shouldRejectQueueWhenHostingIsMissing()
    {
        assertError(
            "sluice.yaml: queues[0].hosting: missing required key",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    handler: com.example.Handler\n");
    }

    @Test
    void shouldRejectValueWhenIntegerIsText()
    {
        assertError(
            "sluice.yaml: queues[0].queueLength: must be an integer (was 'many')",
            queue("in-process", "queueLength: many\n"));
    }

    @Test
    void shouldRejectValueWhenQueueLengthIsOutOfRange()
    {
        assertError(
            "sluice.yaml: queues[0].queueLength: must be between 1 and 1000000 (was 1000001)",
            queue("in-process", "queueLength: 1_000_001\n"));
    }

    @Test
    void shouldRejectSectionWhenListenerIsNotAMapping()
    {
        assertError(
            "sluice.yaml: listener: must be a mapping (was a list)", "listener: [ a ]\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectQueueWhenNotAMapping()
    {
        assertError("sluice.yaml: queues[0]: must be a mapping (was 'inproc')", "queues: [ inproc ]\n");
    }

    @Test
    void shouldRejectDocumentWhenTopLevelIsNotAMapping()
    {
        assertError(
            "sluice.yaml: must be a mapping with keys 'listener' and 'queues' (was a list)", "- name: a\n");
    }

    @Test
    void shouldRejectDocumentWhenEmpty()
    {
        assertError("sluice.yaml: is empty; expected a mapping with a 'queues' list", "# nothing here\n");
    }

    @Test
    void shouldReportLineAndColumnWhenYamlIsMalformed()
    {
        assertError(
            "sluice.yaml:2:8: invalid YAML: mapping values are not allowed here",
            "listener:\n  id: a: b\n" + queue("loopback", ""));
    }

    @Test
    void shouldReportLineAndColumnWhenKeyIsDuplicated()
    {
        assertError(
            "sluice.yaml:3:3: invalid YAML: found duplicate key eventLoops",
            "listener:\n  eventLoops: 1\n  eventLoops: 2\n" + queue("loopback", ""));
    }

    @Test
    void shouldReportLineAndColumnWhenFileHoldsTwoDocuments()
    {
        assertError(
            "sluice.yaml:3:1: invalid YAML: expected a single document in the stream, but found another document",
            "---\nlistener: {}\n---\nqueues: []\n");
    }

    @Test
    void shouldReportLineAndColumnWhenIndentedWithTab()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> ConfigLoader.parse("listener:\n\tid: a\n", SOURCE));

        assertTrue(ex.getMessage().startsWith("sluice.yaml:2:1: invalid YAML: "), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
    }

    @Test
    void shouldRejectFileWhenMissing(@TempDir final Path directory)
    {
        final Path file = directory.resolve("missing.yaml");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + ": file not found", ex.getMessage());
    }

    @Test
    void shouldRejectFileWhenDirectory(@TempDir final Path directory)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(directory));

        assertEquals(directory + ": is a directory, not a configuration file", ex.getMessage());
    }

    @Test
    void shouldRejectFileWhenNotUtf8(@TempDir final Path directory) throws IOException
    {
        final Path file = directory.resolve("latin1.yaml");
        Files.write(file, new byte[]{ 'i', 'd', ':', ' ', (byte)0xE9, '\n' });
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + ": not UTF-8 text", ex.getMessage());
    }

    @Test
    void shouldNameFileAsGivenWhenErrorIsInLoadedFile(@TempDir final Path directory) throws IOException
    {
        final Path file = directory.resolve("bad.yaml");
        Files.writeString(file, "listener:\n  evntLoops: 2\n", StandardCharsets.UTF_8);
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + ": listener.evntLoops: unknown key", ex.getMessage());
    }

    @Test
    void shouldRejectDurationWhenUnitIsUnknown()
    {
        assertError(
            "sluice.yaml: queues[0].worker.startupTimeLimit: " +
            "must be a duration: milliseconds, or a number with unit ms, s, m or h (was '5 sec')",
            queue("loopback", "worker:\n  startupTimeLimit: 5 sec\n"));
    }

    @Test
    void shouldRejectDurationWhenOutOfRange()
    {
        assertError(
            "sluice.yaml: queues[0].worker.startupTimeLimit: must be between 1ms and 24h (was 0)",
            queue("loopback", "worker:\n  startupTimeLimit: 0\n"));
        assertError(
            "sluice.yaml: queues[0].worker.shutdownTimeLimit: must be between 0ms and 24h (was '25h')",
            queue("loopback", "worker:\n  shutdownTimeLimit: 25h\n"));
        assertError(
            "sluice.yaml: queues[0].worker.shutdownTimeLimit: must be between 0ms and 24h (was '-1s')",
            queue("loopback", "worker:\n  shutdownTimeLimit: -1s\n"));
        assertError(
            "sluice.yaml: queues[0].worker.shutdownTimeLimit: must be between 0ms and 24h " +
            "(was '99999999999999999999h')",
            queue("loopback", "worker:\n  shutdownTimeLimit: 99999999999999999999h\n"));
    }

    @Test
    void shouldRejectSizeWhenSuffixIsUnknown()
    {
        assertError(
            "sluice.yaml: listener.maxHeaderSize: must be a size in bytes: an integer, or one with suffix k, m or g " +
            "(was '16kb')",
            "listener:\n  maxHeaderSize: 16kb\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectSizeWhenLargerThanAnInt()
    {
        assertError(
            "sluice.yaml: listener.maxHeaderSize: must be at most 2147483647 bytes (was '2g')",
            "listener:\n  maxHeaderSize: 2g\n" + queue("loopback", ""));
        assertError(
            "sluice.yaml: listener.maxInitialLineLength: must be at most 2147483647 bytes (was 2147483648)",
            "listener:\n  maxInitialLineLength: 2147483648\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectSizeWhenTooSmall()
    {
        assertError(
            "sluice.yaml: listener.maxInitialLineLength: must be at least 64 bytes (was 10)",
            "listener:\n  maxInitialLineLength: 10\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectRingCapacityWhenNotAPowerOfTwo()
    {
        assertError(
            "sluice.yaml: queues[0].ringCapacity: must be a power of two between 64k and 1g (was '100k')",
            queue("shared-memory", "ringCapacity: 100k\n"));
        assertError(
            "sluice.yaml: queues[0].ringCapacity: must be a power of two between 64k and 1g (was '32k')",
            queue("shared-memory", "ringCapacity: 32k\n"));
        assertError(
            "sluice.yaml: queues[0].ringCapacity: must be a power of two between 64k and 1g (was '2g')",
            queue("shared-memory", "ringCapacity: 2g\n"));
    }

    @Test
    void shouldDefaultResponseWindowTo256kForSharedMemoryAndNoneOtherwise()
    {
        assertEquals(
            256 * 1024, ConfigLoader.parse(queue("shared-memory", ""), SOURCE).queues().get(0).responseWindow());
        assertEquals(
            QueueConfiguration.RESPONSE_WINDOW_NONE,
            ConfigLoader.parse(queue("loopback", ""), SOURCE).queues().get(0).responseWindow());
    }

    @Test
    void shouldAcceptResponseWindowInRange()
    {
        assertEquals(4096, responseWindow("4k"));
        assertEquals(1 << 20, responseWindow("1m"));
        assertEquals(1 << 30, responseWindow("1g"));
        assertEquals(100_000, responseWindow("100000"));
    }

    @Test
    void shouldRejectResponseWindowOutOfRange()
    {
        assertError(
            "sluice.yaml: queues[0].responseWindow: must be between 4k and 1g (was '1k')",
            queue("shared-memory", "responseWindow: 1k\n"));
        assertError(
            "sluice.yaml: queues[0].responseWindow: must be between 4k and 1g (was '2g')",
            queue("shared-memory", "responseWindow: 2g\n"));
    }

    @Test
    void shouldRejectResponseWindowWhenHostingIsNotSharedMemory()
    {
        assertError(
            "sluice.yaml: queues[0].responseWindow: only allowed when hosting is shared-memory (hosting is in-process)",
            queue("in-process", "responseWindow: 256k\n"));
    }

    @Test
    void shouldRejectRingCapacityWhenHostingIsNotSharedMemory()
    {
        assertError(
            "sluice.yaml: queues[0].ringCapacity: only allowed when hosting is shared-memory (hosting is loopback)",
            queue("loopback", "ringCapacity: 1m\n"));
    }

    @Test
    void shouldRejectWorkerWhenHostingIsInProcess()
    {
        assertError(
            "sluice.yaml: queues[0].worker: only allowed when hosting is shared-memory or loopback " +
            "(hosting is in-process)",
            queue("in-process", "worker:\n  processes: 2\n"));
    }

    @Test
    void shouldRejectNameWhenItHasInvalidCharacters()
    {
        assertError(
            "sluice.yaml: listener.id: must be 1 to 32 characters of A-Z a-z 0-9 _ - (was 'my listener')",
            "listener:\n  id: my listener\n" + queue("loopback", ""));
        assertError(
            "sluice.yaml: queues[0].name: must be 1 to 32 characters of A-Z a-z 0-9 _ - " +
            "(was 'abcdefghijklmnopqrstuvwxyz0123456')",
            "queues:\n  - name: abcdefghijklmnopqrstuvwxyz0123456\n");
    }

    @Test
    void shouldRejectQueueNameWhenUsedTwice()
    {
        assertError(
            "sluice.yaml: queues[1].name: duplicate queue name, also used by queues[0].name (was 'a')",
            "queues:\n" +
            "  - name: a\n" +
            "    prefixes: [ \"http://+:8080/a/\" ]\n" +
            "    hosting: in-process\n" +
            "    handler: com.example.Handler\n" +
            "  - name: a\n");
    }

    @Test
    void shouldRejectPrefixWhenListedInTwoQueuesInAnotherCase()
    {
        assertError(
            "sluice.yaml: queues[1].prefixes[1]: prefix http://+:8080/a/ is already listed at queues[0].prefixes[0] " +
            "(was 'HTTP://+:8080/A/')",
            "queues:\n" +
            "  - name: a\n" +
            "    prefixes: [ \"http://+:8080/a/\" ]\n" +
            "    hosting: in-process\n" +
            "    handler: com.example.Handler\n" +
            "  - name: b\n" +
            "    prefixes: [ \"http://+:8080/b/\", \"HTTP://+:8080/A/\" ]\n" +
            "    hosting: in-process\n" +
            "    handler: com.example.Handler\n");
    }

    @Test
    void shouldRejectPrefixWhenUrlPrefixCannotParseIt()
    {
        assertError(
            "sluice.yaml: queues[0].prefixes[0]: url prefix must end with '/' (was 'http://+:8080/shm')",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/shm\" ]\n");
    }

    @Test
    void shouldRejectPrefixesWhenEmpty()
    {
        assertError(
            "sluice.yaml: queues[0].prefixes: must list at least one URL prefix (was [])",
            "queues:\n  - name: a\n    prefixes: []\n");
    }

    @Test
    void shouldRejectPrefixesWhenNotAList()
    {
        assertError(
            "sluice.yaml: queues[0].prefixes: must be a list (was 'http://+:8080/a/')",
            "queues:\n  - name: a\n    prefixes: http://+:8080/a/\n");
    }

    @Test
    void shouldRejectHandlerWhenNotAClassName()
    {
        assertError(
            "sluice.yaml: queues[0].handler: " +
            "must be a Java class name such as io.sluice.dispatch.sample.SampleHandler " +
            "(was 'com.example..Handler')",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: in-process\n" +
            "    handler: com.example..Handler\n");
    }

    @Test
    void shouldKeepTimestampAsTextWhenValueLooksLikeADate()
    {
        assertError(
            "sluice.yaml: queues[0].handler: " +
            "must be a Java class name such as io.sluice.dispatch.sample.SampleHandler " +
            "(was '2024-01-01')",
            "queues:\n  - name: a\n    prefixes: [ \"http://+:8080/a/\" ]\n    hosting: in-process\n" +
            "    handler: 2024-01-01\n");
    }

    @Test
    void shouldRejectEnvironmentNameWhenReserved()
    {
        assertError(
            "sluice.yaml: queues[0].worker.environment.SLUICE_TOKEN: " +
            "reserved: the listener sets the SLUICE_* variables itself",
            queue("loopback", "worker:\n  environment:\n    SLUICE_TOKEN: secret\n"));
    }

    @Test
    void shouldRejectEnvironmentValueWhenNotText()
    {
        assertError(
            "sluice.yaml: queues[0].worker.environment.PORT: must be text; quote it (was 8080)",
            queue("loopback", "worker:\n  environment:\n    PORT: 8080\n"));
    }

    @Test
    void shouldRejectEnvironmentNameWhenInvalid()
    {
        assertError(
            "sluice.yaml: queues[0].worker.environment.MY-VAR: " +
            "not a valid variable name: use letters, digits and '_', not starting with a digit",
            queue("loopback", "worker:\n  environment:\n    MY-VAR: x\n"));
    }

    @Test
    void shouldRejectCommandWhenElementIsNotText()
    {
        assertError(
            "sluice.yaml: queues[0].worker.command[2]: must be text; quote it (was 8080)",
            queue("loopback", "worker:\n  command: [ /opt/app/worker, --port, 8080 ]\n"));
    }

    @Test
    void shouldRejectCommandWhenNotAList()
    {
        assertError(
            "sluice.yaml: queues[0].worker.command: must be a list (was '/opt/app/worker --fast')",
            queue("loopback", "worker:\n  command: /opt/app/worker --fast\n"));
    }

    @Test
    void shouldRejectBindWhenNotAnAddress()
    {
        assertError(
            "sluice.yaml: listener.bind: must be an IP address or a host name (was '127.0.0.1:8080')",
            "listener:\n  bind: 127.0.0.1:8080\n" + queue("loopback", ""));
    }

    @Test
    void shouldAcceptBindWhenIpv6OrHostName()
    {
        assertEquals("::1", ConfigLoader.parse("listener:\n  bind: \"::1\"\n" + queue("loopback", ""), SOURCE)
            .bindAddress());
        assertEquals("localhost", ConfigLoader.parse("listener:\n  bind: localhost\n" + queue("loopback", ""), SOURCE)
            .bindAddress());
    }

    @Test
    void shouldRejectAdminPortWhenAPrefixUsesIt()
    {
        assertError(
            "sluice.yaml: listener.adminPort: port is already used by queues[0].prefixes[0] (was 8080)",
            "listener:\n  adminPort: 8080\n" + queue("loopback", ""));
    }

    @Test
    void shouldRejectAdminPortWhenOutOfRange()
    {
        assertError(
            "sluice.yaml: listener.adminPort: must be between 0 and 65535 (was 70000)",
            "listener:\n  adminPort: 70000\n" + queue("loopback", ""));
    }

    @Test
    void shouldQuoteValueOnOneLineWhenItContainsLineBreaks()
    {
        assertError(
            "sluice.yaml: listener.id: must be 1 to 32 characters of A-Z a-z 0-9 _ - (was 'a\\nb')",
            "listener:\n  id: \"a\\nb\"\n" + queue("loopback", ""));
    }

    private static String queue(final String hosting, final String extraLines)
    {
        final String indented = ("    " + extraLines.replace("\n", "\n    ")).stripTrailing();
        return "queues:\n" +
            "  - name: q\n" +
            "    prefixes: [ \"http://+:8080/q/\" ]\n" +
            "    hosting: " + hosting + "\n" +
            "    handler: com.example.Handler\n" +
            (indented.isEmpty() ? "" : indented + "\n");
    }

    private static void assertError(final String expectedMessage, final String yaml)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));

        assertEquals(expectedMessage, ex.getMessage());
    }

    private static long startupTimeLimitMs(final String value)
    {
        return ConfigLoader.parse(queue("loopback", "worker:\n  startupTimeLimit: " + value + "\n"), SOURCE)
            .queues().get(0).worker().startupTimeLimitMs();
    }

    private static int maxHeaderSize(final String value)
    {
        return ConfigLoader.parse("listener:\n  maxHeaderSize: " + value + "\n" + queue("loopback", ""), SOURCE)
            .maxRequestBytes();
    }

    private static int responseWindow(final String value)
    {
        return ConfigLoader.parse(queue("shared-memory", "responseWindow: " + value + "\n"), SOURCE)
            .queues().get(0).responseWindow();
    }

    private static int ringCapacity(final String value)
    {
        return ConfigLoader.parse(queue("shared-memory", "ringCapacity: " + value + "\n"), SOURCE)
            .queues().get(0).ringCapacity();
    }

    private static WorkerConfiguration defaultWorker(final HostingMode hosting)
    {
        return new WorkerConfiguration(
            List.of(),
            Map.of(),
            WorkerConfiguration.PROCESSES_DEFAULT,
            WorkerConfiguration.STARTUP_TIME_LIMIT_MS_DEFAULT,
            WorkerConfiguration.STARTUP_RETRY_COUNT_DEFAULT,
            WorkerConfiguration.RAPID_FAILS_PER_MINUTE_DEFAULT,
            WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT,
            WorkerConfiguration.REQUEST_TIMEOUT_MS_DEFAULT,
            hosting == HostingMode.SHARED_MEMORY ?
                WorkerConfiguration.HEARTBEAT_TIMEOUT_MS_DEFAULT : WorkerConfiguration.HEARTBEAT_TIMEOUT_DISABLED,
            null);
    }

    private static List<String> names(final List<QueueConfiguration> queues)
    {
        return queues.stream().map(QueueConfiguration::name).collect(Collectors.toList());
    }

    private static List<Path> yamlFiles(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter((file) -> file.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
    }
}
