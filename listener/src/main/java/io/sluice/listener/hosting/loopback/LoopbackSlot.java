package io.sluice.listener.hosting.loopback;

import io.netty.util.NetUtil;

import java.net.InetSocketAddress;

/**
 * One start of one worker process of a loopback queue (one incarnation of a supervisor slot): where it listens, the
 * token it expects, and whether it is ready. A restarted worker gets a new {@code LoopbackSlot}, so connections to
 * the previous process are told apart by identity and never reused.
 * <p>
 * Threading: immutable but for {@link #isReady()} and {@link #isExited()}, which the supervisor thread, the readiness
 * probe and a refused connect change under the slot's lock and the event loops read without it.
 */
final class LoopbackSlot
{
    private final int index;
    private final int port;
    private final InetSocketAddress address;
    private final String token;
    private final byte[] tokenLine;
    private volatile boolean ready;
    private volatile boolean exited;
    private volatile boolean draining;

    LoopbackSlot(final int index, final int port, final String token)
    {
        this.index = index;
        this.port = port;
        this.address = new InetSocketAddress(NetUtil.LOCALHOST4, port);
        this.token = token;
        this.tokenLine = LoopbackHeaders.tokenLine(token);
    }

    /**
     * @return the supervisor's slot index.
     */
    int index()
    {
        return index;
    }

    /**
     * @return the worker's loopback port.
     */
    int port()
    {
        return port;
    }

    /**
     * @return 127.0.0.1 and the worker's port.
     */
    InetSocketAddress address()
    {
        return address;
    }

    /**
     * @return the worker's secret.
     */
    String token()
    {
        return token;
    }

    /**
     * @return the last line of every request head sent to this worker: its token, then the blank line.
     */
    byte[] tokenLine()
    {
        return tokenLine;
    }

    /**
     * @return true once the worker accepts connections, until it exits.
     */
    boolean isReady()
    {
        return ready;
    }

    /**
     * @return true once the worker process has exited (or is being replaced).
     */
    boolean isExited()
    {
        return exited;
    }

    /**
     * The worker accepts connections.
     *
     * @return false when it exited meanwhile: it stays not ready.
     */
    synchronized boolean markReady()
    {
        if (exited || draining)
        {
            return false;
        }
        ready = true;
        return true;
    }

    /**
     * A connection to the worker was refused (it is dying, or its port is not served): no new requests go to it
     * until a probe finds it ready again.
     *
     * @return true when it was ready: the caller probes it again.
     */
    synchronized boolean markUnready()
    {
        if (!ready)
        {
            return false;
        }
        ready = false;
        return true;
    }

    /**
     * The worker was replaced by a ready one and drains: no new requests go to it, those it holds carry on.
     */
    synchronized void drain()
    {
        draining = true;
        ready = false;
    }

    /**
     * The worker exited or is being replaced: no new requests go to it.
     */
    synchronized void retire()
    {
        exited = true;
        ready = false;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "slot " + index + " (127.0.0.1:" + port + ")";
    }
}
