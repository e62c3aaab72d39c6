package io.sluice.listener.counters;

/**
 * What a client connection speaks once it is set up, for {@code sluice_connections_protocol_total}: a front counts each
 * connection once, with {@link LoopCounters#connection(ConnectionProtocol)} on the connection's event loop, when it
 * knows the protocol (a cleartext connection as HTTP/1.1 when its pipeline is built, moved to {@link #H2C} with
 * {@link LoopCounters#switched} once its HTTP/2 preface is seen; a TLS connection once ALPN chose).
 */
public enum ConnectionProtocol
{
    /**
     * HTTP/1.1 (or 1.0) in cleartext.
     */
    HTTP1("http/1.1", false),

    /**
     * HTTP/1.1 over TLS.
     */
    HTTP1_TLS("http/1.1", true),

    /**
     * HTTP/2 over TLS (ALPN {@code h2}).
     */
    H2("h2", true),

    /**
     * HTTP/2 in cleartext ({@code h2c}: prior knowledge or upgrade).
     */
    H2C("h2", false);

    /**
     * Number of protocols.
     */
    public static final int COUNT = 4;

    private static final ConnectionProtocol[] VALUES = values();

    private final String protocol;
    private final boolean tls;

    ConnectionProtocol(final String protocol, final boolean tls)
    {
        this.protocol = protocol;
        this.tls = tls;
    }

    /**
     * @param ordinal a qualifier.
     * @return the protocol of that qualifier.
     */
    public static ConnectionProtocol of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * @return the ALPN name of the protocol.
     */
    public String protocol()
    {
        return protocol;
    }

    /**
     * @return true over TLS.
     */
    public boolean isTls()
    {
        return tls;
    }
}
