package io.sluice.listener.hosting.shm;

import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;

/**
 * A client exchange still sending its request body, which a test never answers: no head is sent, it is not done,
 * and any answer handed to it fails the test. Tests of body back-pressure give it what it does when resumed.
 */
abstract class UnansweredTestExchange extends DrainTestExchange
{
    /**
     * {@inheritDoc}
     */
    public boolean isHeadSent()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public boolean isDone()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public ByteBuf beginHead(final int status)
    {
        throw new AssertionError("no answer for this request");
    }

    /**
     * {@inheritDoc}
     */
    public boolean finishHead(
        final ByteBuf head,
        final int status,
        final long contentLength,
        final DirectBuffer inlineBody,
        final int bodyOffset,
        final int bodyLength,
        final boolean last)
    {
        throw new AssertionError("no answer for this request");
    }

    /**
     * {@inheritDoc}
     */
    public void body(final DirectBuffer src, final int offset, final int length, final boolean last)
    {
        throw new AssertionError("no answer for this request");
    }

    /**
     * {@inheritDoc}
     */
    public void body(final ByteBuf content, final boolean last)
    {
        throw new AssertionError("no answer for this request");
    }
}
