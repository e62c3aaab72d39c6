package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.CountersSnapshot;
import io.sluice.listener.counters.ListenerCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters of a queue a reload adds, read from the counters file as an outside process reads it (a plain Agrona
 * {@code CountersReader} over the mapped file) and from {@code /metrics}: its requests by status class appear, its
 * counters leave the file once a reload removed it and it drained, adding and removing a queue again and again does
 * not fill the file (a re-added queue starts from zero), and a queue the file has no room for is served uncounted
 * with one warning. Real listener, real worker processes, real sockets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReloadCountersTest
{
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long COUNT_TIMEOUT_MS = 10_000;
    private static final int CLASS_2XX = 1;
    private static final int CLASS_4XX = 3;
    private static final String ADDED = "added";

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldCountAQueueAddedByAReloadAndFreeItsCountersOnceRemoved(final String model) throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start("rctr-" + model, config(adminPort));
        listener.assertReady(READY_TIMEOUT_MS, "/base/");
        final int allocatedAtStart = allocatedCount(listener);

        final ReloadOutcome added = reload(listener, config(adminPort, queue(model)));
        assertTrue(added.applied(), added.line());
        final String path = "/" + ADDED + "/";
        listener.assertReady(READY_TIMEOUT_MS, path);
        // the readiness probes above count too: once each is complete
        Await.value(0L, () ->
        {
            final CountersSnapshot now = snapshot(listener);
            return now.sum(CounterType.QUEUE_REQUESTS, ADDED) - now.sum(CounterType.REQUEST_DURATION_BUCKET, ADDED);
        }, COUNT_TIMEOUT_MS);
        final CountersSnapshot before = snapshot(listener);
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            for (int i = 0; i < 3; i++)
            {
                assertEquals(200, client.send(RawHttpClient.get(path, listener.port())).status());
            }
            assertEquals(405, client.send(
                RawHttpClient.request("TRACE", path, "127.0.0.1:" + listener.port())).status());
        }

        final long answeredBefore = before.sum(CounterType.QUEUE_REQUESTS, ADDED);
        assertTrue(answeredBefore >= 1, "the probe's 200 is counted");
        Await.value(answeredBefore + 4, () -> snapshot(listener).sum(CounterType.REQUEST_DURATION_BUCKET, ADDED),
            COUNT_TIMEOUT_MS);
        final CountersSnapshot counted = snapshot(listener);
        assertEquals(answeredBefore + 4, counted.sum(CounterType.QUEUE_REQUESTS, ADDED));
        assertEquals(3, counted.value(CounterType.QUEUE_REQUESTS, ADDED, CLASS_2XX) -
            before.value(CounterType.QUEUE_REQUESTS, ADDED, CLASS_2XX));
        assertEquals(1, counted.value(CounterType.QUEUE_REQUESTS, ADDED, CLASS_4XX) -
            before.value(CounterType.QUEUE_REQUESTS, ADDED, CLASS_4XX));
        if (!"inproc".equals(model))
        {
            assertTrue(counted.sum(CounterType.WORKER_STARTS, ADDED) >= 1, "the new queue's worker start is counted");
        }
        assertTrue(labels(listener).stream().anyMatch((l) -> l.startsWith(
            "sluice_queue_requests_total{queue=\"" + ADDED + "\",class=\"2xx\"}")), "an outsider finds it by label");
        final String metrics = metrics(adminPort);
        assertTrue(metrics.contains("sluice_queue_requests_total{queue=\"" + ADDED + "\",class=\"2xx\"} " +
            counted.value(CounterType.QUEUE_REQUESTS, ADDED, CLASS_2XX) + "\n"), metrics);
        assertTrue(metrics.contains("sluice_queue_requests_total{queue=\"" + ADDED + "\",class=\"4xx\"} 1\n"), metrics);
        assertTrue(metrics.contains("sluice_queue_request_duration_seconds_count{queue=\"" + ADDED + "\"} " +
            (answeredBefore + 4) + "\n"), metrics);

        final ReloadOutcome removed = reload(listener, config(adminPort));
        assertTrue(removed.applied(), removed.line());
        Await.value(0L, () -> (long)queueLabels(listener, ADDED).size(), READY_TIMEOUT_MS);
        assertEquals(allocatedAtStart, allocatedCount(listener), "every counter of the removed queue is freed");
        assertFalse(metrics(adminPort).contains("queue=\"" + ADDED + "\""));
        assertEquals(200, get(listener, "/base/").status());
    }

    @Test
    void shouldKeepCountingInTheSameCountersWhenAReloadRecyclesTheQueuesHost() throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start("rctr-recycle", config(adminPort, queue("shm")));
        final String path = "/" + ADDED + "/";
        listener.assertReady(READY_TIMEOUT_MS, "/base/", path);
        final List<String> labelsBefore = queueLabels(listener, ADDED);
        assertEquals(200, get(listener, path).status());
        Await.value(0L, () ->
        {
            final CountersSnapshot now = snapshot(listener);
            return now.sum(CounterType.QUEUE_REQUESTS, ADDED) - now.sum(CounterType.REQUEST_DURATION_BUCKET, ADDED);
        }, COUNT_TIMEOUT_MS);
        final long answeredBefore = snapshot(listener).sum(CounterType.QUEUE_REQUESTS, ADDED);

        // a new worker count recycles the whole host: new host, new request queue, the same counters
        final ReloadOutcome recycled = reload(listener, config(adminPort, queue("shm").worker("processes", 2)));
        assertTrue(recycled.applied(), recycled.line());
        assertTrue(recycled.line().contains("recycled [" + ADDED + "]"), recycled.line());
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (!listener.listener().retiring.isEmpty() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        assertTrue(listener.listener().retiring.isEmpty(), "the previous host has stopped");
        assertEquals(200, get(listener, path).status());

        Await.value(answeredBefore + 1, () -> snapshot(listener).sum(CounterType.QUEUE_REQUESTS, ADDED),
            COUNT_TIMEOUT_MS);
        assertEquals(labelsBefore, queueLabels(listener, ADDED), "the same counters, not freed by the old host");
        assertTrue(snapshot(listener).sum(CounterType.WORKER_STARTS, ADDED) >= 3, "1 + 2 workers started");
    }

    @Test
    void shouldNotFillTheFileWhenAQueueIsAddedAndRemovedAgainAndAgain() throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start("rctr-cycle", config(adminPort));
        listener.assertReady(READY_TIMEOUT_MS, "/base/");
        final int allocatedAtStart = allocatedCount(listener);
        // more cycles than the file has spare room for queues; each at least CYCLE_MS long, so that fewer freed queues
        // than that room wait out their time before reuse at once
        final int cycles = 2 * ListenerCounters.SPARE_QUEUES_DEFAULT + 2;
        final long cycleMs = ListenerCounters.FREE_TO_REUSE_TIMEOUT_MS / (ListenerCounters.SPARE_QUEUES_DEFAULT / 2);
        for (int i = 0; i < cycles; i++)
        {
            final long startNs = System.nanoTime();
            assertTrue(reload(listener, config(adminPort, queue("inproc"))).applied());
            assertEquals(200, get(listener, "/" + ADDED + "/").status());
            // a queue added again counts from zero, in counters of its own
            Await.value(1L, () -> snapshot(listener).sum(CounterType.QUEUE_REQUESTS, ADDED), COUNT_TIMEOUT_MS);
            assertTrue(reload(listener, config(adminPort)).applied());
            Await.value(0L, () -> (long)queueLabels(listener, ADDED).size(), COUNT_TIMEOUT_MS);
            final long restMs = cycleMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            if (restMs > 0)
            {
                Thread.sleep(restMs);
            }
        }
        assertEquals(allocatedAtStart, allocatedCount(listener));
        assertFalse(metrics(adminPort).contains("queue=\"" + ADDED + "\""));
    }

    @Test
    void shouldServeAQueueTheFileHasNoRoomForUncountedWithOneWarning() throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start("rctr-full", config(adminPort));
        listener.assertReady(READY_TIMEOUT_MS, "/base/");
        final List<TestConfig.Queue> many = new ArrayList<>();
        for (int i = 0; i <= ListenerCounters.SPARE_QUEUES_DEFAULT; i++)
        {
            many.add(TestConfig.inProcess("q" + i, SampleHandler.class));
        }
        final String last = "q" + ListenerCounters.SPARE_QUEUES_DEFAULT;
        final List<LogRecord> warnings = new ArrayList<>();
        final Handler capture = new Handler()
        {
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue() &&
                    String.valueOf(record.getMessage()).contains("counters file is full"))
                {
                    synchronized (warnings)
                    {
                        warnings.add(record);
                    }
                }
            }

            public void flush()
            {
            }

            public void close()
            {
            }
        };
        final Logger logger = Logger.getLogger(ListenerCounters.class.getName());
        logger.addHandler(capture);
        try
        {
            final ReloadOutcome added = reload(listener, config(adminPort, many.toArray(new TestConfig.Queue[0])));
            assertTrue(added.applied(), "a full counters file does not fail the reload: " + added.line());
        }
        finally
        {
            logger.removeHandler(capture);
        }
        synchronized (warnings)
        {
            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.get(0).getMessage().startsWith("queue " + last + ": the counters file is full"),
                warnings.get(0).getMessage());
        }
        assertNull(listener.listener().queue(last).counters(), "the last queue is not counted");
        assertEquals(200, get(listener, "/" + last + "/").status());
        assertEquals(200, get(listener, "/q0/").status());
        Await.value(1L, () -> snapshot(listener).sum(CounterType.QUEUE_REQUESTS, "q0"), COUNT_TIMEOUT_MS);
        assertEquals(0, queueLabels(listener, last).size());

        // once they are removed the room is free again for a queue added later
        assertTrue(reload(listener, config(adminPort)).applied());
        Await.value(0L, () -> (long)queueLabels(listener, "q0").size(), READY_TIMEOUT_MS);
        Thread.sleep(ListenerCounters.FREE_TO_REUSE_TIMEOUT_MS);
        assertTrue(reload(listener, config(adminPort, queue("inproc"))).applied());
        assertEquals(200, get(listener, "/" + ADDED + "/").status());
        Await.value(1L, () -> snapshot(listener).sum(CounterType.QUEUE_REQUESTS, ADDED), COUNT_TIMEOUT_MS);
    }

    private static TestConfig.Queue queue(final String model)
    {
        final TestConfig.Queue queue = switch (model)
        {
            case "inproc" -> TestConfig.inProcess(ADDED, SampleHandler.class);
            case "shm" -> TestConfig.sharedMemory(ADDED, SampleHandler.class);
            default -> TestConfig.loopback(ADDED, SampleHandler.class);
        };
        if (!"inproc".equals(model))
        {
            queue.worker("shutdownTimeLimit", "1s");
        }
        return queue;
    }

    private static String config(final int adminPort, final TestConfig.Queue... more)
    {
        final TestConfig config = TestConfig.listener()
            .listener("adminPort", adminPort)
            .queue(TestConfig.inProcess("base", SampleHandler.class));
        for (final TestConfig.Queue queue : more)
        {
            config.queue(queue);
        }
        return config.yaml();
    }

    private static ReloadOutcome reload(final TestListener listener, final String template)
    {
        return listener.listener().reload("sluice.yaml", () -> listener.configuration(template));
    }

    private static int allocatedCount(final TestListener listener)
    {
        return labels(listener).size();
    }

    private static List<String> queueLabels(final TestListener listener, final String queueName)
    {
        final List<String> matching = new ArrayList<>();
        for (final String label : labels(listener))
        {
            if (label.contains("queue=\"" + queueName + "\""))
            {
                matching.add(label);
            }
        }
        return matching;
    }

    /**
     * @return the label of every counter allocated in the file, read as an outside process reads it.
     */
    private static List<String> labels(final TestListener listener)
    {
        try (OutsideCounters outside = OutsideCounters.open(listener.shmDir()))
        {
            final List<String> labels = new ArrayList<>();
            outside.reader().forEach((counterId, typeId, keyBuffer, label) -> labels.add(label));
            return labels;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static CountersSnapshot snapshot(final TestListener listener)
    {
        try (OutsideCounters outside = OutsideCounters.open(listener.shmDir()))
        {
            return outside.snapshot();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static RawHttpClient.Response get(final TestListener listener, final String path) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(listener.port()))
        {
            return client.send(RawHttpClient.get(path, listener.port()));
        }
    }

    private static String metrics(final int adminPort) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/metrics", adminPort));
            assertEquals(200, response.status(), response::toString);
            return new String(response.body(), StandardCharsets.UTF_8);
        }
    }
}
