package io.sluice.dispatch.worker;

import io.sluice.dispatch.shm.Doorbell;
import io.sluice.dispatch.shm.ResponseRingProducer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The response side of a shared-memory worker: writes the records of {@link SharedMemoryExchange}s into the response
 * ring, from any thread, and sees that a sleeping listener hears of them, by the worker's one wake-up policy.
 * <p>
 * Waking the listener: records published by the duty thread share one wake-up check per read batch, made at the end
 * of the batch ({@link #endBatch()}: a batch of answers costs a sleeping listener one wake-up). While the duty thread
 * runs handler code ({@link #enterHandler()} .. {@link #leaveHandler()}), which may block, it makes the first half of
 * the check for what it owes (a full fence and a read of the listener's flag): an awake listener is owed nothing (it
 * sees the records before it sleeps); what a sleeping one is owed goes to a {@link PendingWakeWatcher}, which
 * announces it if the handler has not returned within about a millisecond: a finished answer never waits for
 * whatever a handler does next. Records published by other threads (or before the
 * duty thread {@link #startDuty() started}), and those the duty thread publishes from inside handler code called for
 * another lane's request ({@link HandlerScope}), are announced at once. A wake-up is a byte on the doorbell socket, written
 * only when the listener's sleeping flag says it sleeps.
 */
final class ResponsePublisher
{
    private static final int PUBLISH_ATTEMPTS_PER_HEARTBEAT = 1024;

    private final SharedMemoryWorker worker;
    private final ResponseRingProducer responseRing;
    private final Doorbell doorbellFlags;
    private final SocketChannel doorbell;
    private final AtomicCounter listenerWakeUps;
    private Thread dutyThread;
    private boolean wakePending;
    private boolean inHandler;
    private boolean handedOff;
    private HandlerScope handlerScope = new HandlerScope();
    private long batchNs;
    private PendingWakeWatcher wakeWatcher;
    private boolean startWakeWatcher = true;
    private boolean listenerGone;

    /**
     * @param worker          whose heartbeat goes on while the ring is full.
     * @param responseRing    the response ring.
     * @param doorbellFlags   the worker's side of the sleeping flags.
     * @param doorbell        the doorbell connection; null in tests without a listener.
     * @param listenerWakeUps counts the bytes written to wake the listener.
     */
    ResponsePublisher(
        final SharedMemoryWorker worker,
        final ManyToOneRingBuffer responseRing,
        final Doorbell doorbellFlags,
        final SocketChannel doorbell,
        final AtomicCounter listenerWakeUps)
    {
        this.worker = worker;
        this.responseRing = new ResponseRingProducer(responseRing.buffer());
        this.doorbellFlags = doorbellFlags;
        this.doorbell = doorbell;
        this.listenerWakeUps = listenerWakeUps;
    }

    /**
     * The duty thread begins (on it): records it publishes from now on are announced per batch, and the watcher of
     * hand-offs starts.
     */
    void startDuty()
    {
        dutyThread = Thread.currentThread();
        if (startWakeWatcher)
        {
            watcher().start("sluice-wake-watcher");
        }
    }

    /**
     * The duty cycle ended: the watcher's thread stops.
     */
    void stopDuty()
    {
        if (null != wakeWatcher)
        {
            wakeWatcher.stop();
        }
    }

    /**
     * Start of a read batch, on the duty thread: the batch's clock is read at its first hand-off, if any.
     */
    void startBatch()
    {
        batchNs = 0;
    }

    /**
     * End of a read batch, on the duty thread: announce what the batch published (one wake-up check per batch).
     */
    void endBatch()
    {
        if (wakePending)
        {
            wakePending = false;
            wakeListener();
        }
    }

    /**
     * @return true once a wake-up could not be written: the listener's end of the doorbell is closed.
     */
    boolean isListenerGone()
    {
        return listenerGone;
    }

    /**
     * Write a record into the response ring, waiting while it is full, and see that the listener hears of it.
     * <p>
     * When to wake: a record published by the duty thread is announced once for its read batch, at the end of the
     * batch; while the duty thread runs handler code, the listener's flag is read at once (after a full fence), and
     * when it sleeps the {@link PendingWakeWatcher} announces the record if the handler takes longer than about a
     * millisecond. Other threads, and the duty thread inside handler code called for another lane, announce every
     * record. An announcement is a full fence and a
     * read of the listener's flag; a system call only when the listener sleeps. A full ring wakes the listener at once:
     * only it can make room.
     *
     * @param exchange  the writer, holding the encoded record.
     * @param msgTypeId type of the record.
     * @param length    of the record.
     */
    void publish(final SharedMemoryExchange exchange, final int msgTypeId, final int length)
    {
        int index;
        int attempts = 0;
        while ((index = responseRing.tryClaim(msgTypeId, length)) == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            if (attempts == 0)
            {
                // the ring is full of answers the listener has yet to drain: it must be awake to make room
                wakePending = false;
                wakeListener();
            }
            if (++attempts < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
                if (attempts % PUBLISH_ATTEMPTS_PER_HEARTBEAT == 0 && Thread.currentThread() == dutyThread)
                {
                    // waiting for room is not hanging: keep the heartbeat going
                    worker.heartbeat(System.currentTimeMillis());
                }
            }
        }
        try
        {
            exchange.encodeInto(responseRing.buffer(), index);
        }
        catch (final RuntimeException | Error ex)
        {
            // a claim left open would stop the listener's reading at it for good: it becomes padding
            responseRing.abort(index);
            throw ex;
        }
        responseRing.commit(index);
        if (Thread.currentThread() != dutyThread || (!inHandler && handlerScope.isInHandler()))
        {
            // another thread, or handler code called for another lane, whose return announces nothing of this lane
            wakeListener();
        }
        else if (inHandler)
        {
            // handler code may block before it returns: the watcher announces this record if it does
            handOffIfListenerSleeps();
        }
        else
        {
            // within the duty cycle: one wake-up check covers the batch
            wakePending = true;
        }
    }

    /**
     * Duty thread, before it calls into the handler: what it published since the last check is handed to the
     * watcher, which announces it should the handler not return in time.
     */
    void enterHandler()
    {
        inHandler = true;
        handlerScope.enter();
        if (wakePending)
        {
            wakePending = false;
            handOffIfListenerSleeps();
        }
    }

    /**
     * Duty thread: what it published owes a wake-up check, and handler code may now keep it from the end of its
     * batch. The first half of the check is made at once ({@link Doorbell#isPeerSleepingAfterCommit()}: a full fence
     * and a read of the listener's flag): a listener that is awake (looking at its ring while requests are in flight)
     * sees the records before it sleeps, so nothing is owed and nothing is handed off. Only a sleeping listener is
     * owed the rest of the check (compare-and-set, a doorbell byte), which goes to the watcher, so that a batch of
     * answers still costs it one wake-up.
     */
    private void handOffIfListenerSleeps()
    {
        if (doorbellFlags.isPeerSleepingAfterCommit())
        {
            handedOff = true;
            watcher().handOff(batchStartNs());
        }
    }

    /**
     * @return when this read batch began, as far as hand-offs are concerned: the clock is read at the first hand-off
     * of the batch (no clock read in a batch without one, nor while idle).
     */
    private long batchStartNs()
    {
        if (0 == batchNs)
        {
            batchNs = System.nanoTime();
        }
        return batchNs;
    }

    /**
     * Duty thread, back from the handler: what the watcher has not announced is owed at the end of the batch.
     */
    void leaveHandler()
    {
        inHandler = false;
        handlerScope.leave();
        if (handedOff)
        {
            handedOff = false;
            if (wakeWatcher.takeBack())
            {
                wakePending = true;
            }
        }
    }

    /**
     * Lanes: the duty thread serves other lanes too; whether it runs handler code is shared with theirs.
     *
     * @param scope the scope of every lane of the duty thread.
     */
    void shareHandlerScope(final HandlerScope scope)
    {
        handlerScope = scope;
    }

    /**
     * Tests: {@link SharedMemoryWorker#run()} does not start the watcher thread; the test {@link PendingWakeWatcher#poll polls} it.
     */
    void pollWakeWatcherByHand()
    {
        startWakeWatcher = false;
    }

    /**
     * @return the watcher of hand-offs, created on first use (a worker driven through {@link SharedMemoryWorker#doWork()} alone, as
     * in tests, has one whose thread is not started; a test may {@link PendingWakeWatcher#poll poll} it).
     */
    PendingWakeWatcher watcher()
    {
        if (null == wakeWatcher)
        {
            wakeWatcher = new PendingWakeWatcher(this::wakeListener);
        }
        return wakeWatcher;
    }

    void wakeListener()
    {
        if (doorbellFlags.shouldWake())
        {
            ringListener();
        }
    }

    /**
     * @return false when a byte cannot be written to the doorbell: the listener's end is closed (it died).
     */
    boolean isListenerReachable()
    {
        synchronized (doorbellFlags)
        {
            try
            {
                doorbell.write(doorbellFlags.wakeByte());
                return true;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
    }

    private void ringListener()
    {
        synchronized (doorbellFlags)
        {
            listenerWakeUps.incrementRelease();
            try
            {
                doorbell.write(doorbellFlags.wakeByte());
            }
            catch (final IOException ex)
            {
                listenerGone = true;
            }
        }
    }
}
