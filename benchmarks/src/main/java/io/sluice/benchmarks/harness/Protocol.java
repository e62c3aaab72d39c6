package io.sluice.benchmarks.harness;

/**
 * How a scenario's requests travel: the protocol, whether TLS carries it, and which load generator drives it.
 */
enum Protocol
{
    /**
     * HTTP/1.1 in cleartext, keep-alive, driven by wrk.
     */
    HTTP1("http/1.1", false, Tool.WRK),

    /**
     * HTTP/1.1 over TLS, keep-alive, driven by wrk: what TLS adds to a request once the connection is open.
     */
    HTTPS1("https (http/1.1)", true, Tool.WRK),

    /**
     * HTTP/1.1 over TLS on a new connection per request, each a full handshake (no session resumption), driven by
     * {@code openssl s_time -new}: TLS handshakes per second.
     */
    TLS_HANDSHAKE("https (http/1.1), new connection per request", true, Tool.S_TIME),

    /**
     * HTTP/2 over TLS, chosen by ALPN, driven by h2load: several streams at once on each connection.
     */
    H2("h2 (TLS, ALPN)", true, Tool.H2LOAD),

    /**
     * HTTP/2 in cleartext with prior knowledge (h2c), driven by h2load.
     */
    H2C("h2c (cleartext, prior knowledge)", false, Tool.H2LOAD),

    /**
     * WebSocket in cleartext (an HTTP/1.1 upgrade, then binary messages echoed), driven by the harness's own client.
     */
    WEBSOCKET("websocket (http/1.1 upgrade)", false, Tool.WS_ECHO);

    /**
     * The load generators.
     */
    enum Tool
    {
        /**
         * wrk: keep-alive connections, closed loop, its Lua script.
         */
        WRK("wrk", "wrk"),

        /**
         * {@code openssl s_time}: sequential new connections, one process per concurrent connection.
         */
        S_TIME("openssl", "openssl"),

        /**
         * h2load (nghttp2): HTTP/2 connections, each with several streams in flight.
         */
        H2LOAD("h2load", "nghttp2-client"),

        /**
         * {@link WsEchoClient}: the harness's own WebSocket client, in a JVM of its own; always there.
         */
        WS_ECHO("WsEchoClient", "none: part of the harness");

        private final String binary;
        private final String debianPackage;

        Tool(final String binary, final String debianPackage)
        {
            this.binary = binary;
            this.debianPackage = debianPackage;
        }

        /**
         * @return the program looked up on the path.
         */
        String binary()
        {
            return binary;
        }

        /**
         * @return the Debian package that installs it.
         */
        String debianPackage()
        {
            return debianPackage;
        }
    }

    private final String label;
    private final boolean tls;
    private final Tool tool;

    Protocol(final String label, final boolean tls, final Tool tool)
    {
        this.label = label;
        this.tls = tls;
        this.tool = tool;
    }

    /**
     * @return what a reader sees, e.g. {@code https (http/1.1)}.
     */
    String label()
    {
        return label;
    }

    /**
     * @return true when the connection is TLS.
     */
    boolean isTls()
    {
        return tls;
    }

    /**
     * @return the load generator that drives it.
     */
    Tool tool()
    {
        return tool;
    }

    /**
     * @return true for HTTP/2 (h2 or h2c).
     */
    boolean isHttp2()
    {
        return this == H2 || this == H2C;
    }

    /**
     * @return the URL scheme: {@code https} for TLS, else {@code http}.
     */
    String scheme()
    {
        return tls ? "https" : "http";
    }
}
