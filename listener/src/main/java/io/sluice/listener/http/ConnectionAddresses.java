package io.sluice.listener.http;

import io.netty.channel.Channel;
import io.sluice.listener.log.ConnectionLogFacts;

import java.net.InetSocketAddress;

/**
 * The addresses and ports of one client connection, read once from its channel: what every record of its requests
 * says of the connection, over HTTP/1.1 and HTTP/2 alike. Until they are read (or for a channel with no IP address)
 * the addresses are empty and the ports 0.
 * <p>
 * Event-loop confined (the connection's).
 */
final class ConnectionAddresses implements ConnectionLogFacts
{
    private String clientAddress = "";
    private int clientPort;
    private String serverAddress = "";
    private int serverPort;

    /**
     * Read the connection's addresses.
     *
     * @param channel the connection's channel, connected.
     */
    void read(final Channel channel)
    {
        if (channel.remoteAddress() instanceof InetSocketAddress remote)
        {
            clientAddress = remote.getAddress().getHostAddress();
            clientPort = remote.getPort();
        }
        if (channel.localAddress() instanceof InetSocketAddress local)
        {
            serverAddress = local.getAddress().getHostAddress();
            serverPort = local.getPort();
        }
    }

    /**
     * {@inheritDoc}
     */
    public String clientAddress()
    {
        return clientAddress;
    }

    /**
     * {@inheritDoc}
     */
    public int clientPort()
    {
        return clientPort;
    }

    /**
     * {@inheritDoc}
     */
    public String serverAddress()
    {
        return serverAddress;
    }

    /**
     * {@inheritDoc}
     */
    public int serverPort()
    {
        return serverPort;
    }
}
