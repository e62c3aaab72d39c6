package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EffectiveConfigurationTest
{
    private static final Path NATIVE_CONFIG = Path.of("..", "native-config");

    @Test
    void shouldLoadToTheSameConfigurationWhenTheDescriptionIsReadAsAFile()
    {
        final ListenerConfiguration config = ConfigLoader.load(NATIVE_CONFIG.resolve("sluice.yaml"));

        final String description = EffectiveConfiguration.describe(config);

        assertEquals(config, ConfigLoader.parse(description, "effective.yaml"));
    }

    @Test
    void shouldWriteDefaultsAndDerivedValuesInTheFilesUnits()
    {
        final String description = EffectiveConfiguration.describe(ConfigLoader.parse(
            "listener:\n  id: edge\n" +
            "queues:\n  - name: q\n    prefixes: [ \"http://+:8080/q/\" ]\n    hosting: shared-memory\n" +
            "    handler: com.example.Handler\n",
            "sluice.yaml"));

        assertTrue(description.contains("  shmDir: /dev/shm/sluice-edge\n"), description);
        assertTrue(description.contains("  maxRequestBytes: 16k\n"), description);
        assertTrue(description.contains("    headerWait: 2m\n"), description);
        assertTrue(description.contains("    ringCapacity: 1m\n"), description);
        assertTrue(description.contains("      heartbeatTimeout: 10s\n"), description);
        assertFalse(description.contains("headerWait: 10s"), description);
    }

    @Test
    void shouldNotShowWorkerEnvironmentValues()
    {
        final ListenerConfiguration config = ConfigLoader.parse(
            "queues:\n  - name: q\n    prefixes: [ \"http://+:8080/q/\" ]\n    hosting: loopback\n" +
            "    handler: com.example.Handler\n    worker: { environment: { DB_PASSWORD: s3cret } }\n",
            "sluice.yaml");

        final String description = EffectiveConfiguration.describe(config);

        assertFalse(description.contains("s3cret"), description);
        assertEquals(
            Map.of("DB_PASSWORD", EffectiveConfiguration.HIDDEN_VALUE),
            ConfigLoader.parse(description, "effective.yaml").queues().get(0).worker().environment());
    }
}
