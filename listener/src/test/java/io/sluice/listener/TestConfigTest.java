package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The YAML {@link TestConfig} writes: the defaults of a test listener, keys set, replaced and removed, nested sections,
 * and a template the configuration loader accepts once its tokens are replaced.
 */
class TestConfigTest
{
    private static final String SAMPLE = SampleHandler.class.getName();

    @Test
    void shouldWriteTheTestListenerSectionAndEachQueueUnderItsOwnPrefix()
    {
        final String yaml = TestConfig.listener()
            .queue(TestConfig.inProcess("inproc", SampleHandler.class))
            .queue(TestConfig.sharedMemory("shm", SampleHandler.class))
            .queue(TestConfig.loopback("loopback", SAMPLE))
            .yaml();

        assertEquals("""
            listener:
              id: ${ID}
              eventLoops: 1
              shmDir: ${SHM_DIR}
            queues:
              - name: inproc
                prefixes: [ "http://+:${PORT}/inproc/" ]
                hosting: in-process
                handler: %1$s
              - name: shm
                prefixes: [ "http://+:${PORT}/shm/" ]
                hosting: shared-memory
                handler: %1$s
                worker:
                  stdoutLog: ${LOG_DIR}/shm.log
              - name: loopback
                prefixes: [ "http://+:${PORT}/loopback/" ]
                hosting: loopback
                handler: %1$s
                worker:
                  stdoutLog: ${LOG_DIR}/loopback.log
            """.formatted(SAMPLE), yaml);
    }

    @Test
    void shouldSetReplaceAndRemoveKeysAndNestSections()
    {
        final String yaml = TestConfig.listener()
            .listener("eventLoops", null)
            .listener("id", "x-${ID}")
            .listener("adminPort", "${ADMIN_PORT}")
            .timeout("headerWait", "2s")
            .timeout("minSendRate", 0)
            .queue(TestConfig.sharedMemory("raw")
                .prefixes("http://localhost:${PORT}/", "http://+:${PORT}/raw/")
                .set("responseWindow", "4k")
                .timeout("queueWait", "300ms")
                .command("/bin/sh", "-c", "exit 1")
                .environment("PROOF", "${PROOF}")
                .worker("stdoutLog", null)
                .worker("shutdownTimeLimit", "1s"))
            .yaml();

        assertEquals("""
            listener:
              id: x-${ID}
              shmDir: ${SHM_DIR}
              adminPort: ${ADMIN_PORT}
              timeouts:
                headerWait: 2s
                minSendRate: 0
            queues:
              - name: raw
                prefixes: [ "http://localhost:${PORT}/", "http://+:${PORT}/raw/" ]
                hosting: shared-memory
                worker:
                  command: [ "/bin/sh", "-c", "exit 1" ]
                  environment:
                    PROOF: "${PROOF}"
                  shutdownTimeLimit: 1s
                responseWindow: 4k
                timeouts:
                  queueWait: 300ms
            """, yaml);
    }

    @Test
    void shouldWriteATemplateTheLoaderAcceptsOnceItsTokensAreReplaced()
    {
        final String yaml = TestConfig.listener()
            .timeout("idleConnection", "60s")
            .queue(TestConfig.inProcess("inproc", SampleHandler.class).set("queueLength", 2))
            .queue(TestConfig.loopback("loopback", SampleHandler.class).worker("shutdownTimeLimit", "1s"))
            .yaml()
            .replace("${ID}", "builder")
            .replace("${PORT}", "8080")
            .replace("${SHM_DIR}", "/dev/shm/sluice-builder-test")
            .replace("${LOG_DIR}", "/tmp");

        final ListenerConfiguration config = ConfigLoader.parse(yaml, "builder.yaml");

        assertEquals("builder", config.id());
        assertEquals(1, config.eventLoops());
        assertEquals(Path.of("/dev/shm/sluice-builder-test"), config.shmDir());
        assertEquals(List.of("inproc", "loopback"), config.queues().stream().map((queue) -> queue.name()).toList());
        assertEquals(List.of("http://+:8080/inproc/"), config.queues().get(0).prefixes());
        assertEquals(2, config.queues().get(0).queueLength());
        assertEquals(SAMPLE, config.queues().get(1).handler());
    }
}
