package io.sluice.benchmarks.harness;

import java.util.List;

/**
 * A running target: where it answers and which processes serve it.
 *
 * @param kind           which target.
 * @param host           address it listens on (loopback).
 * @param port           port it listens on.
 * @param serverRootPids the processes whose CPU time is the target's, each counted with all its descendants (and the
 *                       children it has reaped).
 */
record Target(TargetKind kind, String host, int port, List<Long> serverRootPids)
{
    /**
     * @param scenario the request shape.
     * @return the URL wrk is given for that scenario, e.g. {@code http://127.0.0.1:18080/shm/echo}.
     */
    String url(final Scenario scenario)
    {
        return "http://" + host + ":" + port + path(scenario);
    }

    /**
     * @param scenario the request shape.
     * @return the request target (path) for that scenario.
     */
    String path(final Scenario scenario)
    {
        return kind.pathPrefix() + scenario.pathSuffix();
    }
}
