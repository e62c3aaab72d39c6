package io.sluice.dispatch.worker;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A shared-memory worker with several lanes ({@code SLUICE_LANES}, one per listener event loop): each lane is its own
 * ring file and doorbell, served by a {@link SharedMemoryWorker} of its own, so the answer to a request goes back
 * through the response ring of the lane it came on and wakes the event loop that owns that lane. One duty thread
 * serves every lane, round robin: each duty cycle takes at most one read batch from each lane, starting one lane
 * further on each time, so a busy lane cannot starve another. Handler code called for one lane may answer another
 * lane's request: that answer is announced at once ({@link HandlerScope}).
 * <p>
 * Idle: the lanes arm their sleeping flags, each lane's ring is looked at once more, and the duty thread then blocks
 * in a {@link Selector} over every lane's doorbell until one rings (the one system call of a sleep, as with one lane).
 * End-of-file on any doorbell means the listener is gone.
 * <p>
 * Threading: the duty thread, except {@link #requestStop()} and {@link #isStopRequested()}.
 */
final class SharedMemoryLanes extends WorkerDuty
{
    private final SharedMemoryWorker[] lanes;
    private final Selector selector;
    private final ByteBuffer sleepBuffer = ByteBuffer.allocateDirect(64);
    private final Consumer<SelectionKey> onDoorbell = this::onDoorbell;
    private int nextLane;
    private boolean listenerGone;
    private volatile boolean stopRequested;

    /**
     * @param lanes the lanes, each attached (its doorbell connected, the token presented).
     * @throws IOException when the doorbells cannot be watched.
     */
    SharedMemoryLanes(final SharedMemoryWorker[] lanes) throws IOException
    {
        this.lanes = lanes;
        this.selector = Selector.open();
        final HandlerScope handlerScope = new HandlerScope();
        for (final SharedMemoryWorker lane : lanes)
        {
            lane.shareHandlerScope(handlerScope);
            final SocketChannel doorbell = lane.doorbell();
            doorbell.configureBlocking(false);
            doorbell.register(selector, SelectionKey.OP_READ, lane);
        }
    }

    /**
     * Attach to every lane the listener prepared in {@code env.shmDir()}, present the token on each lane's doorbell,
     * and serve them all until the listener goes away.
     *
     * @param handler the application.
     * @param env     the worker's environment ({@link WorkerEnvironment#lanes()} lanes).
     * @param watch   told of the worker once it is attached.
     * @throws IOException when a lane's file or doorbell cannot be opened.
     */
    static void serve(final Handler handler, final WorkerEnvironment env, final ListenerWatch watch) throws IOException
    {
        final int count = env.lanes();
        final SharedMemoryWorker[] lanes = new SharedMemoryWorker[count];
        final UnsafeBuffer[] headers = new UnsafeBuffer[count];
        for (int lane = 0; lane < count; lane++)
        {
            final SharedMemoryAttachment attachment = SharedMemoryAttachment.attach(env, lane);
            headers[lane] = attachment.header();
            lanes[lane] = new SharedMemoryWorker(
                handler, attachment.header(), attachment.requestRing(), attachment.responseRing(),
                attachment.doorbell(), env.queueWaitMs(), env.responseWindow());
        }
        final SharedMemoryLanes worker = new SharedMemoryLanes(lanes);
        if (env.heartbeatTimeoutMs() > 0)
        {
            ListenerWatch.watchHeartbeat(headers, env.heartbeatTimeoutMs());
        }
        watch.attached(worker);
        SharedMemoryWorker.runDuty(worker, lanes[0].counters());
    }

    void startDuty()
    {
        for (final SharedMemoryWorker lane : lanes)
        {
            lane.startDuty();
        }
    }

    void stopDuty()
    {
        for (final SharedMemoryWorker lane : lanes)
        {
            lane.stopDuty();
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // the process is about to exit
        }
    }

    /**
     * One read batch from each lane, the first lane one further on each cycle; each lane's batch is announced at its
     * end (a lane's listener loop is woken once per batch at most).
     *
     * @return the number of messages taken from all lanes.
     */
    public int doWork()
    {
        final int count = lanes.length;
        final int first = nextLane;
        nextLane = first + 1 == count ? 0 : first + 1;
        int work = 0;
        for (int i = 0, lane = first; i < count; i++)
        {
            final SharedMemoryWorker worker = lanes[lane];
            work += worker.doWork();
            worker.endBatch();
            lane = lane + 1 == count ? 0 : lane + 1;
        }
        return work;
    }

    void endBatch()
    {
        // each lane's batch was announced as it ended (doWork)
    }

    /**
     * Arm every lane, look at every ring once more, and block on the doorbells when all are empty.
     */
    void sleep()
    {
        final long nowMs = System.currentTimeMillis();
        for (final SharedMemoryWorker lane : lanes)
        {
            // asleep is idle, not hung: the listener reads the flag; the heartbeat says when the worker last looked
            lane.heartbeat(nowMs);
            lane.arm();
        }
        boolean work = false;
        for (final SharedMemoryWorker lane : lanes)
        {
            final long position = lane.consumerPosition();
            // a read that only skipped the padding at the end of the buffer returns 0 but moves the position
            if (lane.doWork() > 0 || lane.consumerPosition() != position)
            {
                work = true;
            }
            lane.endBatch();
        }
        if (!work)
        {
            lanes[0].counters().sleeps().incrementRelease();
            try
            {
                selector.select(onDoorbell);
            }
            catch (final IOException ex)
            {
                listenerGone = !stopRequested;
            }
        }
        for (final SharedMemoryWorker lane : lanes)
        {
            lane.disarm();
        }
    }

    private void onDoorbell(final SelectionKey key)
    {
        final SharedMemoryWorker lane = (SharedMemoryWorker)key.attachment();
        try
        {
            sleepBuffer.clear();
            if (lane.doorbell().read(sleepBuffer) < 0 && !stopRequested)
            {
                listenerGone = true;
                lane.listenerGone();
            }
        }
        catch (final IOException ex)
        {
            if (!stopRequested)
            {
                listenerGone = true;
                lane.listenerGone();
            }
        }
    }

    boolean isListenerGone()
    {
        if (listenerGone)
        {
            return true;
        }
        for (final SharedMemoryWorker lane : lanes)
        {
            if (lane.isListenerGone())
            {
                return true;
            }
        }
        return false;
    }

    boolean isStopRequested()
    {
        return stopRequested;
    }

    boolean isDrained()
    {
        for (final SharedMemoryWorker lane : lanes)
        {
            if (!lane.isDrained())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Ask every lane to finish (see {@link SharedMemoryWorker#requestStop()}). Any thread.
     *
     * @return false when the listener is gone: the caller should exit at once.
     */
    boolean requestStop()
    {
        boolean reachable = true;
        for (final SharedMemoryWorker lane : lanes)
        {
            reachable &= lane.requestStop();
        }
        stopRequested = true;
        selector.wakeup();
        return reachable;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-shm-worker-lanes";
    }
}
