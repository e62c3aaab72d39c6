package io.sluice.listener;

import io.sluice.listener.RawHttpClient.Received;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request ring lives in a file the worker maps read-write, trailer included: a worker can store any value in the
 * tail, head cache and head positions. The listener owns the first two and checks the third before it acts on any of
 * them; a worker that writes them breaks the protocol and fails alone. {@link HostileWorker}, written from the
 * protocol document, takes the request head of {@code /raw/<case>} and then stores a forbidden value in its request
 * ring's trailer (a tail moved on, a head past the tail, behind the head or not aligned, a head cache that is not the
 * listener's) and keeps its heartbeat going. The client of that request gets its answer (502: a POST is not written
 * again), a new worker serves the next request, the worker of another queue ({@code /bystander/}) is never disturbed,
 * and nothing is thrown on the listener's event loops (no log record with an exception).
 */
@ExtendWith(TestListener.KeepLogsOnFailure.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingTrailerTest
{
    private static final String CONFIG = TestConfig.listener()
        .listener("bind", "127.0.0.1")
        .queue(TestConfig.sharedMemory("raw", HostileWorker.class)
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s")
            .worker("requestTimeout", "20s")
            .worker("rapidFailsPerMinute", 1000))
        .queue(TestConfig.sharedMemory("bystander", HostileWorker.class)
            .worker("command", "${COMMAND}")
            .worker("shutdownTimeLimit", "1s"))
        .yaml();

    private static final long READY_TIMEOUT_MS = 30_000;
    private static final int READ_TIMEOUT_MS = 15_000;
    private static final int SETTLE_MS = 300;

    private static final List<LogRecord> RECORDS = new ArrayList<>();
    private static final List<LogRecord> THROWN = new ArrayList<>();
    private static final Handler CAPTURE = new Handler()
    {
        public void publish(final LogRecord record)
        {
            synchronized (RECORDS)
            {
                RECORDS.add(record);
            }
            if (null != record.getThrown() || record.getLevel().intValue() >= Level.SEVERE.intValue())
            {
                synchronized (THROWN)
                {
                    THROWN.add(record);
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

    private static TestListener listener;
    private static long bystanderPid;

    @BeforeAll
    static void startListener() throws Exception
    {
        final String config = CONFIG.replace("${COMMAND}", TestListener.workerCommand(HostileWorker.class));
        Logger.getLogger("").addHandler(CAPTURE);
        listener = TestListener.start("ring-trailer", config);
        assertEquals(200, listener.awaitOk("/raw/good", READY_TIMEOUT_MS).status());
        assertEquals(200, listener.awaitOk("/bystander/good", READY_TIMEOUT_MS).status());
        bystanderPid = listener.supervisor("bystander").pid(0);
    }

    @AfterAll
    static void closeListener() throws Exception
    {
        try
        {
            if (null != listener)
            {
                try
                {
                    assertEquals(bystanderPid, listener.supervisor("bystander").pid(0), "the bystander's worker");
                    assertEquals(bystanderPid + "\n", good("/bystander/"));
                }
                finally
                {
                    listener.close();
                    listener = null;
                }
            }
        }
        finally
        {
            Logger.getLogger("").removeHandler(CAPTURE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bogus-tail,     tail position",
        "head-past-tail, head position",
        "head-behind,    head position",
        "unaligned-head, head position",
        "head-cache,     head cache position" })
    void shouldFailTheWorkerAloneWhenItWritesItsRequestRingTrailer(final String name, final String field)
        throws Exception
    {
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("raw");
        final long failedBefore = host.failedWorkerCount();
        final long pid = listener.supervisor("raw").pid(0);
        final int thrownBefore = thrownCount();

        final Received received = exchange(RawHttpClient.post(
            "/raw/" + name, listener.port(), "text/plain", "x".getBytes(StandardCharsets.US_ASCII)));

        assertTrue(received.text().startsWith("HTTP/1.1 502 ") || received.text().isEmpty() && received.closed(),
            "502 or a clean close: " + received);
        assertEquals(failedBefore + 1, host.failedWorkerCount(), "failed for breaking the protocol");
        assertTrue(brokeTheProtocolWith(field), "the reason logged names the " + field);
        final long replacement = WorkerSignals.awaitNewPid(listener.supervisor("raw"), pid);
        assertEquals(replacement + "\n", good("/raw/"), "the replacement serves the next request");
        assertEquals(bystanderPid + "\n", good("/bystander/"));
        assertEquals(bystanderPid, listener.supervisor("bystander").pid(0));
        synchronized (THROWN)
        {
            assertEquals(thrownBefore, THROWN.size(), "thrown on the listener: " + THROWN);
        }
    }

    /**
     * A GET whose response had not begun is written again, once, for the replacement: which breaks the trailer the same
     * way and is failed in turn; the second time the request is answered 502.
     */
    @Test
    void shouldAnswerAGet502AfterItsOneRetryMeetsTheSameBreak() throws Exception
    {
        final SharedMemoryHost host = (SharedMemoryHost)listener.listener().host("raw");
        final long failedBefore = host.failedWorkerCount();
        final long retriedBefore = host.retriedOnWorkerExitCount();
        final int thrownBefore = thrownCount();

        final Received received = exchange(RawHttpClient.get("/raw/bogus-tail", listener.port()));

        assertTrue(received.text().startsWith("HTTP/1.1 502 "), "502: " + received);
        assertEquals(failedBefore + 2, host.failedWorkerCount(), "the worker and its replacement failed");
        assertEquals(retriedBefore + 1, host.retriedOnWorkerExitCount(), "written again once");
        final String servedBy = good("/raw/").trim();
        assertEquals(String.valueOf(listener.supervisor("raw").pid(0)), servedBy);
        assertEquals(bystanderPid + "\n", good("/bystander/"));
        synchronized (THROWN)
        {
            assertEquals(thrownBefore, THROWN.size(), "thrown on the listener: " + THROWN);
        }
    }

    private static boolean brokeTheProtocolWith(final String field)
    {
        synchronized (RECORDS)
        {
            for (final LogRecord record : RECORDS)
            {
                final String message = String.valueOf(record.getMessage());
                if (message.contains("broke the protocol") && message.contains(field))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static int thrownCount()
    {
        synchronized (THROWN)
        {
            return THROWN.size();
        }
    }

    /**
     * @return the body of the first 200 for {@code GET <queue>good}: the PID of the worker that served it.
     */
    private static String good(final String queue) throws Exception
    {
        final RawHttpClient.Response response = listener.awaitOk(queue + "good", READY_TIMEOUT_MS);
        assertEquals(200, response.status(), String.valueOf(response));
        return response.bodyText();
    }

    /**
     * Send bytes and read until the server closes the connection, is silent for a second after its first bytes, or
     * is silent for {@value #SETTLE_MS} ms after one complete answer.
     */
    private static Received exchange(final byte[] request) throws IOException
    {
        // the failure is counted and logged before the request is settled: once its answer is complete, a short
        // silence shows that nothing more follows
        return RawHttpClient.exchange(
            listener.port(), request, READ_TIMEOUT_MS, 1_000, (text) -> RawHttpClient.completeAnswers(text) >= 1,
            SETTLE_MS);
    }
}
