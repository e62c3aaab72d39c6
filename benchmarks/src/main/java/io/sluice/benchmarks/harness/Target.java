package io.sluice.benchmarks.harness;

import java.util.List;

/**
 * A running target: where it answers and which processes serve it.
 *
 * @param kind           which target.
 * @param host           address it listens on (loopback).
 * @param port           port it answers cleartext HTTP/1.1 on.
 * @param tlsPort        port it answers HTTPS on (HTTP/1.1 and h2, by ALPN); 0 when it has none.
 * @param h2cPort        port it answers h2c with prior knowledge on; 0 when it has none.
 * @param serverRootPids the processes whose CPU time is the target's, each counted with all its descendants (and the
 *                       children it has reaped).
 */
record Target(TargetKind kind, String host, int port, int tlsPort, int h2cPort, List<Long> serverRootPids)
{
    /**
     * A target that answers cleartext only.
     *
     * @param kind           which target.
     * @param host           address it listens on.
     * @param port           port it answers cleartext HTTP/1.1 on.
     * @param serverRootPids the processes whose CPU time is the target's.
     */
    Target(final TargetKind kind, final String host, final int port, final List<Long> serverRootPids)
    {
        this(kind, host, port, 0, 0, serverRootPids);
    }

    /**
     * @param protocol how the requests travel.
     * @return the port that protocol is spoken on; 0 when the target has none for it.
     */
    int port(final Protocol protocol)
    {
        return protocol.isTls() ? tlsPort : Protocol.H2C == protocol ? h2cPort : port;
    }

    /**
     * @param scenario the request shape.
     * @return the URL the load generator is given for that scenario, e.g. {@code http://127.0.0.1:18080/shm/echo}.
     */
    String url(final Scenario scenario)
    {
        return scenario.protocol().scheme() + "://" + host + ":" + port(scenario.protocol()) + path(scenario);
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
