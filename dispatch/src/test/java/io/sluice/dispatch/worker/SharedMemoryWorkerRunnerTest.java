package io.sluice.dispatch.worker;

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
 * a real doorbell socket: the idle strategy spins, yields, then sleeps on the doorbell (and never while finishing
 * after a request to stop); the agent ends the duty cycle when the listener is gone, or once drained after a request
 * to stop, and hands an error that escaped the cycle to its caller.
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
    void shouldSpinThenYieldThenSleepOnTheDoorbell() throws IOException
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker);
        for (int i = 0; i < DoorbellIdleStrategy.SPINS_BEFORE_SLEEP + DoorbellIdleStrategy.YIELDS_BEFORE_SLEEP; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, worker.counters().sleeps().get(), "no sleep before the spins and yields are done");

        // the listener is gone: the sleep's read of the doorbell ends at once
        listenerDoorbell.close();
        idle.idle(0);

        assertEquals(1, worker.counters().sleeps().get());
        assertTrue(worker.isListenerGone());
    }

    @Test
    void shouldStartOverAfterWork()
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker);
        for (int i = 0; i < DoorbellIdleStrategy.SPINS_BEFORE_SLEEP + DoorbellIdleStrategy.YIELDS_BEFORE_SLEEP; i++)
        {
            idle.idle(0);
        }
        idle.idle(1);
        for (int i = 0; i < DoorbellIdleStrategy.SPINS_BEFORE_SLEEP + DoorbellIdleStrategy.YIELDS_BEFORE_SLEEP; i++)
        {
            idle.idle(0);
        }

        assertEquals(0, worker.counters().sleeps().get());
    }

    @Test
    void shouldNotSleepOnTheDoorbellWhileFinishingAfterARequestToStop()
    {
        assertTrue(worker.requestStop());
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(worker);
        for (int i = 0; i <= DoorbellIdleStrategy.SPINS_BEFORE_SLEEP + DoorbellIdleStrategy.YIELDS_BEFORE_SLEEP; i++)
        {
            idle.idle(0);
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
