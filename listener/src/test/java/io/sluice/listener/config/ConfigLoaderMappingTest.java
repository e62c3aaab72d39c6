package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the loader reads before {@link ListenerContext#conclude()} checks: a key the queue's hosting model does not
 * take is reported as such whatever its value, as before the contexts, so its value is not read.
 */
class ConfigLoaderMappingTest
{
    @Test
    void shouldReportKeyOfAnotherHostingModelWhateverItsValue()
    {
        assertError(
            "sluice.yaml: queues[0].ringCapacity: only allowed when hosting is shared-memory (hosting is loopback)",
            queue("loopback", "    ringCapacity: lots\n"));
        assertError(
            "sluice.yaml: queues[0].worker.heartbeatTimeout: only allowed when hosting is shared-memory " +
            "(hosting is loopback)",
            queue("loopback", "    worker: { heartbeatTimeout: [ 1 ] }\n"));
        assertError(
            "sluice.yaml: queues[0].worker.maxConnections: only allowed when hosting is loopback " +
            "(hosting is shared-memory)",
            queue("shared-memory", "    worker: { maxConnections: many }\n"));
    }

    @Test
    void shouldReportWorkerOfAnInProcessQueueWhateverItHolds()
    {
        assertError(
            "sluice.yaml: queues[0].worker: only allowed when hosting is shared-memory or loopback " +
            "(hosting is in-process)",
            queue("in-process", "    worker: 3\n"));
        assertError(
            "sluice.yaml: queues[0].worker: only allowed when hosting is shared-memory or loopback " +
            "(hosting is in-process)",
            queue("in-process", "    worker: { bogus: 1 }\n"));
    }

    private static String queue(final String hosting, final String extra)
    {
        return "queues:\n  - name: q\n    prefixes: [ \"http://+:8080/q/\" ]\n    hosting: " + hosting + "\n" +
            "    handler: com.example.Handler\n" + extra;
    }

    private static void assertError(final String expectedMessage, final String yaml)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "sluice.yaml"));

        assertEquals(expectedMessage, ex.getMessage());
    }
}
