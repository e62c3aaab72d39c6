package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.listener.config.AdminConfiguration;
import io.sluice.listener.hosting.Host;
import io.sluice.listener.hosting.LoopbackHost;
import io.sluice.listener.hosting.RequestQueue;
import io.sluice.listener.hosting.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.process.WorkerSupervisor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin endpoint on its own port: {@code GET /health} (200 "ok") and {@code GET /metrics} (plain-text gauges:
 * open client connections and connections refused past {@code maxConnections}; response bytes held in the client
 * connections' outbound buffers, in all and the most of one; per queue: length, bound, requests
 * refused, worker PIDs; open and refused admin connections). Not on the request path; allocates freely.
 * <p>
 * It never competes with client traffic: it runs on an event loop of its own, listens on its own address
 * ({@code adminBind}, the loopback address by default), and holds little per connection whatever a client does:
 * <ul>
 *     <li>at most {@code adminMaxConnections} connections; one past it is closed at once;</li>
 *     <li>reads of at most {@value #READ_LENGTH} bytes, a kernel send buffer of {@value #SEND_BUFFER_LENGTH} bytes,
 *     and no reading while the connection is over its write
 *     limit ({@value #WRITE_HIGH_WATER_MARK_LENGTH} bytes): a client that pipelines requests and does not read the
 *     answers stops being read, and requests already decoded wait for the socket to drain before they are
 *     answered, so a connection's pending output stays under the write limit plus one response;</li>
 *     <li>{@code adminHeaderWait}: a request head begun must be complete within it; {@code adminIdleConnection}: a
 *     connection with nothing in flight is closed after it.</li>
 * </ul>
 */
final class AdminServer implements AutoCloseable
{
    /**
     * Most bytes read from an admin connection in one read: {@value}.
     */
    static final int READ_LENGTH = 4096;

    /**
     * Pending output of an admin connection past which it is not writable and no longer read: {@value} bytes.
     */
    static final int WRITE_HIGH_WATER_MARK_LENGTH = 64 * 1024;

    /**
     * Pending output below which an admin connection is writable again: {@value} bytes.
     */
    static final int WRITE_LOW_WATER_MARK_LENGTH = 16 * 1024;

    /**
     * Kernel send buffer of an admin connection: {@value} bytes, so that the kernel too holds little for a client
     * that does not read.
     */
    static final int SEND_BUFFER_LENGTH = 64 * 1024;

    /**
     * Largest admin request accepted (head and body): {@value} bytes.
     */
    static final int MAX_REQUEST_LENGTH = 4096;

    /**
     * Most decoded requests an admin connection may hold waiting for its socket to drain: {@value}. One read of
     * {@value #READ_LENGTH} bytes cannot hold more, so this is a safety net.
     */
    static final int BACKLOG_MAX = READ_LENGTH;

    private static final long TIMER_PERIOD_MAX_MS = 1_000;
    private static final long TIMER_PERIOD_MIN_MS = 10;
    private static final int TIMER_DIVISOR = 4;

    private final Transport transport;
    private final int port;
    private final AdminConfiguration config;
    private final Map<String, RequestQueue> queues;
    private final Map<String, Host> hosts;
    private final ConnectionLimiter connections;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong pendingOutboundHighWaterLength = new AtomicLong();
    private final AtomicLong answeredRequests = new AtomicLong();
    private final long headerWaitNs;
    private final long idleConnectionNs;
    private final long timerPeriodMs;
    private EventLoopGroup group;
    private Channel channel;

    AdminServer(
        final Transport transport,
        final int port,
        final AdminConfiguration config,
        final Map<String, RequestQueue> queues,
        final Map<String, Host> hosts,
        final ConnectionLimiter connections)
    {
        this.transport = transport;
        this.port = port;
        this.config = config;
        this.queues = queues;
        this.hosts = hosts;
        this.connections = connections;
        this.headerWaitNs = TimeUnit.MILLISECONDS.toNanos(config.headerWaitMs());
        this.idleConnectionNs = TimeUnit.MILLISECONDS.toNanos(config.idleConnectionMs());
        this.timerPeriodMs = timerPeriodMs(config.headerWaitMs(), config.idleConnectionMs());
    }

    // RCVBUF_ALLOCATOR and MAX_MESSAGES_PER_READ are deprecated in Netty 4.2 but remain the way to bound one read
    @SuppressWarnings("deprecation")
    void start()
    {
        group = transport.newGroup(1, "sluice-admin");
        try
        {
            channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_LENGTH))
                .childOption(ChannelOption.MAX_MESSAGES_PER_READ, 1)
                .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_LENGTH)
                .childOption(
                    ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(WRITE_LOW_WATER_MARK_LENGTH, WRITE_HIGH_WATER_MARK_LENGTH))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    protected void initChannel(final SocketChannel ch)
                    {
                        accept(ch);
                    }
                })
                .bind(new InetSocketAddress(config.bindAddress(), port))
                .syncUninterruptibly()
                .channel();
        }
        catch (final Exception ex)
        {
            close();
            throw new IllegalStateException(
                "cannot listen on admin port " + config.bindAddress() + ":" + port + ": " + ex.getMessage(), ex);
        }
    }

    public void close()
    {
        if (null != channel)
        {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (null != group)
        {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /**
     * @return the address the admin port is bound on, or null when not started.
     */
    InetSocketAddress localAddress()
    {
        final Channel server = channel;
        return null == server ? null : (InetSocketAddress)server.localAddress();
    }

    /**
     * @return open admin connections.
     */
    int openConnections()
    {
        return openConnections.get();
    }

    /**
     * @return admin connections closed at once because {@code adminMaxConnections} were open.
     */
    long refusedConnections()
    {
        return refusedConnections.get();
    }

    /**
     * @return the most output bytes any admin connection has held pending (written, not yet taken by the kernel)
     * since the start.
     */
    long pendingOutboundHighWaterLength()
    {
        return pendingOutboundHighWaterLength.get();
    }

    /**
     * @return admin requests answered since the start.
     */
    long answeredRequests()
    {
        return answeredRequests.get();
    }

    private void accept(final SocketChannel ch)
    {
        if (openConnections.incrementAndGet() > config.maxConnections())
        {
            openConnections.decrementAndGet();
            refusedConnections.incrementAndGet();
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return;
        }
        ch.closeFuture().addListener((ChannelFutureListener)(future) -> openConnections.decrementAndGet());
        final Connection connection = new Connection(ch);
        ch.pipeline()
            .addLast(connection.bytes)
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(MAX_REQUEST_LENGTH))
            .addLast(connection);
    }

    static long timerPeriodMs(final long headerWaitMs, final long idleConnectionMs)
    {
        long shortestMs = TIMER_PERIOD_MAX_MS * TIMER_DIVISOR;
        if (headerWaitMs > 0)
        {
            shortestMs = Math.min(shortestMs, headerWaitMs);
        }
        if (idleConnectionMs > 0)
        {
            shortestMs = Math.min(shortestMs, idleConnectionMs);
        }
        return Math.max(TIMER_PERIOD_MIN_MS, shortestMs / TIMER_DIVISOR);
    }

    private String metrics()
    {
        final StringBuilder out = new StringBuilder();
        out.append("sluice_connections ").append(connections.openCount()).append('\n');
        out.append("sluice_connections_refused_total ").append(connections.refusedCount()).append('\n');
        out.append("sluice_admin_connections ").append(openConnections.get()).append('\n');
        out.append("sluice_admin_connections_refused_total ").append(refusedConnections.get()).append('\n');
        final ConnectionLimiter.OutboundBytes outbound = connections.outboundBytes();
        out.append("sluice_outbound_pending_bytes ").append(outbound.totalLength()).append('\n');
        out.append("sluice_outbound_pending_bytes_max ").append(outbound.largestLength()).append('\n');
        for (final Map.Entry<String, RequestQueue> entry : queues.entrySet())
        {
            final String name = entry.getKey();
            final RequestQueue queue = entry.getValue();
            out.append("sluice_queue_length{queue=\"").append(name).append("\"} ").append(queue.length()).append('\n');
            out.append("sluice_queue_capacity{queue=\"").append(name).append("\"} ")
                .append(queue.capacity()).append('\n');
            out.append("sluice_queue_rejected_total{queue=\"").append(name).append("\"} ")
                .append(queue.rejectedCount()).append('\n');
            final Host host = hosts.get(name);
            WorkerSupervisor supervisor = null;
            if (host instanceof SharedMemoryHost shm)
            {
                supervisor = shm.supervisor();
            }
            else if (host instanceof LoopbackHost loopback)
            {
                supervisor = loopback.supervisor();
            }
            if (null != supervisor)
            {
                out.append("sluice_queue_workers{queue=\"").append(name).append("\"} ")
                    .append(supervisor.pids().size()).append('\n');
                out.append("sluice_queue_stopped{queue=\"").append(name).append("\"} ")
                    .append(supervisor.isQueueStopped() ? 1 : 0).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * One admin connection: its timers, its backlog of decoded requests waiting for the socket to drain, and the
     * answers. Event-loop confined.
     */
    private final class Connection extends ChannelInboundHandlerAdapter
    {
        private final Channel ch;
        private final ArrayDeque<FullHttpRequest> backlog = new ArrayDeque<>();
        private final ScheduledFuture<?> timer;
        private final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter()
        {
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (msg instanceof ByteBuf buf && buf.isReadable() && !partialHead)
                {
                    partialHead = true;
                    headStartNs = System.nanoTime();
                }
                ctx.fireChannelRead(msg);
            }
        };
        private boolean partialHead;
        private boolean closing;
        private long headStartNs;
        private long lastActivityNs = System.nanoTime();

        Connection(final Channel ch)
        {
            this.ch = ch;
            this.timer = ch.eventLoop().scheduleAtFixedRate(
                this::onTimer, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (closing || !(msg instanceof FullHttpRequest request))
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            partialHead = false;
            lastActivityNs = System.nanoTime();
            if (backlog.isEmpty() && ch.isWritable())
            {
                answer(ctx, request);
            }
            else if (backlog.size() < BACKLOG_MAX)
            {
                backlog.addLast(request);
            }
            else
            {
                request.release();
                ctx.close();
                return;
            }
            updateAutoRead();
        }

        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            FullHttpRequest request;
            while (!closing && ch.isWritable() && null != (request = backlog.pollFirst()))
            {
                answer(ctx, request);
            }
            updateAutoRead();
            ctx.fireChannelWritabilityChanged();
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            timer.cancel(false);
            closing = true;
            releaseBacklog();
            ctx.fireChannelInactive();
        }

        private void releaseBacklog()
        {
            FullHttpRequest request;
            while (null != (request = backlog.pollFirst()))
            {
                request.release();
            }
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private void updateAutoRead()
        {
            final boolean wanted = !closing && backlog.isEmpty() && ch.isWritable();
            if (ch.config().isAutoRead() != wanted)
            {
                ch.config().setAutoRead(wanted);
            }
        }

        private void onTimer()
        {
            if (!ch.isActive())
            {
                timer.cancel(false);
                return;
            }
            final long nowNs = System.nanoTime();
            if (partialHead)
            {
                if (headerWaitNs > 0 && nowNs - headStartNs > headerWaitNs)
                {
                    ch.close();
                }
            }
            else if (idleConnectionNs > 0 && backlog.isEmpty() && pendingOutboundLength() == 0 &&
                nowNs - lastActivityNs > idleConnectionNs)
            {
                ch.close();
            }
        }

        private long pendingOutboundLength()
        {
            final ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
            return null == outbound ? 0 : outbound.totalPendingWriteBytes();
        }

        private void answer(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            try
            {
                final boolean bad = request.decoderResult().isFailure();
                final String path = request.uri();
                final HttpResponseStatus status;
                final String body;
                if (bad)
                {
                    status = HttpResponseStatus.BAD_REQUEST;
                    body = "bad request\n";
                }
                else if ("/health".equals(path))
                {
                    status = HttpResponseStatus.OK;
                    body = "ok\n";
                }
                else if ("/metrics".equals(path))
                {
                    status = HttpResponseStatus.OK;
                    body = metrics();
                }
                else
                {
                    status = HttpResponseStatus.NOT_FOUND;
                    body = "not found\n";
                }
                final FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                HttpUtil.setContentLength(response, response.content().readableBytes());
                final boolean keepAlive = !bad && HttpUtil.isKeepAlive(request);
                HttpUtil.setKeepAlive(response, keepAlive);
                lastActivityNs = System.nanoTime();
                if (keepAlive)
                {
                    ctx.writeAndFlush(response, ctx.voidPromise());
                }
                else
                {
                    closing = true;
                    releaseBacklog();
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
                pendingOutboundHighWaterLength.accumulateAndGet(pendingOutboundLength(), Math::max);
                answeredRequests.incrementAndGet();
            }
            finally
            {
                request.release();
            }
        }
    }
}
