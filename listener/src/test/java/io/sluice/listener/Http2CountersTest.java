package io.sluice.listener;

import io.sluice.listener.counters.ConnectionProtocol;
import io.sluice.listener.counters.CounterType;
import io.sluice.listener.counters.CountersSnapshot;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Requests over HTTP/2 streams (h2c with prior knowledge) are counted as HTTP/1.1 requests are, in every hosting
 * model: by status class, in the latency and time-in-queue histograms, with their body bytes; the connection counts as
 * h2c, not as HTTP/1.1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Http2CountersTest
{
    private static final long READY_TIMEOUT_MS = 20_000;
    private static final long COUNT_TIMEOUT_MS = 10_000;
    private static final long ANSWER_TIMEOUT_S = 30;
    private static final int STREAMS = 5;
    private static final int BODY_LENGTH = 300;
    private static final int CLASS_2XX = 1;
    private static final int CLASS_4XX = 3;

    @RegisterExtension
    static final ListenerExtension LISTENERS = ListenerExtension.perClass(
        "h2-counters", TestListener.allModelsConfig(DeliveryHandler.class.getName()))
        .awaitReady(READY_TIMEOUT_MS, "/inproc/", "/shm/", "/loopback/");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "inproc", "shm", "loopback" })
    void shouldCountStreamsAsRequestsOfTheirQueue(final String queue) throws Exception
    {
        final TestListener listener = LISTENERS.get();
        final CountersSnapshot before = snapshot(listener);
        try (Http2TestClient client = Http2TestClient.connect(listener.port(), false))
        {
            for (int i = 0; i < STREAMS; i++)
            {
                assertEquals(200, client.send("GET", "/" + queue + "/", null)
                    .get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS).status());
            }
            assertEquals(200, client.send("POST", "/" + queue + "/echo", new byte[BODY_LENGTH])
                .get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS).status());
            assertEquals(405, client.send("TRACE", "/" + queue + "/", null)
                .get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS).status());
        }

        Await.value(STREAMS + 2, () -> delta(before, snapshot(listener),
            (s) -> s.sum(CounterType.REQUEST_DURATION_BUCKET, queue)), COUNT_TIMEOUT_MS);
        final CountersSnapshot after = snapshot(listener);
        assertEquals(STREAMS + 1, delta(before, after, (s) -> s.value(CounterType.QUEUE_REQUESTS, queue, CLASS_2XX)));
        assertEquals(1, delta(before, after, (s) -> s.value(CounterType.QUEUE_REQUESTS, queue, CLASS_4XX)));
        assertEquals(STREAMS + 1, delta(before, after, (s) -> s.sum(CounterType.QUEUE_WAIT_BUCKET, queue)));
        assertEquals(BODY_LENGTH, delta(before, after, (s) -> s.sum(CounterType.REQUEST_BYTES, queue)));
        assertEquals(1, delta(before, after,
            (s) -> s.value(CounterType.CONNECTIONS_PROTOCOL, "", ConnectionProtocol.H2C.ordinal())));
        assertEquals(0, delta(before, after,
            (s) -> s.value(CounterType.CONNECTIONS_PROTOCOL, "", ConnectionProtocol.HTTP1.ordinal())));
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
}
