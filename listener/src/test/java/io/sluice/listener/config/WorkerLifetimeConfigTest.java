package io.sluice.listener.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker lifetime keys of a queue: {@code worker.activation}, {@code worker.idleTimeout} and
 * {@code worker.recycle.time|requests|memory}, and its offline page ({@code offlineBody}, {@code offlineBodyFile}):
 * their defaults, values and one-line errors.
 */
class WorkerLifetimeConfigTest
{
    private static final String SOURCE = "sluice.yaml";

    @Test
    void shouldDefaultToEagerNeverIdleAndRecycledEvery29Hours()
    {
        final WorkerLifetime lifetime = lifetime("loopback", "");

        assertEquals(WorkerLifetime.DEFAULT, lifetime);
        assertEquals(WorkerLifetime.Activation.EAGER, lifetime.activation());
        assertEquals(0, lifetime.idleTimeoutMs());
        assertEquals(29L * 3_600_000, lifetime.recycleTimeMs());
        assertEquals(0, lifetime.recycleRequests());
        assertEquals(0, lifetime.recycleMemoryBytes());
    }

    @Test
    void shouldReadEveryLifetimeKey()
    {
        final WorkerLifetime lifetime = lifetime(
            "shared-memory",
            "worker:\n  activation: on-demand\n  idleTimeout: 20m\n" +
            "  recycle: { time: 0, requests: 10000, memory: 512m }\n");

        assertEquals(
            new WorkerLifetime(WorkerLifetime.Activation.ON_DEMAND, 1_200_000, 0, 10_000, 512L << 20), lifetime);
    }

    @Test
    void shouldNameTheKeyOfAWrongValue()
    {
        assertError(
            "sluice.yaml: queues[0].worker.activation: must be eager or on-demand (was 'lazy')",
            "worker:\n  activation: lazy\n");
        assertError(
            "sluice.yaml: queues[0].worker.recycle.time: must be 0 (off) or between 1s and 8760h (was '10ms')",
            "worker:\n  recycle: { time: 10ms }\n");
        assertError(
            "sluice.yaml: queues[0].worker.recycle.requests: must be 0 (off) or more (was -1)",
            "worker:\n  recycle: { requests: -1 }\n");
        assertError(
            "sluice.yaml: queues[0].worker.recycle.count: unknown key",
            "worker:\n  recycle: { count: 5 }\n");
        assertError(
            "sluice.yaml: queues[0].worker.idleTimeout: must be between 0ms and 24h (was '25h')",
            "worker:\n  idleTimeout: 25h\n");
    }

    @Test
    void shouldReadTheOfflinePageFromTextOrFile(@TempDir final Path directory) throws IOException
    {
        final OfflinePage text = ConfigLoader.parse(queue("loopback", "offlineBody: down for maintenance\n"), SOURCE)
            .queues().get(0).offlinePage();
        assertEquals(OfflinePage.TEXT_PLAIN, text.contentType());
        assertEquals("down for maintenance", new String(text.body(), StandardCharsets.UTF_8));

        Files.writeString(directory.resolve("app_offline.htm"), "<p>back soon</p>");
        final OfflinePage file = ConfigLoader.parse(
            queue("in-process", "offlineBodyFile: app_offline.htm\n"), SOURCE, directory).queues().get(0).offlinePage();
        assertEquals(OfflinePage.TEXT_HTML, file.contentType());
        assertEquals("<p>back soon</p>", new String(file.body(), StandardCharsets.UTF_8));

        assertEquals(null, ConfigLoader.parse(queue("loopback", ""), SOURCE).queues().get(0).offlinePage());
        final ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
            queue("loopback", "offlineBodyFile: missing.htm\n"), SOURCE, directory));
        assertTrue(missing.getMessage().startsWith("sluice.yaml: queues[0].offlineBodyFile: cannot read "),
            missing.getMessage());
    }

    private static WorkerLifetime lifetime(final String hosting, final String extraLines)
    {
        return ConfigLoader.parse(queue(hosting, extraLines), SOURCE).queues().get(0).worker().lifetime();
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

    private static void assertError(final String expectedMessage, final String extraLines)
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> ConfigLoader.parse(queue("loopback", extraLines), SOURCE));

        assertEquals(expectedMessage, ex.getMessage());
    }
}
