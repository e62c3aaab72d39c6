package io.sluice.benchmarks.harness;

import java.io.IOException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The load generators of a run, each scenario driven by the one its protocol names ({@link Protocol#tool()}): wrk
 * always, {@code openssl s_time} and h2load when installed, the harness's WebSocket client; and the check of a target before it is measured, made
 * with the harness's own HTTP/1.1 client, or for HTTP/2 with h2load.
 */
final class LoadGenerators
{
    private final Wrk wrk;
    private final STime sTime;
    private final H2Load h2load;
    private final WsEcho wsEcho;

    /**
     * @param wrk    wrk.
     * @param sTime  {@code openssl s_time}, or null when openssl is not installed.
     * @param h2load h2load, or null when it is not installed.
     * @param wsEcho the WebSocket echo client, or null when the run has no WebSocket scenario.
     */
    LoadGenerators(final Wrk wrk, final STime sTime, final H2Load h2load, final WsEcho wsEcho)
    {
        this.wsEcho = wsEcho;
        this.wrk = wrk;
        this.sTime = sTime;
        this.h2load = h2load;
    }

    /**
     * Check that a target answers the scenario's request correctly before measuring it.
     *
     * @param scenario the request shape.
     * @param target   the target.
     * @param tls      the harness's TLS client, trusting the run's certificate; null when the run has none.
     * @throws IOException          when it answers wrongly or cannot be reached.
     * @throws InterruptedException when interrupted while waiting.
     */
    void check(final Scenario scenario, final Target target, final SSLSocketFactory tls)
        throws IOException, InterruptedException
    {
        if (scenario.protocol().isHttp2())
        {
            if (null == h2load)
            {
                throw new IOException("h2load is not installed");
            }
            h2load.check(scenario, target);
            return;
        }
        if (Protocol.WEBSOCKET == scenario.protocol())
        {
            WsEcho.check(scenario, target);
            return;
        }
        HttpCheck.check(target.host(), target.port(scenario.protocol()), target.path(scenario), scenario,
            scenario.protocol().isTls() ? tls : null);
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
            case H2LOAD -> null != h2load;
            case WS_ECHO -> null != wsEcho;
        };
    }

    /**
     * Get ready for one run, before the harness reads the CPU times: the WebSocket client starts and warms up here
     * ({@link WsEcho#prepare}); the other generators need nothing.
     *
     * @param scenario        the request shape.
     * @param target          where to send it.
     * @param durationSeconds length of the run.
     * @throws IOException          when the generator fails.
     * @throws InterruptedException when interrupted while waiting.
     */
    void prepare(final Scenario scenario, final Target target, final int durationSeconds)
        throws IOException, InterruptedException
    {
        if (Protocol.Tool.WS_ECHO == scenario.protocol().tool() && null != wsEcho)
        {
            wsEcho.prepare(scenario, target, durationSeconds);
        }
    }

    /**
     * @param procFs where to read process times.
     * @return the CPU ticks a generator started by {@link #prepare}, and not yet reaped, has used so far.
     */
    long preparedTicks(final ProcFs procFs)
    {
        return null == wsEcho ? 0 : wsEcho.preparedTicks(procFs);
    }

    /**
     * Drive one run (the one {@link #prepare} got ready).
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
            case H2LOAD ->
            {
                if (null == h2load)
                {
                    throw new IOException("h2load is not installed");
                }
                yield h2load.run(scenario, target, durationSeconds);
            }
            case WS_ECHO ->
            {
                if (null == wsEcho)
                {
                    throw new IOException("no WebSocket client in this run");
                }
                yield wsEcho.run(scenario, target, durationSeconds);
            }
        };
    }
}
