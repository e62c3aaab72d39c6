package io.sluice.listener.hosting.shm;

import io.sluice.dispatch.shm.SpinBudget;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The listener's bounded look at one worker's response ring while requests are outstanding, so that a worker that
 * answers quickly needs no doorbell to reach it. Once the listener has sent requests (and rung the worker if it
 * slept), it {@link #start() starts}: it clears its sleeping flag (the worker then sees it awake and does not ring),
 * and an event-loop task looks at the ring, yields the CPU (to a worker that may share it), and submits itself again,
 * so the loop still serves its sockets between looks. It stops, arming the flag with a last look
 * ({@link Ring#drain()}), when no request is outstanding any more, or when its {@link SpinBudget} is spent
 * without an answer: the worker then rings as usual. The budget (between {@value #MIN_LOOK_NS} and
 * {@value #MAX_LOOK_NS} ns, or 0) grows while answers come within it, and shrinks when they do not (a slow handler):
 * at 0 the listener does not look, but for one batch of requests in {@value SpinBudget#PROBE_INTERVAL}. While answers
 * keep coming, it keeps looking, and the worker rings not at all. The first look comes at once, at the end of the
 * event-loop turn that sent the requests (a worker on this CPU answers during its yield), so a single request costs one
 * yield and no extra turn of the loop. Nothing looks while nothing is outstanding, so an idle listener costs no CPU.
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

    private final Ring link;
    private final Executor loop;
    private final NanoClock clock;
    private final SpinBudget budget = new SpinBudget(MIN_LOOK_NS, MAX_LOOK_NS);
    private boolean polling;

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
     * Requests were sent to the worker: look for its answers, unless already looking. On the home event loop.
     */
    void start()
    {
        if (!polling)
        {
            final long nowNs = clock.nanoTime();
            budget.begin(nowNs);
            if (budget.isWithin(nowNs))
            {
                polling = true;
                link.stayAwake();
                // the first look at once: the caller's turn ends here, and a worker on this CPU answers in the yield
                run();
            }
        }
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
        if (0 == count && budget.isWithin(clock.nanoTime()))
        {
            // let a worker that shares this CPU answer, and look again at once
            Thread.yield();
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
            // answers keep coming: a new period of looks for those still outstanding
            budget.found();
            budget.begin(nowNs);
            loop.execute(this);
        }
        else if (budget.isWithin(nowNs))
        {
            loop.execute(this);
        }
        else
        {
            budget.missed();
            stop();
        }
    }

    private void stop()
    {
        polling = false;
        // drain, arm the flag, look once more: from now on the worker rings
        link.drain();
    }
}
