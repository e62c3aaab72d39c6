package io.sluice.listener.config;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.shm.WorkerFileDescriptor;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.StrictDecoderConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ListenerContextTest
{
    @Test
    void shouldConcludeToDefaultsWhenOnlyRequiredSettingsAreSet()
    {
        final ListenerConfiguration config = new ListenerContext().addQueue(queue("q", 8080, "in-process")).conclude();

        assertEquals(new ListenerConfiguration(
            ListenerConfiguration.ID_DEFAULT,
            ListenerConfiguration.BIND_ADDRESS_DEFAULT,
            ListenerConfiguration.EVENT_LOOPS_DEFAULT,
            ListenerConfiguration.shmDirDefault(ListenerConfiguration.ID_DEFAULT),
            ListenerConfiguration.ADMIN_PORT_DEFAULT,
            ListenerConfiguration.MAX_INITIAL_LINE_LENGTH_DEFAULT,
            ListenerConfiguration.MAX_REQUEST_BYTES_DEFAULT,
            ListenerConfiguration.MAX_PIPELINED_REQUESTS_DEFAULT,
            List.of(new QueueConfiguration(
                "q",
                List.of("http://+:8080/q/"),
                HostingMode.IN_PROCESS,
                "com.example.Handler",
                QueueConfiguration.QUEUE_LENGTH_DEFAULT,
                QueueConfiguration.RING_CAPACITY_NONE,
                null))),
            config);
    }

    @Test
    void shouldDeriveShmDirFromIdWhenShmDirIsNotSet()
    {
        final ListenerConfiguration config =
            new ListenerContext().id("edge-1").addQueue(queue("q", 8080, "in-process")).conclude();

        assertEquals(Path.of("/dev/shm/sluice-edge-1"), config.shmDir());
    }

    @Test
    void shouldGiveQueuesTheListenerBodyLimitAndTimersUnlessTheyHaveTheirOwn()
    {
        final ListenerConfiguration config = new ListenerContext()
            .maxRequestBodySize(10_000)
            .entityBodyMs(500)
            .queueWaitMs(700)
            .addQueue(queue("a", 8080, "in-process"))
            .addQueue(queue("b", 8081, "in-process").maxRequestBodySize(100).entityBodyTimeoutMs(0))
            .conclude();

        final QueueConfiguration a = config.queues().get(0);
        assertEquals(10_000, a.maxRequestBodySize());
        assertEquals(500, a.entityBodyTimeoutMs());
        assertEquals(700, a.queueWaitTimeoutMs());
        final QueueConfiguration b = config.queues().get(1);
        assertEquals(100, b.maxRequestBodySize());
        assertEquals(TimeoutsConfiguration.DISABLED, b.entityBodyTimeoutMs());
        assertEquals(700, b.queueWaitTimeoutMs());
    }

    @Test
    void shouldRejectQueueBodyLimitWhenAboveTheListeners()
    {
        assertError(
            "context: queues[0].maxRequestBodySize: must be at most listener.maxRequestBodySize (1000) (was 2000)",
            new ListenerContext()
                .maxRequestBodySize(1000)
                .addQueue(queue("a", 8080, "loopback").maxRequestBodySize(2000)));
    }

    @Test
    void shouldAcceptSeveralEventLoopsWhenAQueueIsHostedInSharedMemory()
    {
        final ListenerConfiguration config = new ListenerContext()
            .eventLoops(4)
            .addQueue(queue("a", 8080, "loopback"))
            .addQueue(queue("b", 8080, "shared-memory"))
            .conclude();

        assertEquals(4, config.eventLoops());
    }

    @Test
    void shouldRejectShmDirWhenTheLastLanesDoorbellSocketPathWouldNotFit()
    {
        // fits with one lane (doorbell.sock), not with 12 (doorbell.11.sock: 3 bytes more)
        final String dir = "/dev/shm/" + "d".repeat(107 - "/dev/shm/".length() - "/a-0/doorbell.sock".length());
        new ListenerContext().shmDir(Path.of(dir)).eventLoops(1).addQueue(queue("a", 8080, "shared-memory")).conclude();
        final String doorbell = Path.of(dir)
            .resolve(SharedMemoryFiles.workerDirectoryName("a", 1))
            .resolve(WorkerFileDescriptor.doorbellFileName(11))
            .toString();
        assertError(
            "context: listener.shmDir: is too long for queue a: its doorbell socket " + doorbell + " would be 110 " +
            "bytes, and a Unix socket path holds at most 107 (was " + ConfigValues.describe(dir) + ")",
            new ListenerContext().shmDir(Path.of(dir)).eventLoops(12).addQueue(queue("a", 8080, "shared-memory")));
    }

    @Test
    void shouldRejectShmDirWhenADoorbellSocketPathWouldNotFit()
    {
        final String dir = "/dev/shm/" + "d".repeat(90);
        final String doorbell = Path.of(dir)
            .resolve(SharedMemoryFiles.workerDirectoryName("a", 3))
            .resolve(WorkerFileDescriptor.DOORBELL_FILE_NAME)
            .toString();

        assertError(
            "context: listener.shmDir: is too long for queue a: its doorbell socket " + doorbell + " would be " +
            doorbell.length() + " bytes, and a Unix socket path holds at most 107 (was " +
            ConfigValues.describe(dir) + ")",
            new ListenerContext()
                .shmDir(Path.of(dir))
                .eventLoops(1)
                .addQueue(queue("a", 8080, "shared-memory").worker(new WorkerContext().processes(2))));
    }

    @Test
    void shouldRejectAdminPortWhenAPrefixUsesIt()
    {
        assertError(
            "context: listener.adminPort: port is already used by queues[1].prefixes[0] (was 8081)",
            new ListenerContext()
                .adminPort(8081)
                .addQueue(queue("a", 8080, "loopback"))
                .addQueue(queue("b", 8081, "loopback")));
    }

    @Test
    void shouldRejectRangesWithTheValueAsSet()
    {
        assertError(
            "context: listener.eventLoops: must be between 1 and 256 (was 0)",
            new ListenerContext().eventLoops(0).addQueue(queue("a", 8080, "loopback")));
        assertError(
            "context: listener.maxRequestBytes: must be at least 64 bytes (was 10)",
            new ListenerContext().maxRequestBytes(10).addQueue(queue("a", 8080, "loopback")));
        assertError(
            "context: listener.timeouts.minSendRateGrace: must be between 1ms and 24h (was 0)",
            new ListenerContext().minSendRateGraceMs(0).addQueue(queue("a", 8080, "loopback")));
        assertError(
            "context: queues[0].queueLength: must be between 1 and 1000000 (was 0)",
            new ListenerContext().addQueue(queue("a", 8080, "loopback").queueLength(0)));
        assertError(
            "context: queues[0].timeouts.queueWait: must be between 0ms and 24h (was -1)",
            new ListenerContext().addQueue(queue("a", 8080, "loopback").queueWaitTimeoutMs(-1)));
        assertError(
            "context: queues[0].worker.processes: must be between 1 and 64 (was 65)",
            new ListenerContext().addQueue(queue("a", 8080, "loopback").worker(new WorkerContext().processes(65))));
    }

    @Test
    void shouldRejectRingCapacityWhenNotAPowerOfTwo()
    {
        assertError(
            "context: queues[0].ringCapacity: must be a power of two between 64k and 1g (was 100000)",
            new ListenerContext().addQueue(queue("a", 8080, "shared-memory").ringCapacity(100_000)));
    }

    @Test
    void shouldRejectSharedMemorySettingsWhenHostingIsAnother()
    {
        assertError(
            "context: queues[0].responseWindow: only allowed when hosting is shared-memory (hosting is loopback)",
            new ListenerContext().addQueue(queue("a", 8080, "loopback").responseWindow(64 * 1024)));
        assertError(
            "context: queues[0].worker.heartbeatTimeout: only allowed when hosting is shared-memory " +
            "(hosting is loopback)",
            new ListenerContext().addQueue(
                queue("a", 8080, "loopback").worker(new WorkerContext().heartbeatTimeoutMs(5000))));
    }

    @Test
    void shouldRejectLoopbackSettingsWhenHostingIsAnother()
    {
        assertError(
            "context: queues[0].worker.maxConnections: only allowed when hosting is loopback " +
            "(hosting is shared-memory)",
            new ListenerContext().addQueue(
                queue("a", 8080, "shared-memory").worker(new WorkerContext().maxConnections(10))));
    }

    @Test
    void shouldRejectWorkerWhenHostingIsInProcess()
    {
        assertError(
            "context: queues[0].worker: only allowed when hosting is shared-memory or loopback (hosting is in-process)",
            new ListenerContext().addQueue(queue("a", 8080, "in-process").worker(new WorkerContext())));
    }

    @Test
    void shouldRequireHandlerUnlessTheWorkerHasACommandOfItsOwn()
    {
        final QueueContext withoutHandler = new QueueContext()
            .name("a")
            .prefixes(List.of("http://+:8080/a/"))
            .hosting(HostingMode.LOOPBACK_FORWARD);
        assertError("context: queues[0].handler: missing required key", new ListenerContext().addQueue(withoutHandler));

        withoutHandler.worker(new WorkerContext().command(List.of("/opt/app/worker")));
        final QueueConfiguration queue = new ListenerContext().addQueue(withoutHandler).conclude().queues().get(0);
        assertNull(queue.handler());
        assertEquals(List.of("/opt/app/worker"), queue.worker().command());
    }

    @Test
    void shouldRejectQueuesWhenNamesOrPrefixesRepeat()
    {
        assertError(
            "context: queues[1].name: duplicate queue name, also used by queues[0].name (was 'a')",
            new ListenerContext().addQueue(queue("a", 8080, "loopback")).addQueue(queue("a", 8081, "loopback")));
        assertError(
            "context: queues[1].prefixes[0]: prefix http://+:8080/a/ is already listed at queues[0].prefixes[0] " +
            "(was 'http://+:8080/a/')",
            new ListenerContext()
                .addQueue(queue("a", 8080, "loopback"))
                .addQueue(queue("b", 8080, "loopback").prefixes(List.of("http://+:8080/a/"))));
    }

    @Test
    void shouldRejectEnvironmentWhenItSetsAReservedVariable()
    {
        assertError(
            "context: queues[0].worker.environment.SLUICE_PORT: reserved: the listener sets the SLUICE_* variables " +
            "itself",
            new ListenerContext().addQueue(
                queue("a", 8080, "loopback").worker(new WorkerContext().environment(Map.of("SLUICE_PORT", "1")))));
    }

    @Test
    void shouldRejectListenerWhenItHasNoQueue()
    {
        assertError("context: queues: must list at least one queue (was [])", new ListenerContext());
    }

    @Test
    void shouldDeriveComponentSettingsFromTheEffectiveConfiguration()
    {
        final ListenerConfiguration config = new ListenerContext()
            .maxRequestBytes(32 * 1024)
            .maxUrlLength(2048)
            .maxSegmentCount(10)
            .headerWaitMs(1500)
            .minSendRate(0)
            .addQueue(queue("a", 8080, "loopback").maxRequestBodySize(1000).queueWaitTimeoutMs(2))
            .conclude();

        final StrictDecoderConfig decoder = config.decoderConfig();
        assertEquals(32 * 1024, decoder.maxHeaderSize());
        assertEquals(2048, decoder.maxUrlLength());
        assertEquals(ListenerConfiguration.MAX_REQUEST_BODY_SIZE_DEFAULT, decoder.maxRequestBodySize());
        final HttpConnectionConfig connection = config.connectionConfig();
        assertEquals(10, connection.maxSegmentCount());
        assertEquals(1_500_000_000L, connection.headerWaitNs());
        assertEquals(HttpConnectionConfig.DISABLED, connection.minSendRate());
        assertEquals(HttpConnectionConfig.TIMER_DEFAULT_NS, connection.idleConnectionNs());
        final QueueBinding binding = config.queues().get(0).binding(new RequestQueue("a", 1), null, "/a/");
        assertEquals(1000, binding.maxRequestBodySize());
        assertEquals(2_000_000L, binding.queueWaitTimeoutNs());
        assertEquals("/a/", binding.applicationPath());
    }

    private static QueueContext queue(final String name, final int port, final String hosting)
    {
        return new QueueContext()
            .name(name)
            .prefixes(List.of("http://+:" + port + "/" + name + "/"))
            .hosting(HostingMode.fromConfigName(hosting))
            .handler("com.example.Handler");
    }

    private static void assertError(final String expectedMessage, final ListenerContext context)
    {
        final ConfigException ex = assertThrows(ConfigException.class, context::conclude);

        assertEquals(expectedMessage, ex.getMessage());
    }
}
