package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.config.AdminConfiguration;
import io.sluice.listener.http.DateHeader;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.StrictRequestDecoder;
import io.sluice.listener.queue.Transport;
import io.sluice.listener.routing.RequestTargets;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin endpoint on its own port: {@code GET /health} (200 "ok"), {@code GET /config} (the effective
 * configuration, see {@link Listener#effectiveConfiguration()}) and {@code GET /metrics} (the listener's
 * counters in the Prometheus text format, see {@link AdminMetrics}), {@code GET /status} (a JSON status document) and
 * {@code POST /queues/<name>/offline}, {@code /online} and {@code /recycle} ({@link AdminOperations}). Not on the
 * request path; allocates freely.
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

    private final Transport transport;
    private final int port;
    private final AdminConfiguration config;
    private final AdminCounters counters;
    private final AdminTimeouts timeouts;
    private final Supplier<String> metrics;
    private final Function<String, String> documents;
    private final AdminOperations operations;
    private EventLoopGroup group;
    private Channel channel;

    /**
     * @param transport the listener's transport, whose channel classes the admin port uses (on a loop of its own).
     * @param port      the admin port.
     * @param config    the admin port's limits and timers.
     * @param counters  the admin port's own counters.
     * @param metrics   makes the text of {@code /metrics} when it is answered.
     * @param documents the text of a further path ({@code /config}), or null for a path not served.
     */
    AdminServer(
        final Transport transport,
        final int port,
        final AdminConfiguration config,
        final AdminCounters counters,
        final Supplier<String> metrics,
        final Function<String, String> documents)
    {
        this(transport, port, config, counters, metrics, documents, null);
    }

    /**
     * @param transport  the listener's transport, whose channel classes the admin port uses (on a loop of its own).
     * @param port       the admin port.
     * @param config     the admin port's limits and timers.
     * @param counters   the admin port's own counters.
     * @param metrics    makes the text of {@code /metrics} when it is answered.
     * @param documents  the text of a further path ({@code /config}), or null for a path not served.
     * @param operations the status document and queue operations, or null for none.
     */
    AdminServer(
        final Transport transport,
        final int port,
        final AdminConfiguration config,
        final AdminCounters counters,
        final Supplier<String> metrics,
        final Function<String, String> documents,
        final AdminOperations operations)
    {
        this.documents = documents;
        this.operations = operations;
        this.transport = transport;
        this.port = port;
        this.config = config;
        this.counters = counters;
        this.timeouts = AdminTimeouts.of(config);
        this.metrics = metrics;
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
        return counters.openConnections();
    }

    /**
     * @return admin connections closed at once because {@code adminMaxConnections} were open.
     */
    long refusedConnections()
    {
        return counters.refusedConnections();
    }

    /**
     * @return the most output bytes any admin connection has held pending (written, not yet taken by the kernel)
     * since the start.
     */
    long pendingOutboundHighWaterLength()
    {
        return counters.pendingOutboundHighWaterLength();
    }

    /**
     * @return admin connections reset because their client held answers back, taking them slower than
     * {@value #MIN_SEND_RATE} bytes per second.
     */
    long slowClosedConnections()
    {
        return counters.slowClosedConnections();
    }

    /**
     * @return admin requests answered since the start.
     */
    long answeredRequests()
    {
        return counters.answeredRequests();
    }

    private void accept(final SocketChannel ch)
    {
        if (!counters.tryOpen(config.maxConnections()))
        {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return;
        }
        ch.closeFuture().addListener((ChannelFutureListener)(future) -> counters.closed());
        new AdminConnection(ch, timeouts, counters, metrics, documents, operations).install();
    }
}
