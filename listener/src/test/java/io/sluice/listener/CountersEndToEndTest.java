package io.sluice.listener;

import io.sluice.dispatch.sample.SampleHandler;
import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.CountersSnapshot;
import io.sluice.listener.counters.LatencyHistogram;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.RequestQueue;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters after real requests over real sockets, in every hosting model, read from the counters file as an
 * outside process reads it: requests by status class, 503 of a full queue, 504 of a request timeout, time in queue and
 * latency histograms, bytes in and out, worker starts and exits after a SIGKILL; and {@code /metrics} on the admin
 * port showing the same counters in the Prometheus text format.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CountersEndToEndTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long COUNT_TIMEOUT_MS = 10_000;
    private static final int BODY_LENGTH = 1000;
    private static final int CLASS_2XX = 1;
    private static final int CLASS_4XX = 3;
    private static final int CLASS_5XX = 4;
    private static final int STATUS_503 = 1;
    private static final int STATUS_504 = 2;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.onDemand();

    private static String config(final String model)
    {
        final TestConfig.Queue queue = switch (model)
        {
            case "inproc" -> TestConfig.inProcess(model, SampleHandler.class);
            case "shm" -> TestConfig.sharedMemory(model, SampleHandler.class);
            default -> TestConfig.loopback(model, SampleHandler.class);
        };
        queue.set("queueLength", 1);
        if (!"inproc".equals(model))
        {
            queue.worker("requestTimeout", "1s").worker("shutdownTimeLimit", "1s");
        }
        return TestConfig.listener()
            .listener("adminPort", "${ADMIN_PORT}")
            .queue(queue)
            .yaml();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldCountStatusesTimesAndBytesOfRealRequests(final String model) throws Exception
    {
        final int adminPort = TestListener.freePort();
        final TestListener listener = LISTENERS.start(
            "counters-" + model, config(model).replace("${ADMIN_PORT}", Integer.toString(adminPort)));
        final String path = "/" + model + "/";
        final int port = listener.port();
        listener.assertReady(READY_TIMEOUT_MS, path);
        final CountersSnapshot before = snapshot(listener);
        final boolean workers = !"inproc".equals(model);

        try (RawHttpClient client = new RawHttpClient(port))
        {
            for (int i = 0; i < 3; i++)
            {
                assertEquals(200, client.send(RawHttpClient.get(path, port)).status());
            }
            assertEquals(405, client.send(RawHttpClient.request("TRACE", path, "127.0.0.1:" + port)).status());
            final byte[] body = new byte[BODY_LENGTH];
            Arrays.fill(body, (byte)'x');
            final RawHttpClient.Response echoed =
                client.send(RawHttpClient.post(path + "echo", port, "text/plain", body));
            assertEquals(200, echoed.status(), echoed::toString);
            assertEquals(BODY_LENGTH, echoed.body().length);
        }
        final RequestQueue queue = listener.listener().queue(model);
        try (RawHttpClient sleeper = new RawHttpClient(port);
            RawHttpClient refused = new RawHttpClient(port))
        {
            sleeper.write(RawHttpClient.get(path + "sleep?ms=700", port));
            Await.value(1, queue::length, COUNT_TIMEOUT_MS);
            assertEquals(503, refused.send(RawHttpClient.get(path, port)).status());
            assertEquals(200, sleeper.readResponse(false).status());
        }
        if (workers)
        {
            try (RawHttpClient late = new RawHttpClient(port))
            {
                assertEquals(504, late.send(RawHttpClient.get(path + "sleep?ms=5000", port)).status());
            }
        }

        final int timeouts = workers ? 1 : 0;
        final int answered = 3 + 1 + 1 + 2 + timeouts;
        final int admitted = 3 + 1 + 1 + timeouts;
        awaitDelta(listener, before, answered, (s) -> s.sum(CounterType.REQUEST_DURATION_BUCKET, model));
        final CountersSnapshot after = snapshot(listener);
        assertEquals(5, delta(before, after, (s) -> s.value(CounterType.QUEUE_REQUESTS, model, CLASS_2XX)));
        assertEquals(1, delta(before, after, (s) -> s.value(CounterType.QUEUE_REQUESTS, model, CLASS_4XX)));
        assertEquals(1 + timeouts, delta(before, after, (s) -> s.value(CounterType.QUEUE_REQUESTS, model, CLASS_5XX)));
        assertEquals(answered, delta(before, after, (s) -> s.sum(CounterType.QUEUE_REQUESTS, model)));
        assertEquals(1, delta(before, after, (s) -> s.value(CounterType.QUEUE_GATEWAY_RESPONSES, model, STATUS_503)));
        assertEquals(timeouts,
            delta(before, after, (s) -> s.value(CounterType.QUEUE_GATEWAY_RESPONSES, model, STATUS_504)));
        assertEquals(admitted, delta(before, after, (s) -> s.sum(CounterType.QUEUE_WAIT_BUCKET, model)));
        assertEquals(BODY_LENGTH, delta(before, after, (s) -> s.sum(CounterType.REQUEST_BYTES, model)));
        assertTrue(delta(before, after, (s) -> s.sum(CounterType.RESPONSE_BYTES, model)) > BODY_LENGTH);
        // the sleep of 700 ms and the 1 s timeout are in the buckets above 500 ms
        final int over500Ms = 9;
        long slow = 0;
        for (int bucket = over500Ms; bucket < LatencyHistogram.BUCKET_COUNT; bucket++)
        {
            final int b = bucket;
            slow += delta(before, after, (s) -> s.value(CounterType.REQUEST_DURATION_BUCKET, model, b));
        }
        assertEquals(1 + timeouts, slow);
        assertTrue(delta(before, after, (s) -> s.sum(CounterType.REQUEST_DURATION_SUM, model)) >=
            TimeUnit.MILLISECONDS.toNanos(700 + 1000L * timeouts));

        assertMetricsFormat(metrics(adminPort), model, after);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "shm", "loopback" })
    void shouldCountWorkerStartsAndExitsAfterSigkill(final String model) throws Exception
    {
        final TestListener listener = LISTENERS.start(
            "counters-kill-" + model, config(model).replace("${ADMIN_PORT}", "0"));
        listener.assertReady(READY_TIMEOUT_MS, "/" + model + "/");
        final WorkerSupervisor supervisor = listener.supervisor(model);
        Await.value(1, () -> snapshot(listener).sum(CounterType.WORKER_STARTS, model), COUNT_TIMEOUT_MS);
        assertEquals(0, snapshot(listener).sum(CounterType.WORKER_EXITS, model));

        final long pid = supervisor.pid(0);
        WorkerSignals.kill(pid);
        WorkerSignals.awaitNewPid(supervisor, pid);
        listener.assertReady(READY_TIMEOUT_MS, "/" + model + "/");

        Await.value(1, () -> snapshot(listener).sum(CounterType.WORKER_EXITS, model), COUNT_TIMEOUT_MS);
        Await.value(2, () -> snapshot(listener).sum(CounterType.WORKER_STARTS, model), COUNT_TIMEOUT_MS);
        Await.value(1, () -> snapshot(listener).sum(CounterType.QUEUE_WORKERS, model), COUNT_TIMEOUT_MS);
        assertEquals(0, snapshot(listener).sum(CounterType.RAPID_FAIL_STOPS, model));
    }

    /**
     * Every sample's family has {@code # HELP} and {@code # TYPE} before it; a histogram's buckets grow with
     * {@code le}, its {@code +Inf} bucket is its {@code _count}, and the latency's count is the requests answered.
     */
    private static void assertMetricsFormat(final String text, final String model, final CountersSnapshot snapshot)
    {
        final Set<String> helped = new HashSet<>();
        final Map<String, String> types = new HashMap<>();
        final Map<String, Long> lastBucket = new HashMap<>();
        final Map<String, Long> counts = new HashMap<>();
        for (final String line : text.lines().toList())
        {
            if (line.startsWith("# HELP "))
            {
                final String[] parts = line.split(" ", 4);
                assertTrue(parts.length == 4 && !parts[3].isBlank(), line);
                helped.add(parts[2]);
                continue;
            }
            if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.split(" ");
                assertTrue(helped.contains(parts[2]), "TYPE before HELP: " + line);
                assertTrue(Set.of("counter", "gauge", "histogram").contains(parts[3]), line);
                types.put(parts[2], parts[3]);
                continue;
            }
            final int brace = line.indexOf('{');
            final int space = line.lastIndexOf(' ');
            final String name = line.substring(0, brace > 0 ? brace : space);
            final String labels = brace > 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            final String value = line.substring(space + 1);
            String family = name;
            for (final String suffix : new String[]{ "_bucket", "_sum", "_count" })
            {
                final String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
                if (null != base && "histogram".equals(types.get(base)))
                {
                    family = base;
                }
            }
            assertTrue(types.containsKey(family), "no TYPE for " + line);
            if (!family.equals(name))
            {
                final String series = family + labels.replaceAll(",?le=\"[^\"]*\"", "");
                if (name.endsWith("_bucket"))
                {
                    final long bucket = Long.parseLong(value);
                    assertTrue(bucket >= lastBucket.getOrDefault(series, 0L), "bucket below the previous: " + line);
                    lastBucket.put(series, bucket);
                    if (labels.contains("le=\"+Inf\""))
                    {
                        counts.put(series, bucket);
                    }
                }
                else if (name.endsWith("_count"))
                {
                    assertEquals(counts.get(series), Long.parseLong(value), "+Inf bucket and count differ: " + line);
                }
            }
        }
        final String duration = "sluice_queue_request_duration_seconds{queue=\"" + model + "\"}";
        assertEquals(snapshot.sum(CounterType.QUEUE_REQUESTS, model), counts.get(duration), text);
        assertTrue(text.contains("sluice_queue_rejected_total{queue=\"" + model + "\"} 1\n"), text);
        assertTrue(text.contains("sluice_connections_protocol_total{protocol=\"http/1.1\",tls=\"false\"} "), text);
    }

    private static void awaitDelta(
        final TestListener listener,
        final CountersSnapshot before,
        final long expected,
        final ToLongFunction<CountersSnapshot> value) throws InterruptedException
    {
        Await.value(expected, () -> delta(before, snapshot(listener), value), COUNT_TIMEOUT_MS);
    }

    private static long delta(
        final CountersSnapshot before, final CountersSnapshot after, final ToLongFunction<CountersSnapshot> value)
    {
        return value.applyAsLong(after) - value.applyAsLong(before);
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

    private static String metrics(final int adminPort) throws IOException
    {
        try (RawHttpClient client = new RawHttpClient(adminPort))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/metrics", adminPort));
            assertEquals(200, response.status(), response::toString);
            assertEquals("text/plain; version=0.0.4; charset=utf-8", response.header("content-type"));
            return new String(response.body(), StandardCharsets.UTF_8);
        }
    }
}
