package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.agrona.concurrent.NanoClock;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EmbeddedChannel} for the connection stages, on a clock the test advances: its event loop's scheduled tasks
 * and the stages' {@link NanoClock} read the same {@link MockTicker}, so {@link #advance} runs exactly the timers that
 * come due, with no sleep. It has the addresses of a TCP connection and half-closes as one ({@link DuplexChannel}).
 */
final class ClockedChannel extends EmbeddedChannel implements DuplexChannel
{
    static final int LOCAL_PORT = 8080;

    private final MockTicker ticker;
    private boolean inputShutdown;
    private boolean outputShutdown;

    ClockedChannel()
    {
        this(Ticker.newMockTicker());
    }

    private ClockedChannel(final MockTicker ticker)
    {
        super(EmbeddedChannel.builder().ticker(ticker));
        this.ticker = ticker;
    }

    /**
     * @return the clock the stages under test read.
     */
    NanoClock clock()
    {
        return ticker::nanoTime;
    }

    /**
     * Move the clock on and run whatever came due.
     *
     * @param durationNs how far.
     */
    void advance(final long durationNs)
    {
        ticker.advance(durationNs, TimeUnit.NANOSECONDS);
        runScheduledPendingTasks();
        runPendingTasks();
    }

    /**
     * Bytes arrive from the client, and the event loop's tasks (the flush) run.
     *
     * @param bytes what arrives.
     */
    void receive(final ByteBuf bytes)
    {
        pipeline().fireChannelRead(bytes);
        pipeline().fireChannelReadComplete();
        runPendingTasks();
    }

    /**
     * @return everything written to the client so far, as text; the messages are released.
     */
    String takeOutbound()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object message;
        while (null != (message = readOutbound()))
        {
            if (message instanceof ByteBuf buf)
            {
                final byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.writeBytes(bytes);
            }
            ((ReferenceCounted)message).release();
        }
        return out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    protected SocketAddress localAddress0()
    {
        return new InetSocketAddress("127.0.0.1", LOCAL_PORT);
    }

    protected SocketAddress remoteAddress0()
    {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    public boolean isInputShutdown()
    {
        return inputShutdown;
    }

    public ChannelFuture shutdownInput()
    {
        return shutdownInput(newPromise());
    }

    public ChannelFuture shutdownInput(final ChannelPromise promise)
    {
        inputShutdown = true;
        return promise.setSuccess();
    }

    public boolean isOutputShutdown()
    {
        return outputShutdown;
    }

    public ChannelFuture shutdownOutput()
    {
        return shutdownOutput(newPromise());
    }

    public ChannelFuture shutdownOutput(final ChannelPromise promise)
    {
        outputShutdown = true;
        return promise.setSuccess();
    }

    public boolean isShutdown()
    {
        return inputShutdown && outputShutdown;
    }

    public ChannelFuture shutdown()
    {
        return shutdown(newPromise());
    }

    public ChannelFuture shutdown(final ChannelPromise promise)
    {
        inputShutdown = true;
        outputShutdown = true;
        return promise.setSuccess();
    }
}
