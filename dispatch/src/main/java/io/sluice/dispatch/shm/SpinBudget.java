package io.sluice.dispatch.shm;

/**
 * How long a consumer that just ran out of work keeps looking at its ring, yielding the CPU between looks, before it
 * arms its sleeping flag and blocks on its doorbell ({@link WakeProtocol}). Looking costs the consumer CPU; sleeping
 * costs both sides a doorbell (a system call to ring, a wake-up to be scheduled). Looking pays only when the next
 * record comes soon, so the budget adapts to what recent idle periods found:
 * <ul>
 *     <li>a look that found work within the budget ({@link #found()}) doubles it (from 0 to the minimum), up to the
 *     maximum;</li>
 *     <li>a budget spent without finding work ({@link #missed()}) halves it, and below the minimum it is 0: the
 *     consumer then sleeps at once, except in one idle period out of {@value #PROBE_INTERVAL}, which looks for the
 *     minimum, so that the budget learns when looking pays again;</li>
 *     <li>a probe that finds nothing doubles the number of idle periods until the next one, up to
 *     {@value #MAX_PROBE_INTERVAL}; a look that finds work brings it back to {@value #PROBE_INTERVAL}.</li>
 * </ul>
 * So a consumer whose peer answers within the budget (a busy listener, a quick handler) stays awake and costs its
 * producer no system call, while one whose next record takes longer (one client waiting on the network for each
 * answer, a slow handler) stops looking within a few idle periods and pays only the wake-up it cannot avoid. Probes
 * back off because a probe that finds nothing is not free where the two sides share a CPU: its yield runs the peer,
 * which then blocks and hands the CPU back, two extra switches between processes for nothing. An idle
 * period is timed on the caller's monotonic clock, passed in, so the policy can be driven by hand.
 * <p>
 * Threading: confined to the consumer's thread.
 */
public final class SpinBudget
{
    /**
     * While the budget is 0, one idle period in this many looks for the minimum budget: {@value}.
     */
    public static final int PROBE_INTERVAL = 8;

    /**
     * After probes that found nothing, at most one idle period in this many looks for the minimum budget: {@value}.
     */
    public static final int MAX_PROBE_INTERVAL = 256;

    private final long minNs;
    private final long maxNs;
    private long budgetNs;
    private long periodNs;
    private long startNs;
    private int probeInterval = PROBE_INTERVAL;
    private int periodsToProbe = PROBE_INTERVAL;
    private boolean probing;

    /**
     * Starts at the maximum.
     *
     * @param minNs the smallest budget above 0; must be positive.
     * @param maxNs the largest budget; at least {@code minNs}.
     */
    public SpinBudget(final long minNs, final long maxNs)
    {
        if (minNs <= 0 || maxNs < minNs)
        {
            throw new IllegalArgumentException("spin budget: minNs=" + minNs + ", maxNs=" + maxNs);
        }
        this.minNs = minNs;
        this.maxNs = maxNs;
        this.budgetNs = maxNs;
    }

    /**
     * An idle period begins: the consumer found no work.
     *
     * @param nowNs the monotonic clock.
     */
    public void begin(final long nowNs)
    {
        startNs = nowNs;
        probing = 0 == budgetNs && --periodsToProbe <= 0;
        if (probing)
        {
            periodsToProbe = probeInterval;
        }
        periodNs = probing ? minNs : budgetNs;
    }

    /**
     * @param nowNs the monotonic clock.
     * @return true while the idle period begun at {@link #begin(long)} is within its budget: look again. False from
     * the start when the budget is 0 (and the period is not a probe): sleep at once.
     */
    public boolean isWithin(final long nowNs)
    {
        return nowNs - startNs < periodNs;
    }

    /**
     * The idle period ended with work found by looking, before sleeping: looking paid.
     */
    public void found()
    {
        budgetNs = 0 == budgetNs ? minNs : Math.min(maxNs, budgetNs << 1);
        probing = false;
        probeInterval = PROBE_INTERVAL;
        periodsToProbe = PROBE_INTERVAL;
    }

    /**
     * The idle period spent its budget and the consumer goes to sleep: looking did not pay.
     */
    public void missed()
    {
        final long half = budgetNs >> 1;
        budgetNs = half < minNs ? 0 : half;
        if (probing)
        {
            probing = false;
            probeInterval = Math.min(MAX_PROBE_INTERVAL, probeInterval << 1);
            periodsToProbe = probeInterval;
        }
    }

    /**
     * @return the current budget, in nanoseconds.
     */
    public long budgetNs()
    {
        return budgetNs;
    }

    /**
     * @return while the budget is 0, one idle period in this many probes, from {@value #PROBE_INTERVAL} up to
     * {@value #MAX_PROBE_INTERVAL}.
     */
    public int probeInterval()
    {
        return probeInterval;
    }
}
