package io.sluice.listener.process;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Draining one worker that no longer gets new requests (replaced, or stopped while its queue is idle or offline),
 * polled on the supervisor thread: once it holds no request its standard input is closed (the polite request to
 * stop: the worker SDK exits, a shared-memory worker after serving what its ring still holds); a worker still holding
 * requests after the shutdown time limit, or not gone {@value #EXIT_GRACE_MS} ms after it was asked, is killed.
 */
final class SlotDrain implements Runnable
{
    /**
     * Interval of the polls: {@value} ms.
     */
    static final long POLL_MS = 20;

    /**
     * Time a worker asked to stop has to exit once the shutdown time limit is past: {@value} ms.
     */
    static final long EXIT_GRACE_MS = 2_000;

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class.getName());

    private final String queueName;
    private final WorkerSlot slot;
    private final WorkerEvents events;
    private final long shutdownTimeLimitMs;
    private final long startNs = System.nanoTime();

    /**
     * @param queueName           the queue's name, for the log.
     * @param slot                the worker's slot.
     * @param events              the host, which counts the requests the worker holds.
     * @param shutdownTimeLimitMs the queue's shutdown time limit.
     */
    SlotDrain(final String queueName, final WorkerSlot slot, final WorkerEvents events, final long shutdownTimeLimitMs)
    {
        this.queueName = queueName;
        this.slot = slot;
        this.events = events;
        this.shutdownTimeLimitMs = shutdownTimeLimitMs;
    }

    /**
     * One poll.
     */
    public void run()
    {
        final Process process = slot.process;
        if (null == process)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        final int inFlight = events.inFlight(slot.index);
        if (0 == inFlight)
        {
            slot.closeStdin(nowNs);
        }
        final boolean late = nowNs - startNs >= TimeUnit.MILLISECONDS.toNanos(shutdownTimeLimitMs);
        if (late && (inFlight > 0 || !slot.stdinClosed ||
            nowNs - slot.stdinClosedNs >= TimeUnit.MILLISECONDS.toNanos(EXIT_GRACE_MS)))
        {
            LOG.warning(() -> "queue " + queueName + ": " + slot + " pid " + process.pid() + " still holds " +
                inFlight + " request(s) after shutdownTimeLimit=" + shutdownTimeLimitMs + "ms; killing it");
            WorkerKiller.killTree(process);
        }
    }
}
