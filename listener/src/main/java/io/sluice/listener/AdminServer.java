package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.config.AdminConfiguration;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.http.DateHeader;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.HttpConnectionHandler;
import io.sluice.listener.http.HttpStatusException;
import io.sluice.listener.http.SendRateWindow;
import io.sluice.listener.http.StrictDecoderConfig;
import io.sluice.listener.http.StrictRequestDecoder;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.ResponseHeads;
import io.sluice.listener.queue.Transport;
import io.sluice.listener.routing.RequestTargets;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin endpoint on its own port: {@code GET /health} (200 "ok") and {@code GET /metrics} (plain-text gauges:
 * open client connections and connections refused past {@code maxConnections}; response bytes held in the client
 * connections' outbound buffers, in all and the most of one; per queue: length, bound, requests
 * refused, worker PIDs, and a shared-memory queue's counters (failed workers, ring repairs, requests of workers that
 * died, timeouts, response bytes outstanding); open and refused admin connections). Not on the request path;
 * allocates freely.
 * <p>
 * It speaks HTTP as the data plane does, with the same pieces: requests are read by {@link StrictRequestDecoder}
 * (with admin-sized limits), {@code Host} and the target are checked by {@link RequestTargets} and
 * {@link PathNormalizer}, {@code CONNECT} is refused with 501, an HTTP/1.0 request asking to be kept alive is answered
 * with {@code connection: keep-alive}, and every answer carries the listener's {@link DateHeader}. Other methods than
 * {@code GET} and {@code HEAD} are 405, {@code OPTIONS *} lists them, other paths are 404.
 * <p>
 * It never competes with client traffic: it runs on an event loop of its own, listens on its own address
 * ({@code adminBind}, the loopback address by default), and holds little per connection whatever a client does:
 * <ul>
 *     <li>at most {@code adminMaxConnections} connections; one past it is closed at once;</li>
 *     <li>reads of at most {@value #READ_LENGTH} bytes, kernel send and receive buffers of
 *     {@value #SEND_BUFFER_LENGTH} and {@value #RECEIVE_BUFFER_LENGTH} bytes, and no reading while the connection
 *     is over its write limit ({@value #WRITE_HIGH_WATER_MARK_LENGTH} bytes): a client that pipelines requests and
 *     does not read the answers stops being read, and requests already decoded wait for the socket to drain before
 *     they are answered, so a connection's pending output stays under the write limit plus one response;</li>
 *     <li>a connection whose answers are held back by its client, taking less than the data plane's default minimum
 *     send rate ({@value #MIN_SEND_RATE} bytes per second) over a window of {@code adminIdleConnection}, is reset,
 *     so clients that pipeline and never read cannot hold the admin port's connections;</li>
 *     <li>{@code adminHeaderWait}: a request begun (from its first byte, or from the end of the previous
 *     request) must be complete within it, head and body, else 408 and close; {@code adminIdleConnection}: a connection with
 *     nothing to send and no byte received for that long is closed.</li>
 *     <li>an answer that ends the connection (a refusal, {@code connection: close}) is followed by a lingering
 *     close, as on the data plane: output shut, what the client still sends read and discarded for a bounded time
 *     and length, so that the client is not reset before it has read the answer.</li>
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
     * Kernel receive buffer of an admin connection: {@value} bytes, so that a client the listener stops reading
     * cannot park much in the kernel either.
     */
    static final int RECEIVE_BUFFER_LENGTH = 16 * 1024;

    /**
     * Bytes per second a client must take of answers it holds back: {@value}, the data plane's default.
     */
    static final long MIN_SEND_RATE = HttpConnectionConfig.MIN_SEND_RATE_DEFAULT;

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
    private static final int HEAD_LENGTH_ESTIMATE = 256;
    private static final String ASTERISK = "*";
    private static final String HEALTH_PATH = "/health";
    private static final String METRICS_PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final String ALLOW = "GET, HEAD";
    private static final StrictDecoderConfig DECODER_CONFIG = new StrictDecoderConfig()
        .maxInitialLineLength(MAX_REQUEST_LENGTH)
        .maxUrlLength(MAX_REQUEST_LENGTH)
        .maxFieldLength(MAX_REQUEST_LENGTH)
        .maxHeaderSize(MAX_REQUEST_LENGTH)
        .maxRequestBodySize(MAX_REQUEST_LENGTH)
        .maxChunkSize(READ_LENGTH);

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
    private final AtomicLong slowClosedConnections = new AtomicLong();
    private final long headerWaitNs;
    private final long idleConnectionNs;
    private final long timerPeriodMs;
    private final long sendRateGraceNs;
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
        this.sendRateGraceNs =
            idleConnectionNs > 0 ? idleConnectionNs : HttpConnectionConfig.MIN_SEND_RATE_GRACE_DEFAULT_NS;
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
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_LENGTH)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_LENGTH))
                .childOption(ChannelOption.MAX_MESSAGES_PER_READ, 1)
                .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_LENGTH)
                .childOption(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_LENGTH)
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
     * @return admin connections reset because their client held answers back, taking them slower than
     * {@value #MIN_SEND_RATE} bytes per second.
     */
    long slowClosedConnections()
    {
        return slowClosedConnections.get();
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
            .addLast(connection.decoder)
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
                sharedMemoryMetrics(out, name, shm);
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
     * What one admin request is answered, decided when its head arrives; answered once its body (if any) is in.
     *
     * @param status      HTTP status.
     * @param body        text of the body, or null for the metrics, made when answered.
     * @param headRequest true for {@code HEAD}: the head of the answer only.
     * @param keepAlive   true when the connection stays open after the answer.
     * @param http10      true for an HTTP/1.0 request: a kept connection is answered with {@code connection:
     *                    keep-alive}.
     * @param allow       true to list the methods the admin port serves ({@code allow}).
     */
    private record Answer(
        int status, String body, boolean headRequest, boolean keepAlive, boolean http10, boolean allow)
    {
        static Answer refusal(final int status, final String body)
        {
            return new Answer(status, body + "\n", false, false, false, false);
        }
    }

    /**
     * Decide the answer to a request head, by the rules the data plane applies before routing (RFC 9110/9112): a
     * refusal of the decoder, {@code CONNECT}, a missing, repeated or invalid {@code Host} and an invalid target are
     * answered and the connection closed; then {@code /health} and {@code /metrics} serve {@code GET} and
     * {@code HEAD} (another method 405), {@code OPTIONS *} lists them, and any other path is 404.
     *
     * @param request as decoded by {@link StrictRequestDecoder}.
     * @return the answer.
     */
    private static Answer answerTo(final HttpRequest request)
    {
        final DecoderResult result = request.decoderResult();
        if (result.isFailure())
        {
            return refusalOf(result.cause());
        }
        final HttpMethod method = request.method();
        if (HttpMethod.CONNECT.equals(method))
        {
            return Answer.refusal(HttpResponseStatus.NOT_IMPLEMENTED.code(), "not implemented: CONNECT");
        }
        final List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() == HttpVersion.HTTP_1_1))
        {
            return Answer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: one Host header required");
        }
        if (!hosts.isEmpty() && !RequestTargets.isValidAuthority(hosts.get(0)))
        {
            return Answer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid Host header");
        }
        CharSequence target = request.uri();
        if (RequestTargets.isAbsoluteForm(target))
        {
            if (null == RequestTargets.authority(target))
            {
                return Answer.refusal(
                    HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid request target authority");
            }
            target = RequestTargets.pathAndQuery(target);
        }

        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        final boolean headRequest = HttpMethod.HEAD.equals(method);
        if (ASTERISK.contentEquals(target) && HttpMethod.OPTIONS.equals(method))
        {
            return new Answer(HttpResponseStatus.OK.code(), "", false, keepAlive, http10, true);
        }
        final String path = PathNormalizer.normalize(target);
        if (null == path)
        {
            return Answer.refusal(HttpResponseStatus.BAD_REQUEST.code(), "bad request: invalid request target");
        }
        final boolean health = HEALTH_PATH.equals(path);
        if (!health && !METRICS_PATH.equals(path))
        {
            return new Answer(
                HttpResponseStatus.NOT_FOUND.code(), "not found\n", headRequest, keepAlive, http10, false);
        }
        if (!headRequest && !HttpMethod.GET.equals(method))
        {
            return new Answer(
                HttpResponseStatus.METHOD_NOT_ALLOWED.code(), "method not allowed\n", false, keepAlive, http10, true);
        }
        return new Answer(HttpResponseStatus.OK.code(), health ? "ok\n" : null, headRequest, keepAlive, http10, false);
    }

    private static Answer refusalOf(final Throwable cause)
    {
        final int status = cause instanceof HttpStatusException refusal ?
            refusal.status() : HttpResponseStatus.BAD_REQUEST.code();
        final String reason = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
        return Answer.refusal(status, null == cause.getMessage() ? reason : reason + ": " + cause.getMessage());
    }

    /**
     * The counters of a shared-memory queue: read without waiting for its event loop (each is kept on the loop and
     * published with an ordered write).
     */
    private static void sharedMemoryMetrics(final StringBuilder out, final String name, final SharedMemoryHost host)
    {
        metric(out, "sluice_queue_failed_workers_total", name, host.failedWorkerCount());
        metric(out, "sluice_queue_ring_repairs_total", name, host.ringRepairCount());
        metric(out, "sluice_queue_worker_exit_failed_total", name, host.failedOnWorkerExitCount());
        metric(out, "sluice_queue_worker_exit_retried_total", name, host.retriedOnWorkerExitCount());
        metric(out, "sluice_queue_worker_exit_left_total", name, host.leftForReplacementCount());
        metric(out, "sluice_queue_timed_out_total", name, host.timedOutCount());
        metric(out, "sluice_queue_response_bytes_outstanding", name, host.responseBytesOutstanding());
        metric(out, "sluice_queue_response_bytes_outstanding_max", name, host.maxResponseBytesOutstanding());
    }

    private static void metric(final StringBuilder out, final String metric, final String queue, final long value)
    {
        out.append(metric).append("{queue=\"").append(queue).append("\"} ").append(value).append('\n');
    }

    /**
     * One admin connection: its decoder, its timers, its backlog of decoded requests waiting for the socket to drain,
     * and the answers. Event-loop confined.
     */
    private final class Connection extends ChannelInboundHandlerAdapter
    {
        private final Channel ch;
        private final StrictRequestDecoder decoder = new StrictRequestDecoder(DECODER_CONFIG);
        private final ArrayDeque<Answer> backlog = new ArrayDeque<>();
        private final SendRateWindow sendRate = new SendRateWindow(MIN_SEND_RATE, sendRateGraceNs);
        private final ScheduledFuture<?> timer;
        private final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter()
        {
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (msg instanceof ByteBuf buf && buf.isReadable())
                {
                    if (lingering)
                    {
                        lingerLength += buf.readableBytes();
                        if (lingerLength > HttpConnectionHandler.LINGER_MAX_BYTES)
                        {
                            ctx.close();
                        }
                    }
                    final long nowNs = System.nanoTime();
                    lastActivityNs = nowNs;
                    if (decoder.isAwaitingRequest())
                    {
                        headStartNs = nowNs;
                    }
                }
                ctx.fireChannelRead(msg);
            }
        };
        private Answer receiving;
        private boolean closing;
        private boolean lingering;
        private long lingerStartNs;
        private long lingerLength;
        private long writtenBytes;
        private long headStartNs = System.nanoTime();
        private long lastActivityNs = headStartNs;

        Connection(final Channel ch)
        {
            this.ch = ch;
            this.timer = ch.eventLoop().scheduleAtFixedRate(
                this::onTimer, timerPeriodMs, timerPeriodMs, TimeUnit.MILLISECONDS);
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (closing)
                {
                    return;
                }
                if (msg instanceof HttpRequest request)
                {
                    receiving = answerTo(request);
                    if (request.decoderResult().isFailure())
                    {
                        // the decoder refused the request and emits nothing after it: answer now, then close
                        final Answer refusal = receiving;
                        receiving = null;
                        admit(ctx, refusal);
                        return;
                    }
                }
                if (msg instanceof LastHttpContent last && null != receiving)
                {
                    final Answer answer = last.decoderResult().isFailure() ?
                        refusalOf(last.decoderResult().cause()) : receiving;
                    receiving = null;
                    // the next head, if any, is timed from the end of this request
                    headStartNs = System.nanoTime();
                    lastActivityNs = headStartNs;
                    admit(ctx, answer);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private void admit(final ChannelHandlerContext ctx, final Answer answer)
        {
            if (backlog.isEmpty() && ch.isWritable())
            {
                answer(ctx, answer);
            }
            else if (backlog.size() < BACKLOG_MAX)
            {
                backlog.addLast(answer);
            }
            else
            {
                ctx.close();
                return;
            }
            updateAutoRead();
        }

        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            Answer answer;
            while (!closing && ch.isWritable() && null != (answer = backlog.pollFirst()))
            {
                answer(ctx, answer);
            }
            updateAutoRead();
            ctx.fireChannelWritabilityChanged();
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            timer.cancel(false);
            closing = true;
            backlog.clear();
            ctx.fireChannelInactive();
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private void updateAutoRead()
        {
            final boolean wanted = lingering || (!closing && backlog.isEmpty() && ch.isWritable());
            if (ch.config().isAutoRead() != wanted)
            {
                if (wanted && isReceivingRequest())
                {
                    // the head waited on the listener, not on the client: its time starts again
                    headStartNs = System.nanoTime();
                }
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
            final long pendingLength = pendingOutboundLength();
            if (SendRateWindow.TOO_SLOW ==
                sendRate.sample(nowNs, writtenBytes - pendingLength, pendingLength > 0, 0, Long.MAX_VALUE))
            {
                // the client does not take its answers: reset, dropping what is pending, as the data plane does
                slowClosedConnections.incrementAndGet();
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                closing = true;
                ch.close();
                return;
            }
            if (lingering && nowNs - lingerStartNs > HttpConnectionHandler.LINGER_DEFAULT_NS)
            {
                ch.close();
                return;
            }
            if (closing)
            {
                return;
            }
            if (headerWaitNs > 0 && ch.config().isAutoRead() && isReceivingRequest() &&
                nowNs - headStartNs > headerWaitNs)
            {
                if (backlog.isEmpty() && 0 == pendingLength)
                {
                    answer(ch.pipeline().context(this), Answer.refusal(
                        HttpResponseStatus.REQUEST_TIMEOUT.code(), "request timeout: request head not received"));
                }
                else
                {
                    ch.close();
                }
            }
            else if (idleConnectionNs > 0 && backlog.isEmpty() && 0 == pendingLength &&
                nowNs - lastActivityNs > idleConnectionNs)
            {
                ch.close();
            }
        }

        /**
         * Close after the last answer as the data plane does (RFC 9112 9.6): shut the output, then read and discard
         * what the client still sends, so that it is not reset before it has read the answer, until it closes, or
         * {@link HttpConnectionHandler#LINGER_MAX_BYTES} or {@link HttpConnectionHandler#LINGER_DEFAULT_NS} pass.
         */
        private void linger(final Future<? super Void> flushed)
        {
            if (!flushed.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex) ||
                duplex.isInputShutdown())
            {
                ch.close();
                return;
            }
            lingering = true;
            lingerStartNs = System.nanoTime();
            duplex.shutdownOutput().addListener((ChannelFutureListener)(future) ->
            {
                if (!future.isSuccess())
                {
                    future.channel().close();
                }
            });
            updateAutoRead();
        }

        /**
         * @return true from the first byte of a request to its last: the header wait bounds the whole request (its
         * body, of at most {@value #MAX_REQUEST_LENGTH} bytes, too), so a client trickling a body holds no connection.
         */
        private boolean isReceivingRequest()
        {
            return null != receiving || decoder.isReceivingHead();
        }

        private long pendingOutboundLength()
        {
            final ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
            return null == outbound ? 0 : outbound.totalPendingWriteBytes();
        }

        private void answer(final ChannelHandlerContext ctx, final Answer answer)
        {
            final byte[] body = (null == answer.body() ? metrics() : answer.body()).getBytes(StandardCharsets.UTF_8);
            final ByteBuf buf = ctx.alloc().buffer(HEAD_LENGTH_ESTIMATE + body.length);
            ResponseHeads.statusLine(buf, answer.status());
            if (body.length > 0)
            {
                ResponseHeads.header(buf, HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            }
            ResponseHeads.header(buf, HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (answer.allow())
            {
                ResponseHeads.header(buf, HttpHeaderNames.ALLOW, ALLOW);
            }
            DateHeader.SYSTEM.write(buf);
            if (!answer.keepAlive())
            {
                ResponseHeads.header(buf, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            else if (answer.http10())
            {
                // HTTP/1.0 closes by default: a client that asked to keep the connection is told it is kept
                ResponseHeads.header(buf, HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ResponseHeads.end(buf);
            if (!answer.headRequest())
            {
                buf.writeBytes(body);
            }
            writtenBytes += buf.readableBytes();
            lastActivityNs = System.nanoTime();
            if (answer.keepAlive())
            {
                ctx.writeAndFlush(buf, ctx.voidPromise());
            }
            else
            {
                closing = true;
                backlog.clear();
                ctx.writeAndFlush(buf).addListener(this::linger);
            }
            pendingOutboundHighWaterLength.accumulateAndGet(pendingOutboundLength(), Math::max);
            answeredRequests.incrementAndGet();
        }
    }
}
