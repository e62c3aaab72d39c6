package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.SpinBudget;
import org.agrona.concurrent.AgentTerminationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pieces a shared-memory worker runs under Agrona's {@code AgentRunner}, driven by hand over a real ring file and
 * a real doorbell socket: the idle strategy looks for its budget of time (on a clock the test moves), then sleeps on
 * the doorbell (and never while finishing after a request to stop), its budget shrinking while looking does not pay
 * and growing again once it does; the agent ends the duty cycle when the listener is gone, or once drained after a
 * request to stop, and hands an error that escaped the cycle to its caller.
 */
@Timeout(10)
class SharedMemoryWorkerRunnerTest
{
    private static final int CAPACITY = 64 * 1024;

    @TempDir
    Path tempDir;

    private ListenerRings rings;
    private ServerSocketChannel server;
    private SocketChannel workerDoorbell;
    private SocketChannel listenerDoorbell;
    private SharedMemoryWorker worker;
    private long nowNs = 1_000_000;

    @BeforeEach
    void before() throws IOException
    {
        final Path dir = tempDir.resolve("queue-0");
        rings = ListenerRings.create(dir, CAPACITY);
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("doorbell.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        workerDoorbell = SocketChannel.open(address);
        listenerDoorbell = server.accept();
        final Handler handler = (exchange) -> exchange.respond(200, "text/plain", new byte[] { 'o', 'k' });
        worker = new SharedMemoryWorker(
            handler, rings.header, rings.workerRequestRing(), rings.workerResponseRing(), workerDoorbell);
    }

    @AfterEach
    void after() throws IOException
    {
        listenerDoorbell.close();
        workerDoorbell.close();
        server.close();
        rings.close();
    }

    @Test
    void shouldLookUntilTheBudgetIsSpentThenSleepOnTheDoorbell() throws IOException
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker, () -> nowNs);
        for (int i = 0; i < 1000; i++)
        {
            idle.idle(0);
        }
        nowNs += DoorbellIdleStrategy.MAX_LOOK_NS - 1;
        idle.idle(0);
        assertEquals(0, worker.counters().sleeps().get(), "no sleep within the budget, however many looks");

        // the listener is gone: the sleep's read of the doorbell ends at once
        listenerDoorbell.close();
        nowNs++;
        idle.idle(0);

        assertEquals(1, worker.counters().sleeps().get());
        assertTrue(worker.isListenerGone());
        assertEquals(DoorbellIdleStrategy.MAX_LOOK_NS / 2, idle.budgetNs(), "looking did not pay: half the budget");
    }

    @Test
    void shouldStartOverAfterWorkAndKeepTheBudgetWhenLookingPays()
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker, () -> nowNs);
        idle.idle(0);
        nowNs += DoorbellIdleStrategy.MAX_LOOK_NS - 1;
        idle.idle(0);
        idle.idle(1);
        nowNs += DoorbellIdleStrategy.MAX_LOOK_NS - 1;
        idle.idle(0);

        assertEquals(0, worker.counters().sleeps().get());
        assertEquals(DoorbellIdleStrategy.MAX_LOOK_NS, idle.budgetNs());
    }

    @Test
    void shouldSleepAtOnceWhenLookingNeverPaysAndLookAgainOnceItDoes() throws IOException
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker, () -> nowNs);
        // every sleep ends at once: the doorbell is closed
        listenerDoorbell.close();
        long sleeps = 0;
        while (0 != idle.budgetNs())
        {
            idle.idle(0);
            nowNs += idle.budgetNs();
            idle.idle(0);
            assertEquals(++sleeps, worker.counters().sleeps().get());
        }

        int lookedFirst = 0;
        for (int period = 0; period < SpinBudget.PROBE_INTERVAL; period++)
        {
            idle.idle(0);
            if (worker.counters().sleeps().get() == sleeps)
            {
                // a probe: it looks for the minimum budget before it sleeps
                lookedFirst++;
                nowNs += DoorbellIdleStrategy.MIN_LOOK_NS;
                idle.idle(0);
            }
            assertEquals(++sleeps, worker.counters().sleeps().get(), "one sleep per idle period");
        }
        assertEquals(1, lookedFirst, "at budget 0, one idle period in " + SpinBudget.PROBE_INTERVAL + " looks");

        // the probe found nothing: the next one comes after twice as many idle periods
        for (int period = 0; period < 2 * SpinBudget.PROBE_INTERVAL; period++)
        {
            idle.idle(0);
            if (worker.counters().sleeps().get() == sleeps)
            {
                assertEquals(2 * SpinBudget.PROBE_INTERVAL - 1, period, "the second probe");
                // the probe finds the listener's next request
                idle.idle(1);
                break;
            }
            sleeps++;
        }
        assertEquals(DoorbellIdleStrategy.MIN_LOOK_NS, idle.budgetNs(), "looking paid: the budget grows again");
    }

    @Test
    void shouldNotSleepOnTheDoorbellWhileFinishingAfterARequestToStop()
    {
        assertTrue(worker.requestStop());
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker, () -> nowNs);
        for (int i = 0; i < 3; i++)
        {
            idle.idle(0);
            nowNs += DoorbellIdleStrategy.MAX_LOOK_NS;
        }

        assertEquals(0, worker.counters().sleeps().get());
    }

    @Test
    void shouldServeABatchThenEndOnceDrainedAfterARequestToStop()
    {
        final SharedMemoryWorkerAgent agent = new SharedMemoryWorkerAgent(worker);
        rings.writeHead(1, "GET", "/", 0, System.nanoTime());

        assertEquals(1, agent.doWork());
        assertEquals(0, agent.doWork(), "nothing to do, no stop asked");

        assertTrue(worker.requestStop());
        final AgentTerminationException ended = assertThrows(AgentTerminationException.class, agent::doWork);
        assertTrue(ended.isExpected());
        agent.rethrowFailure();
    }

    @Test
    void shouldEndWhenTheListenerIsGone() throws IOException
    {
        final SharedMemoryWorkerAgent agent = new SharedMemoryWorkerAgent(worker);
        listenerDoorbell.close();
        worker.sleep();

        assertTrue(worker.isListenerGone());
        assertThrows(AgentTerminationException.class, agent::doWork);
    }

    @Test
    void shouldEndAndHandOnAnErrorThatEscapedTheDutyCycle()
    {
        final SharedMemoryWorkerAgent agent = new SharedMemoryWorkerAgent(worker);
        final IllegalStateException error = new IllegalStateException("ring corrupt");
        agent.onError(error);

        assertThrows(AgentTerminationException.class, agent::doWork);
        assertEquals(error, assertThrows(IllegalStateException.class, agent::rethrowFailure));
        assertFalse(worker.isStopRequested());
    }
}
