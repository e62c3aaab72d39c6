package io.sluice.benchmarks.harness;

import java.io.IOException;

/**
 * The load generators of a run, each scenario driven by the one its protocol names ({@link Protocol#tool()}): wrk
 * always, {@code openssl s_time} when installed.
 */
final class LoadGenerators
{
    private final Wrk wrk;
    private final STime sTime;

    /**
     * @param wrk   wrk.
     * @param sTime {@code openssl s_time}, or null when openssl is not installed.
     */
    LoadGenerators(final Wrk wrk, final STime sTime)
    {
        this.wrk = wrk;
        this.sTime = sTime;
    }

    /**
     * @param tool a load generator.
     * @return true when it is installed.
     */
    boolean has(final Protocol.Tool tool)
    {
        return switch (tool)
        {
            case WRK -> true;
            case S_TIME -> null != sTime;
        };
    }

    /**
     * Drive one run.
     *
     * @param scenario        the request shape.
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @return the figures, as wrk reports them (a generator without latency figures leaves them 0).
     * @throws IOException          when the generator fails or is not installed.
     * @throws InterruptedException when interrupted while waiting.
     */
    WrkResult run(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        return switch (scenario.protocol().tool())
        {
            case WRK -> wrk.run(scenario, target.url(scenario), durationSeconds);
            case S_TIME ->
            {
                if (null == sTime)
                {
                    throw new IOException("openssl is not installed");
                }
                yield sTime.run(scenario, target, durationSeconds);
            }
        };
    }
}
