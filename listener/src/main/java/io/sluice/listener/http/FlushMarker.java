package io.sluice.listener.http;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;

import java.nio.channels.WritableByteChannel;

/**
 * An empty message written behind a connection's response bytes to hear when the socket has taken them: the channel
 * drops a message, and so releases it, once every message before it is written (or the connection closes). One per
 * connection, written again after each release, so that the notice allocates nothing: no promise and no listener.
 * An empty {@link FileRegion} because every socket transport accepts one and takes it as written without a syscall.
 * Event-loop confined.
 */
final class FlushMarker extends AbstractReferenceCounted implements FileRegion
{
    private final FlushNotices notices;

    FlushMarker(final FlushNotices notices)
    {
        this.notices = notices;
    }

    /**
     * Make the marker ready to be written again after its release.
     *
     * @return this.
     */
    FlushMarker rearm()
    {
        setRefCnt(1);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    protected void deallocate()
    {
        notices.markerReleased();
    }

    /**
     * {@inheritDoc}
     */
    public long position()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    @Deprecated
    public long transfered()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long transferred()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long count()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public long transferTo(final WritableByteChannel target, final long position)
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public FlushMarker retain()
    {
        super.retain();
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public FlushMarker retain(final int increment)
    {
        super.retain(increment);
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public FlushMarker touch()
    {
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public FlushMarker touch(final Object hint)
    {
        return this;
    }
}
