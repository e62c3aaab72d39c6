package io.sluice.listener.hosting.shm;

import io.sluice.dispatch.shm.SpinBudget;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The listener's bounded look at one worker's response ring while requests are outstanding, so that a worker that
 * answers quickly needs no doorbell to reach it. Once the listener has sent requests in an event-loop turn, it
 * {@link #start() starts}: it clears its sleeping flag, then rings the worker if it slept (so a worker woken onto this
 * CPU, which may run and answer before the listener goes on, sees it awake and does not ring), then {@link #run()}
 * looks at the ring, yields the CPU (to a worker that may share it) and looks again, and while nothing came submits
 * itself for the loop's next turn, so the loop still serves its sockets between looks. A period of looks makes at
 * least {@value #MIN_YIELDS} yields. It stops, arming the flag with a last look ({@link Ring#drain()}), when no request
 * is outstanding any more, or when its {@link SpinBudget} is spent without an answer: the worker then rings as usual.
 * The budget (between {@value #MIN_LOOK_NS} and {@value #MAX_LOOK_NS} ns, or 0) grows while answers come within it,
 * and shrinks when they do not (a slow handler): at 0 the listener does not look, but for one batch of requests in
 * {@value SpinBudget#PROBE_INTERVAL}. While answers keep coming, it keeps looking, and the worker rings not at all.
 * Nothing looks while nothing is outstanding, so an idle listener costs no CPU.
 * <p>
 * A look submitted to the event loop does not wait for the loop's next turn of I/O: Netty runs the tasks submitted
 * while it runs tasks in the same batch, for up to its task quantum. A run of looks that keeps finding answers (a
 * worker streaming a large body, chunk after chunk) would so keep the loop from its sockets, and the clients' uploads
 * and the credit their drained sockets grant would wait for it. So a run of looks lasts at most {@value #MAX_RUN_NS}
 * ns: then it stops, arming the flag as when nothing is outstanding, and no run starts for {@value #REST_NS} ns, while
 * the worker rings and the loop serves its sockets.
 * <p>
 * Threading: confined to the host's event loop.
 */
final class ResponsePoll implements Runnable
{
    /**
     * The smallest budget above 0 of one period of looks: {@value} ns.
     */
    static final long MIN_LOOK_NS = TimeUnit.MICROSECONDS.toNanos(1);

    /**
     * The largest budget of one period of looks (about what a doorbell costs both sides): {@value} ns.
     */
    static final long MAX_LOOK_NS = TimeUnit.MICROSECONDS.toNanos(16);

    /**
     * Yields a period of looks makes, whatever its budget, before it may count as missed: {@value}. One yield need
     * not run a worker that shares the CPU (the scheduler may pick the listener again), and a period timed on the wall
     * clock may be spent by then: without a second chance such a period would shrink the budget although the worker
     * answers at once.
     */
    static final int MIN_YIELDS = 2;

    /**
     * The longest run of looks, from {@link #start()} through the periods begun by answers found: {@value} ns.
     */
    static final long MAX_RUN_NS = TimeUnit.MICROSECONDS.toNanos(64);

    /**
     * After a run of looks stopped at {@link #MAX_RUN_NS}, no run starts for this long: {@value} ns.
     */
    static final long REST_NS = TimeUnit.MICROSECONDS.toNanos(64);

    private final Ring link;
    private final Executor loop;
    private final NanoClock clock;
    private final SpinBudget budget = new SpinBudget(MIN_LOOK_NS, MAX_LOOK_NS);
    private boolean polling;
    private boolean resting;
    private int yields;
    private long runStartNs;
    private long restEndNs;

    /**
     * What the poll needs of a link.
     */
    interface Ring
    {
        /**
         * Read one batch off the response ring into the connections, without arming the sleeping flag.
         *
         * @return the messages read, or -1 when the link does not read (closed, failed, or no worker attached).
         */
        int look();

        /**
         * @return true while a request is in flight.
         */
        boolean hasOutstanding();

        /**
         * Clear the listener's sleeping flag: it looks at the ring, the worker need not ring.
         */
        void stayAwake();

        /**
         * Drain the ring, arm the flag and look once more: from now on the worker rings.
         */
        void drain();
    }

    /**
     * @param link  whose response ring it looks at.
     * @param loop  the link's event loop, which runs the looks.
     * @param clock times a period of looks.
     */
    ResponsePoll(final Ring link, final Executor loop, final NanoClock clock)
    {
        this.link = link;
        this.loop = loop;
        this.clock = clock;
    }

    /**
     * Requests were sent to the worker: clear the listener's flag, unless the budget says not to look, before the
     * worker is rung (a worker woken onto this CPU may run, answer and check the flag before the listener goes on);
     * then {@link #run()} makes the first look, in the same turn. Nothing, when already looking, or resting after a
     * run of looks that lasted {@link #MAX_RUN_NS}. On the home event loop.
     *
     * @return true when a period of looks began: the caller makes the first look.
     */
    boolean start()
    {
        if (polling)
        {
            return false;
        }
        final long nowNs = clock.nanoTime();
        if (resting)
        {
            if (nowNs - restEndNs < 0)
            {
                return false;
            }
            resting = false;
        }
        budget.begin(nowNs);
        if (!budget.isWithin(clock.nanoTime()))
        {
            return false;
        }
        polling = true;
        yields = 0;
        runStartNs = nowNs;
        link.stayAwake();
        return true;
    }

    /**
     * @return true while looking: the listener's sleeping flag stays clear.
     */
    boolean isPolling()
    {
        return polling;
    }

    /**
     * @return the current budget of a period of looks, in nanoseconds.
     */
    long budgetNs()
    {
        return budget.budgetNs();
    }

    /**
     * One look, as an event-loop task.
     */
    public void run()
    {
        if (!polling)
        {
            return;
        }
        int count = link.look();
        if (0 == count && isLooking(clock.nanoTime()))
        {
            // let a worker that shares this CPU answer, and look again at once
            Thread.yield();
            yields++;
            count = link.look();
        }
        if (count < 0)
        {
            // the link stopped reading (closed, failed, no worker): whatever happens next arms it again
            polling = false;
            return;
        }
        if (!link.hasOutstanding())
        {
            if (count > 0)
            {
                budget.found();
            }
            stop();
            return;
        }
        final long nowNs = clock.nanoTime();
        if (count > 0)
        {
            budget.found();
            if (nowNs - runStartNs >= MAX_RUN_NS)
            {
                // the loop's sockets have waited long enough: the worker rings, the loop serves them
                resting = true;
                restEndNs = nowNs + REST_NS;
                stop();
                return;
            }
            // answers keep coming: a new period of looks for those still outstanding
            budget.begin(nowNs);
            yields = 0;
            loop.execute(this);
        }
        else if (isLooking(nowNs))
        {
            loop.execute(this);
        }
        else
        {
            budget.missed();
            stop();
        }
    }

    private boolean isLooking(final long nowNs)
    {
        return budget.isWithin(nowNs) || yields < MIN_YIELDS;
    }

    private void stop()
    {
        polling = false;
        // drain, arm the flag, look once more: from now on the worker rings
        link.drain();
    }
}
