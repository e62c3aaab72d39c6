package io.sluice.listener.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.SystemPropertyUtil;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The minimum send rate of one connection (HTTP.sys {@code MinSendRate}): while the client holds a response back, it
 * must accept at least {@link HttpConnectionConfig#minSendRate()} bytes per second over each window of
 * {@link HttpConnectionConfig#minSendRateGraceNs()}, else the connection is reset and its requests aborted.
 * <p>
 * "Holds back" is seen in the listener (the outbound buffer over its high water mark) or, on the epoll transport, in
 * the kernel: the socket's {@code TCP_INFO} shows no segment in flight and a zero-window probe backoff
 * ({@code tcpi_unacked == 0}, {@code tcpi_backoff > 0}), which Linux only has while it holds bytes the client's closed
 * receive window refuses. So a response that fits in the kernel's send buffer is measured too. The bytes "accepted"
 * over a window are those the socket took from the listener; kernel progress since the previous sample (a data segment
 * sent, {@code tcpi_last_data_sent}, or a drop of the backoff, which the kernel resets when the client's window opens)
 * counts as the client accepting bytes and starts a new window. The decision is {@link SendRateWindow}'s.
 * <p>
 * A protocol with flow control of its own holds a response back without a byte reaching the socket: an HTTP/2 client
 * that keeps its stream or connection window shut. Such a connection tells this stage how to see it
 * ({@link #protocolHold(BooleanSupplier)}: response bytes are waiting for the client's window) and when a response
 * may be waiting ({@link #responsePending()}); while it holds, the client is held to the same rate, counted in the
 * same bytes (every byte of the connection the socket took, the protocol's own frames included). The kernel's progress
 * only speaks for the client while the socket itself is held back: bytes the kernel sends then are the client's
 * reading, not bytes the listener sent on its own.
 * <p>
 * Sampling starts with the first response bytes written (or when the connection stops being writable), runs every
 * quarter of the window (one {@code getsockopt(TCP_INFO)} each) while the connection has bytes outstanding, and stops
 * once everything sent has looked acknowledged for {@link #IDLE_CONFIRM_NS}. No sampling starts once the connection is
 * {@link #connectionClosing() closing}; one under way goes on, so the response that ends a connection is guarded too.
 * <p>
 * Too slow: when the socket is held back, {@code SO_LINGER} is set to 0 (what the kernel still holds for the client
 * is dropped, as HTTP.sys does); {@link #TOO_SLOW} is fired as a user event for the connection's handler to abort its
 * requests and close (over HTTP/2: {@code GOAWAY} first, which a client held back only by its own window still gets),
 * and the channel is closed if that handler did not. Pipeline position: before {@link HttpConnectionHandler}, or
 * before the HTTP/2 codec ({@link Http2Pipeline}), which it counts the written bytes of. Event-loop confined.
 */
public final class MinSendRateHandler extends ChannelDuplexHandler implements Runnable
{
    /**
     * The user event fired towards {@link HttpConnectionHandler} when the client accepts too little: abort and close.
     */
    public static final Object TOO_SLOW = new Object()
    {
        public String toString()
        {
            return "MinSendRateHandler.TOO_SLOW";
        }
    };

    /**
     * How long the connection must look drained (nothing buffered, nothing in flight, no zero-window probing) before
     * sampling stops; longer than Linux's least retransmission timeout (200 ms), after which the first zero-window
     * probe shows a closed window.
     */
    static final long IDLE_CONFIRM_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Samples taken over each window of the grace period.
     */
    static final int SAMPLES_PER_WINDOW = 4;

    private static final long NONE = Long.MIN_VALUE;

    // Netty counts this much per queued message on top of its bytes in totalPendingWriteBytes (same property, default).
    private static final long OUTBOUND_ENTRY_OVERHEAD =
        SystemPropertyUtil.getInt("io.netty.transport.outboundBufferEntrySizeOverhead", 96);

    private final NanoClock clock;
    private final SendRateWindow window;
    private final long sampleIntervalNs;
    private ChannelHandlerContext ctx;
    private long bytesWritten;
    private boolean closing;
    private boolean sampling;
    private long sampleDueNs;
    private long idleSinceNs = NONE;
    private EpollTcpInfo tcpInfo;
    private ScheduledFuture<?> timer;
    private BooleanSupplier protocolHold;

    /**
     * @param minBytesPerSecond the minimum send rate; above 0.
     * @param graceNs           the window it is measured over; above 0.
     * @param clock             the connection's clock.
     */
    public MinSendRateHandler(final long minBytesPerSecond, final long graceNs, final NanoClock clock)
    {
        this.window = new SendRateWindow(minBytesPerSecond, graceNs);
        this.sampleIntervalNs = Math.max(1, graceNs / SAMPLES_PER_WINDOW);
        this.clock = clock;
    }

    /**
     * @param config the connection settings.
     * @param clock  the connection's clock.
     * @return a handler for a new connection, or null when the minimum send rate is off.
     */
    public static MinSendRateHandler newInstance(final HttpConnectionConfig config, final NanoClock clock)
    {
        return HttpConnectionConfig.DISABLED == config.minSendRate() ?
            null : new MinSendRateHandler(config.minSendRate(), config.minSendRateGraceNs(), clock);
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        stop();
    }

    /**
     * {@inheritDoc}
     */
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof ByteBuf buf)
        {
            bytesWritten += buf.readableBytes();
            start();
        }
        ctx.write(msg, promise);
    }

    /**
     * Response bytes the connection wrote to the socket itself, not through the pipeline
     * ({@link ConnectionOutput#writeDirect}): written, and taken by the socket already.
     *
     * @param length how many.
     */
    void writtenDirectly(final int length)
    {
        bytesWritten += length;
        start();
    }

    /**
     * {@inheritDoc}
     */
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (!ctx.channel().isWritable())
        {
            start();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * {@inheritDoc}
     */
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closing = true;
        stop();
        ctx.fireChannelInactive();
    }

    /**
     * Let the connection's protocol say when it holds response bytes back for the client (HTTP/2 flow control): asked
     * at each sample, a hold counts as the client holding the response back.
     *
     * @param protocolHold true while response bytes wait for the client's flow-control window; event-loop confined.
     */
    void protocolHold(final BooleanSupplier protocolHold)
    {
        this.protocolHold = protocolHold;
    }

    /**
     * Response bytes may be waiting to be sent, perhaps held by the protocol before any reaches the channel: sampling
     * starts, unless it runs already or the connection is closing.
     */
    void responsePending()
    {
        start();
    }

    /**
     * The connection is closing: no new sampling starts (one under way goes on).
     */
    void connectionClosing()
    {
        closing = true;
    }

    /**
     * Stop sampling now (the connection closes, or lingers with its output shut down).
     */
    void stop()
    {
        sampling = false;
        final ScheduledFuture<?> armed = timer;
        if (null != armed)
        {
            timer = null;
            armed.cancel(false);
        }
    }

    /**
     * @return true while samples are being taken.
     */
    boolean isSampling()
    {
        return sampling;
    }

    /**
     * A sample is due.
     */
    public void run()
    {
        timer = null;
        if (!sampling || !ctx.channel().isActive())
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        if (nowNs - sampleDueNs < 0)
        {
            schedule(nowNs);
            return;
        }
        if (sample(nowNs))
        {
            schedule(nowNs);
        }
    }

    private void start()
    {
        if (sampling || closing)
        {
            return;
        }
        sampling = true;
        idleSinceNs = NONE;
        final long nowNs = clock.nanoTime();
        sampleDueNs = nowNs + sampleIntervalNs;
        schedule(nowNs);
    }

    private void schedule(final long nowNs)
    {
        timer = ctx.executor().schedule(this, Math.max(0, sampleDueNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /**
     * @return true when sampling goes on; false when it stopped: the connection was too slow, or is drained.
     */
    private boolean sample(final long nowNs)
    {
        final Channel channel = ctx.channel();
        boolean kernelHolds = false;
        boolean windowClosed = false;
        int backoff = 0;
        long dataSentAgoNs = Long.MAX_VALUE;
        if (channel instanceof EpollSocketChannel epoll)
        {
            if (null == tcpInfo)
            {
                tcpInfo = new EpollTcpInfo();
            }
            try
            {
                epoll.tcpInfo(tcpInfo);
                backoff = tcpInfo.backoff();
                dataSentAgoNs = TimeUnit.MILLISECONDS.toNanos(tcpInfo.lastDataSent());
                kernelHolds = tcpInfo.unacked() > 0 || backoff > 0;
                windowClosed = tcpInfo.unacked() == 0 && backoff > 0;
            }
            catch (final RuntimeException ex)
            {
                // the socket is closing: the connection's own close handling follows
            }
        }
        final boolean socketStalled = !channel.isWritable() || windowClosed;
        final boolean stalled = socketStalled || (null != protocolHold && protocolHold.getAsBoolean());
        final int verdict = window.sample(
            nowNs,
            bytesAccepted(channel),
            stalled,
            socketStalled ? backoff : 0,
            socketStalled ? dataSentAgoNs : Long.MAX_VALUE);
        if (SendRateWindow.TOO_SLOW == verdict)
        {
            sampling = false;
            closing = true;
            if (socketStalled)
            {
                // reset, as HTTP.sys does: what the kernel still holds for this client is dropped, not delivered later
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            ctx.fireUserEventTriggered(TOO_SLOW);
            if (channel.isOpen())
            {
                ctx.close();
            }
            return false;
        }

        if (stalled || kernelHolds || hasPendingOutput(channel))
        {
            idleSinceNs = NONE;
        }
        else if (NONE == idleSinceNs)
        {
            idleSinceNs = nowNs;
        }
        else if (nowNs - idleSinceNs >= IDLE_CONFIRM_NS)
        {
            // everything sent was acknowledged: sample again once more is written
            sampling = false;
            window.reset();
            return false;
        }
        sampleDueNs = nowNs + sampleIntervalNs;
        return true;
    }

    /**
     * @return response bytes the socket has taken since the connection opened: bytes written to the channel less
     * those still queued in it (Netty counts a fixed overhead per queued message, taken off here).
     */
    private long bytesAccepted(final Channel channel)
    {
        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        if (null == outbound)
        {
            return bytesWritten;
        }
        final long pendingBytes = outbound.totalPendingWriteBytes() - OUTBOUND_ENTRY_OVERHEAD * outbound.size();
        return bytesWritten - Math.max(0, pendingBytes);
    }

    /**
     * @param channel a connection.
     * @return true while response bytes are queued in the channel, not yet taken by the socket.
     */
    static boolean hasPendingOutput(final Channel channel)
    {
        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return null != outbound && outbound.totalPendingWriteBytes() > 0;
    }
}
