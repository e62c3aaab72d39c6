package io.sluice.benchmarks.harness;

import java.util.List;
import java.util.Locale;

/**
 * One load shape the harness drives at every target: a request (method, path under the target's prefix, body length),
 * a number of connections, a pipeline depth and the protocol they speak.
 *
 * @param name          short name used in file names and JSON, e.g. {@code hello-c64}.
 * @param title         what a reader sees, e.g. {@code hello GET, 64 connections}.
 * @param method        {@code GET} or {@code POST}.
 * @param pathSuffix    path after the target's prefix: empty for hello, {@code echo} for the echo.
 * @param bodyLength    request body in bytes, 0 for none; the echo answers with as many.
 * @param connections   keep-alive connections wrk holds open.
 * @param pipelineDepth requests written back to back on a connection before reading, 1 for none; over HTTP/2, the
 *                      streams each connection keeps in flight.
 * @param protocol      how the requests travel (cleartext or TLS, and the load generator); HTTP/1.1 in cleartext when
 *                      null (a {@code results.json} written before the field existed).
 */
record Scenario(
    String name,
    String title,
    String method,
    String pathSuffix,
    int bodyLength,
    int connections,
    int pipelineDepth,
    Protocol protocol)
{
    /**
     * The headline: hello GET at 64 connections.
     */
    static final Scenario HELLO_C64 = hello(64);

    /**
     * POST echo of 4 KiB at 64 connections.
     */
    static final Scenario ECHO_4K = echo("echo-4k", "POST echo 4 KiB, 64 connections", 4 * 1024, 64);

    /**
     * The hello GET over HTTPS (HTTP/1.1) at 64 keep-alive connections: the headline with TLS.
     */
    static final Scenario HTTPS_C64 = new Scenario("https-c64", "hello GET over HTTPS (HTTP/1.1), 64 connections",
        "GET", "", 0, 64, 1, Protocol.HTTPS1);

    /**
     * The hello GET on a new TLS connection each, a full handshake (no session resumption), 16 connections at a time.
     */
    static final Scenario TLS_HANDSHAKE = new Scenario("tls-handshake",
        "hello GET on a new TLS connection each (full handshake), 16 at a time", "GET", "", 0, 16, 1,
        Protocol.TLS_HANDSHAKE);

    /**
     * The hello GET over HTTP/2 on TLS (ALPN h2), 16 connections with 32 streams in flight each.
     */
    static final Scenario H2_C16M32 = new Scenario("h2-c16m32",
        "hello GET over h2 (TLS, ALPN), 16 connections x 32 streams", "GET", "", 0, 16, 32, Protocol.H2);

    /**
     * The hello GET over HTTP/2 in cleartext (h2c, prior knowledge), 16 connections with 32 streams in flight each.
     */
    static final Scenario H2C_C16M32 = new Scenario("h2c-c16m32",
        "hello GET over h2c (prior knowledge), 16 connections x 32 streams", "GET", "", 0, 16, 32, Protocol.H2C);

    /**
     * The WebSocket echo of the sample handler ({@code GET <prefix>ws}): 64 connections, each with one 32-byte binary
     * message outstanding; the body length is the message's. Served by the three Sluice models only (nginx has no
     * WebSocket echo).
     */
    static final Scenario WS_ECHO = new Scenario("ws-echo",
        "WebSocket echo, 32-byte messages, 64 connections x 1 in flight", "GET", "ws", 32, 64, 1, Protocol.WEBSOCKET);

    /**
     * Every scenario, headline first (it is measured first, so a time budget never cuts it). The pipelined scenario
     * keeps 32 × 16 = 512 requests in flight: at 64 connections, 1,024 would pass the default {@code queueLength} of
     * 1,000 and measure the shared-memory queue's 503s instead of its throughput.
     */
    static final List<Scenario> ALL = List.of(
        HELLO_C64,
        HTTPS_C64,
        TLS_HANDSHAKE,
        H2_C16M32,
        H2C_C16M32,
        hello(1),
        hello(16),
        hello(256),
        new Scenario("pipeline-16", "hello GET pipelined 16 deep, 32 connections", "GET", "", 0, 32, 16,
            Protocol.HTTP1),
        ECHO_4K,
        echo("echo-256k", "POST echo 256 KiB, 16 connections", 256 * 1024, 16),
        echo("echo-1m", "POST echo 1 MiB (a 1 MiB response), 16 connections", 1024 * 1024, 16),
        WS_ECHO);

    /**
     * The scenarios of a quick run: every cleartext HTTP/1.1 one (the TLS and HTTP/2 scenarios take
     * {@code --scenarios}, as does the WebSocket echo).
     */
    static final List<Scenario> QUICK = ALL.stream().filter((s) -> Protocol.HTTP1 == s.protocol()).toList();

    /**
     * The scenarios of a smoke run: the headline, one echo, and the hello over HTTPS and over new TLS connections (the
     * HTTP/2 ones take {@code --scenarios}).
     */
    static final List<Scenario> SMOKE = List.of(HELLO_C64, ECHO_4K, HTTPS_C64, TLS_HANDSHAKE);

    Scenario
    {
        if (null == protocol)
        {
            protocol = Protocol.HTTP1;
        }
        if (connections < 1 || pipelineDepth < 1 || bodyLength < 0)
        {
            throw new IllegalArgumentException("scenario " + name + ": connections=" + connections +
                ", pipelineDepth=" + pipelineDepth + ", bodyLength=" + bodyLength + ", limit=1,1,0");
        }
    }

    /**
     * @param name a scenario name.
     * @return the scenario of {@link #ALL} with that name.
     * @throws IllegalArgumentException when there is none.
     */
    static Scenario named(final String name)
    {
        for (final Scenario scenario : ALL)
        {
            if (scenario.name.equals(name.trim().toLowerCase(Locale.ROOT)))
            {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario: " + name + " (one of " + names() + ")");
    }

    /**
     * @return the names of {@link #ALL}, comma-separated.
     */
    static String names()
    {
        return String.join(", ", ALL.stream().map(Scenario::name).toList());
    }

    /**
     * @return true for the headline scenario, the one {@code --json} and the ratio summary quote.
     */
    boolean isHeadline()
    {
        return name.equals(HELLO_C64.name);
    }

    /**
     * @return the connections a proxy opens to its upstream at once to carry this load without queueing: one per
     * request in flight over HTTP/2 (each stream is its own upstream request), one per client connection otherwise
     * (a proxy forwards a connection's pipelined requests one after the other).
     */
    int upstreamConnections()
    {
        return null != protocol && protocol.isHttp2() ? connections * pipelineDepth : connections;
    }

    /**
     * @return true when the request is the plain hello GET, which every target (the bare server too) answers.
     */
    boolean isHello()
    {
        return "GET".equals(method) && bodyLength == 0 && pathSuffix.isEmpty();
    }

    /**
     * @return true when wrk's latency figures mean something: not when pipelined, since wrk then times whole batches
     * and its coordinated-omission correction puts values below the minimum its percentiles walk from (they come out
     * as 0).
     */
    boolean hasLatency()
    {
        return pipelineDepth == 1 && Protocol.Tool.WRK == protocol.tool();
    }

    /**
     * @return why the scenario has no latency figures, when {@link #hasLatency()} is false.
     */
    String noLatencyReason()
    {
        return switch (protocol.tool())
        {
            case S_TIME -> "openssl s_time counts connections and times none of them";
            case H2LOAD -> "h2load gives a mean and extremes but no percentiles";
            case WS_ECHO -> "the WebSocket client counts messages and times none of them";
            case WRK -> "with pipelining wrk times whole batches, and its percentiles are not reliable then";
        };
    }

    /**
     * @param kind a target.
     * @return true when that target serves this scenario: the bare server only says hello in cleartext HTTP/1.1,
     * nginx {@code return 200} only hello with TLS (or another protocol than cleartext HTTP/1.1); the WebSocket echo
     * only the Sluice targets.
     */
    boolean servedBy(final TargetKind kind)
    {
        if (Protocol.WEBSOCKET == protocol)
        {
            return kind.isSluice();
        }
        if (TargetKind.BARE == kind)
        {
            return isHello() && Protocol.HTTP1 == protocol;
        }
        if (TargetKind.NGINX_RETURN == kind)
        {
            return isHello() && Protocol.HTTP1 != protocol;
        }
        return isHello() || kind.servesApplication();
    }

    private static Scenario hello(final int connections)
    {
        return new Scenario(
            "hello-c" + connections,
            "hello GET, " + connections + (connections == 1 ? " connection" : " connections"),
            "GET", "", 0, connections, 1, Protocol.HTTP1);
    }

    private static Scenario echo(final String name, final String title, final int bodyLength, final int connections)
    {
        return new Scenario(name, title, "POST", "echo", bodyLength, connections, 1, Protocol.HTTP1);
    }
}
