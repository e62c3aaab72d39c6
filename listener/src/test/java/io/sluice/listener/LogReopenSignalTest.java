package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logrotate's way with a running listener: the access log is moved away, the listener process gets {@code SIGUSR1},
 * and the requests after it are written to a new file at the configured path while the moved file keeps those
 * before it. A real listener process, a real signal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogReopenSignalTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("accessLog", "{ path: \"${LOG_DIR}/access.log\", rotate: { daily: false } }")
        .listener("errorLog", "\"${LOG_DIR}/httperr.log\"")
        .queue(TestConfig.inProcess("inproc", SampleHandler.class))
        .yaml();
    private static final long LOG_TIMEOUT_MS = 10_000;

    @Test
    void shouldWriteToNewFilesAfterSigusr1() throws Exception
    {
        try (ChildListener child = ChildListener.start("reopen", CONFIG, "/inproc/"))
        {
            final Path accessLog = child.logDir().resolve("access.log");
            final Path moved = child.logDir().resolve("access.log.1");
            get(child, "/inproc/?before");
            LogLines.await(accessLog, (fields) -> "before".equals(fields[5]), LOG_TIMEOUT_MS);
            Files.move(accessLog, moved);

            final Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(child.process().pid()))
                .inheritIO().start();
            assertEquals(0, kill.waitFor());
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOG_TIMEOUT_MS);
            while (!Files.exists(accessLog) && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(accessLog), "the access log was not created again after SIGUSR1");

            get(child, "/inproc/?after");
            LogLines.await(accessLog, (fields) -> "after".equals(fields[5]), LOG_TIMEOUT_MS);
            assertTrue(Files.readString(accessLog).startsWith("#Software: Sluice\n"));
            assertFalse(Files.readString(accessLog).contains(" before "));
            assertTrue(Files.readString(moved).contains(" before "));
            assertFalse(Files.readString(moved).contains(" after "));
            assertTrue(child.process().isAlive(), "the listener survives the signal");
        }
    }

    private static void get(final ChildListener child, final String target) throws Exception
    {
        final RawHttpClient.Received received = RawHttpClient.exchange(
            child.port(), RawHttpClient.get(target, child.port()), 10_000, 2_000,
            (text) -> RawHttpClient.completeAnswers(text) >= 1, 50);
        assertTrue(received.text().startsWith("HTTP/1.1 200 "), received.text());
    }
}
