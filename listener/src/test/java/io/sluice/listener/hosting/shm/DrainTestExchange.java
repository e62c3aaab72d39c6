package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.FlushListener;

/**
 * The client exchange the response-drain tests hand answers to: a plain-text GET on /shm/ from 127.0.0.1 port 80 whose
 * client always takes bytes; an error answer throws. Each test gives the head, body and state methods it checks.
 */
abstract class DrainTestExchange implements ClientExchange
{
    /**
     * {@inheritDoc}
     */
    public EventLoop eventLoop()
    {
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public ByteBufAllocator alloc()
    {
        return ByteBufAllocator.DEFAULT;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isHeadRequest()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public String applicationPath()
    {
        return "/shm/";
    }

    /**
     * {@inheritDoc}
     */
    public String remoteAddress()
    {
        return EncodingExchange.REMOTE_ADDRESS;
    }

    /**
     * {@inheritDoc}
     */
    public int remotePort()
    {
        return EncodingExchange.REMOTE_PORT;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isWritable()
    {
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public boolean notifyWhenWritable()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public void resumeBody()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void notifyWhenFlushed(final FlushListener listener, final long token)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void sendError(final int status, final String message)
    {
        throw new IllegalStateException("answered " + status + ": " + message);
    }

    /**
     * {@inheritDoc}
     */
    public void markQueued()
    {
    }

    /**
     * {@inheritDoc}
     */
    public void markStarted()
    {
    }
}
