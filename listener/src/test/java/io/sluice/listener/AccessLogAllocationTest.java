package io.sluice.listener;

import io.netty.util.ResourceLeakDetector;
import io.sluice.dispatch.sample.SampleHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log allocates nothing per request on the event loops: the same hello GET, served in-process by the same
 * handler from a queue whose requests are logged and from one whose are not ({@code accessLog: false}), pipelined over
 * real sockets; the bytes the listener's event-loop threads allocate per request
 * ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) are the same, and every logged request
 * is in the file.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AccessLogAllocationTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .listener("accessLog", "{ path: \"${LOG_DIR}/access.log\", rotate: { daily: false } }")
        .queue(TestConfig.inProcess("logged", SampleHandler.class))
        .queue(TestConfig.inProcess("plain", SampleHandler.class).set("accessLog", false))
        .yaml();
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final int WARM_UP_ROUNDS = 6;
    private static final int REQUESTS_PER_ROUND = 20_000;
    // ThreadMXBean counts whole TLAB refills and the odd Netty pool chunk: a few bytes per request either way
    private static final long NOISE_BYTES = 8;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private static ResourceLeakDetector.Level leakDetection;

    @BeforeAll
    static void leakDetectionAsInProduction()
    {
        leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterAll
    static void leakDetectionBack()
    {
        ResourceLeakDetector.setLevel(leakDetection);
    }

    @Test
    void shouldAllocateNoMoreOnTheEventLoopsPerLoggedRequestThanPerUnloggedOne() throws Exception
    {
        final Set<Long> threadsBefore = EventLoopAllocationTest.liveThreadIds();
        final TestListener listener = LISTENERS.start("alloc-log", CONFIG);
        listener.assertReady(READY_TIMEOUT_MS, "/logged/", "/plain/");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        try (EventLoopAllocationTest.PipelinedClient logged =
                new EventLoopAllocationTest.PipelinedClient(listener.port(), "/logged/");
            EventLoopAllocationTest.PipelinedClient plain =
                new EventLoopAllocationTest.PipelinedClient(listener.port(), "/plain/"))
        {
            for (int i = 0; i < WARM_UP_ROUNDS; i++)
            {
                logged.run(REQUESTS_PER_ROUND);
                plain.run(REQUESTS_PER_ROUND);
            }
            final long[] loops = EventLoopAllocationTest.eventLoopThreads(threadsBefore);
            assertTrue(loops.length > 0, "the listener's event-loop threads");

            final long plainBytes = EventLoopAllocationTest.allocatedPerRequest(threads, loops, plain);
            final long loggedBytes = EventLoopAllocationTest.allocatedPerRequest(threads, loops, logged);
            System.out.printf(
                "event-loop bytes allocated per request: access log off %d, on %d (%d loop threads)%n",
                plainBytes, loggedBytes, loops.length);
            assertTrue(
                loggedBytes <= plainBytes + NOISE_BYTES,
                "a logged request allocates " + loggedBytes + " bytes on the event loops, an unlogged one " +
                plainBytes);
        }

        // every logged request reached the file, none dropped: 1 + (WARM_UP_ROUNDS + 1) rounds, and the ready probes
        final Path file = listener.logDir().resolve("access.log");
        final long expected = 1 + (long)(WARM_UP_ROUNDS + 1) * REQUESTS_PER_ROUND;
        assertEquals(0, listener.listener().requestLog().droppedCount());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long lines = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            lines = LogLines.records(file).stream().filter((fields) -> "/logged/".equals(fields[4])).count();
            if (lines >= expected)
            {
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(lines >= expected, "logged lines " + lines + ", expected at least " + expected);
    }
}
