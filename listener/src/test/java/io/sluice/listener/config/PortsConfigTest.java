package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The keys of the admin port ({@code listener.adminBind}, {@code adminMaxConnections}, {@code adminHeaderWait},
 * {@code adminIdleConnection}) and of a loopback worker's port ({@code worker.headerWait}, {@code idleConnection},
 * {@code maxConnections}): defaults, values, and one-line errors naming the key.
 */
class PortsConfigTest
{
    private static final String SOURCE = "sluice.yaml";
    private static final String QUEUE = """
        queues:
          - name: q
            prefixes: [ "http://+:8080/q/" ]
            hosting: loopback
            handler: com.example.Handler
        """;

    @Test
    void shouldDefaultTheAdminSettingsAndBindTheAdminPortToLoopbackEvenWhenBindIsPublic()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "listener:\n  bind: 0.0.0.0\n  adminPort: 8081\n" + QUEUE, SOURCE);

        assertEquals("0.0.0.0", config.bindAddress());
        assertEquals(AdminConfiguration.defaults(), config.admin());
        assertEquals("127.0.0.1", config.admin().bindAddress());
        assertEquals(16, config.admin().maxConnections());
        assertEquals(10_000, config.admin().headerWaitMs());
        assertEquals(60_000, config.admin().idleConnectionMs());
    }

    @Test
    void shouldReadTheAdminSettings()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "listener:\n  adminPort: 8081\n  adminBind: 10.0.0.7\n  adminMaxConnections: 3\n" +
            "  adminHeaderWait: 2s\n  adminIdleConnection: 0\n" + QUEUE,
            SOURCE);

        assertEquals(new AdminConfiguration("10.0.0.7", 3, 2_000, 0), config.admin());
    }

    @Test
    void shouldRejectAnInvalidAdminBind()
    {
        assertError(
            "sluice.yaml: listener.adminBind: must be an IP address or a host name (was 'not an address')",
            "listener:\n  adminBind: not an address\n" + QUEUE);
    }

    @Test
    void shouldRejectAnAdminConnectionCapOutOfRange()
    {
        assertError(
            "sluice.yaml: listener.adminMaxConnections: must be between 1 and 1024 (was 0)",
            "listener:\n  adminMaxConnections: 0\n" + QUEUE);
    }

    @Test
    void shouldRejectAnInvalidAdminHeaderWait()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class,
            () -> ConfigLoader.parse("listener:\n  adminHeaderWait: soon\n" + QUEUE, SOURCE));

        assertEquals(1, ex.getMessage().lines().count());
        assertEquals(0, ex.getMessage().indexOf("sluice.yaml: listener.adminHeaderWait: "), ex.getMessage());
    }

    @Test
    void shouldRejectANegativeAdminIdleConnection()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class,
            () -> ConfigLoader.parse("listener:\n  adminIdleConnection: -1s\n" + QUEUE, SOURCE));

        assertEquals(0, ex.getMessage().indexOf("sluice.yaml: listener.adminIdleConnection: "), ex.getMessage());
    }

    @Test
    void shouldDefaultTheLoopbackPortLimits()
    {
        final WorkerConfiguration worker = ConfigLoader.parse(QUEUE, SOURCE).queues().get(0).worker();

        assertEquals(10_000, worker.headerWaitMs());
        assertEquals(10_000, worker.idleConnectionMs());
        assertEquals(WorkerConfiguration.MAX_CONNECTIONS_AUTO, worker.maxConnections());
        assertEquals(1000 + 64, worker.maxConnectionsFor(1000));
    }

    @Test
    void shouldReadTheLoopbackPortLimits()
    {
        final WorkerConfiguration worker = ConfigLoader.parse(
            QUEUE + "    worker:\n      headerWait: 2s\n      idleConnection: 0\n      maxConnections: 7\n", SOURCE)
            .queues().get(0).worker();

        assertEquals(2_000, worker.headerWaitMs());
        assertEquals(0, worker.idleConnectionMs());
        assertEquals(7, worker.maxConnectionsFor(1000));
    }

    @Test
    void shouldRejectLoopbackPortLimitsOnASharedMemoryQueue()
    {
        assertError(
            "sluice.yaml: queues[0].worker.maxConnections: only allowed when hosting is loopback " +
            "(hosting is shared-memory)",
            QUEUE.replace("hosting: loopback", "hosting: shared-memory") + "    worker:\n      maxConnections: 7\n");
    }

    @Test
    void shouldRejectANegativeLoopbackConnectionCap()
    {
        assertError(
            "sluice.yaml: queues[0].worker.maxConnections: must be between 0 and 2147483647 (was -1)",
            QUEUE + "    worker:\n      maxConnections: -1\n");
    }

    private static void assertError(final String expectedMessage, final String yaml)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));

        assertEquals(expectedMessage, ex.getMessage());
    }
}
