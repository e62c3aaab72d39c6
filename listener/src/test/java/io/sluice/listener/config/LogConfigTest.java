package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The log keys: {@code listener.accessLog}, {@code listener.errorLog} and {@code queues[].accessLog}, each
 * {@code false}, a path or a mapping, with one-line errors naming the key.
 */
class LogConfigTest
{
    private static final Path BASE = Path.of("/etc/sluice");

    @Test
    void shouldBeOffByDefault()
    {
        final ListenerConfiguration config = parse("", "");
        assertEquals(LogFileConfiguration.OFF, config.accessLog());
        assertEquals(LogFileConfiguration.OFF, config.errorLog());
        assertNull(config.queues().get(0).accessLog());
    }

    @Test
    void shouldTakeAPathRelativeToTheFile()
    {
        final ListenerConfiguration config = parse("  accessLog: logs/access.log\n  errorLog: /var/log/err.log\n", "");
        assertEquals(
            new LogFileConfiguration(true, Path.of("/etc/sluice/logs/access.log"), 0, true), config.accessLog());
        assertEquals(new LogFileConfiguration(true, Path.of("/var/log/err.log"), 0, true), config.errorLog());
    }

    @Test
    void shouldTakeAMappingWithRotation()
    {
        final ListenerConfiguration config = parse(
            "  accessLog: { path: a.log, rotate: { size: 64m, daily: false } }\n", "");
        assertEquals(
            new LogFileConfiguration(true, Path.of("/etc/sluice/a.log"), 64L << 20, false), config.accessLog());
    }

    @Test
    void shouldTurnALogOffWithEnabledFalseOrFalse()
    {
        assertEquals(LogFileConfiguration.OFF, parse("  accessLog: { enabled: false }\n", "").accessLog());
        assertEquals(LogFileConfiguration.OFF, parse("  accessLog: false\n", "").accessLog());
    }

    @Test
    void shouldGiveAQueueItsOwnFileOrNone()
    {
        assertEquals(LogFileConfiguration.OFF, parse("", "    accessLog: false\n").queues().get(0).accessLog());
        assertEquals(
            LogFileConfiguration.at(Path.of("/etc/sluice/q.log")),
            parse("", "    accessLog: q.log\n").queues().get(0).accessLog());
        assertNull(parse("", "    accessLog: true\n").queues().get(0).accessLog());
    }

    @Test
    void shouldNameTheKeyOfAMistake()
    {
        assertEquals(
            "sluice.yaml: listener.accessLog: must be false, a path, or a mapping with 'path' (was 5)",
            assertThrows(ConfigException.class, () -> parse("  accessLog: 5\n", "")).getMessage());
        assertEquals(
            "sluice.yaml: listener.errorLog.path: missing required key",
            assertThrows(ConfigException.class, () -> parse("  errorLog: { rotate: { daily: true } }\n", ""))
                .getMessage());
        assertEquals(
            "sluice.yaml: listener.accessLog.rotate.daily: must be true or false (was 'yes please')",
            assertThrows(ConfigException.class,
                () -> parse("  accessLog: { path: a.log, rotate: { daily: yes please } }\n", "")).getMessage());
        assertEquals(
            "sluice.yaml: listener.accessLog.rotate.hourly: unknown key",
            assertThrows(ConfigException.class,
                () -> parse("  accessLog: { path: a.log, rotate: { hourly: true } }\n", "")).getMessage());
    }

    private static ListenerConfiguration parse(final String listenerLines, final String queueLines)
    {
        return ConfigLoader.parse(
            "listener:\n  id: logs\n" + listenerLines +
            "queues:\n  - name: q\n    prefixes: [\"http://+:18080/q/\"]\n    hosting: in-process\n" +
            "    handler: io.sluice.dispatch.sample.SampleHandler\n" + queueLines,
            "sluice.yaml",
            BASE);
    }
}
