package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.listener.counters.ConnectionProtocol;
import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.CountersSnapshot;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.counters.QueueLoopCounters;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters file as a process outside the listener sees it: a header of the documented layout, and counters a
 * plain Agrona {@link CountersReader} reads, each with its type id, key and label; per-loop counters summed by the
 * reader.
 */
class CountersFileTest
{
    private final Path dir = Path.of("/dev/shm", "sluice-test-counters-" +
        HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
    private SharedMemoryFiles.PrivateDirectory held;
    private ListenerCounters counters;

    @AfterEach
    void removeDirectory() throws Exception
    {
        if (null != held)
        {
            held.close();
        }
        SharedMemoryFiles.deletePrivateDirectory(dir);
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), "the counters file is removed with its directory");
    }

    @Test
    void shouldLayOutHeaderAndCountersForAnOutsideReader() throws Exception
    {
        final long beforeMs = System.currentTimeMillis();
        held = SharedMemoryFiles.openPrivateDirectory(dir);
        counters = ListenerCounters.create(held, List.of("app", "api"), 2);
        final Path file = dir.resolve(OutsideCounters.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(
            Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
        final int counterCount = CounterType.counterCount(2, 2);
        final int roomCount = CounterType.counterCount(2 + ListenerCounters.SPARE_QUEUES_DEFAULT, 2);
        assertEquals(OutsideCounters.HEADER_LENGTH + roomCount * (512 + 128), Files.size(file));

        try (OutsideCounters outside = OutsideCounters.open(dir))
        {
            assertEquals(ProcessHandle.current().pid(), outside.pid());
            assertTrue(outside.startTimeMs() >= beforeMs && outside.startTimeMs() <= System.currentTimeMillis());
            final CountersReader reader = outside.reader();
            final List<String> labels = new ArrayList<>();
            reader.forEach((counterId, typeId, keyBuffer, label) -> labels.add(typeId + " " + label));
            assertEquals(counterCount, labels.size());
            assertTrue(labels.contains("23 sluice_queue_requests_total{queue=\"api\",class=\"2xx\"} loop=1"),
                labels::toString);
            assertTrue(labels.contains("2 sluice_connections_accepted_total{loop=\"0\"}"), labels::toString);
            assertTrue(labels.contains("27 sluice_queue_request_duration_seconds_bucket{queue=\"app\",le=\"0.025\"}" +
                " loop=0"), labels::toString);

            final QueueLoopCounters apiOnLoop0 = counters.queue("api").loop(0);
            final QueueLoopCounters apiOnLoop1 = counters.queue("api").loop(1);
            apiOnLoop0.answered(200);
            apiOnLoop1.answered(204);
            apiOnLoop1.answered(503);
            apiOnLoop0.duration(TimeUnit.MILLISECONDS.toNanos(20));
            apiOnLoop1.duration(TimeUnit.SECONDS.toNanos(9));
            apiOnLoop0.requestBytes(100);
            apiOnLoop1.requestBytes(23);
            counters.loop(1).connection(ConnectionProtocol.H2);
            counters.queue("app").workerStarted();

            final CountersSnapshot snapshot = outside.snapshot();
            assertEquals(2, snapshot.value(CounterType.QUEUE_REQUESTS, "api", 1));
            assertEquals(1, snapshot.value(CounterType.QUEUE_REQUESTS, "api", 4));
            assertEquals(0, snapshot.sum(CounterType.QUEUE_REQUESTS, "app"));
            assertEquals(1, snapshot.value(CounterType.QUEUE_GATEWAY_RESPONSES, "api", 1));
            assertEquals(1, snapshot.value(CounterType.REQUEST_DURATION_BUCKET, "api", 4));
            assertEquals(1, snapshot.value(CounterType.REQUEST_DURATION_BUCKET, "api", 12));
            assertEquals(2, snapshot.sum(CounterType.REQUEST_DURATION_BUCKET, "api"));
            assertEquals(TimeUnit.MILLISECONDS.toNanos(9020), snapshot.sum(CounterType.REQUEST_DURATION_SUM, "api"));
            assertEquals(123, snapshot.sum(CounterType.REQUEST_BYTES, "api"));
            assertEquals(1, snapshot.value(CounterType.CONNECTIONS_PROTOCOL, "", ConnectionProtocol.H2.ordinal()));
            assertEquals(1, snapshot.sum(CounterType.WORKER_STARTS, "app"));
            assertEquals(0, snapshot.sum(CounterType.WORKER_STARTS, "api"));
        }
    }
}
