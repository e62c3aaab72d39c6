package io.sluice.benchmarks.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WebSocket echo load generator: one event loop (native epoll where available) holding the scenario's
 * connections, each opened with the HTTP/1.1 upgrade handshake and then keeping exactly one binary message of the
 * scenario's length outstanding (closed loop, like wrk's one request per connection): it sends a message, waits for its
 * echo, checks the echo is byte for byte the message sent (each message carries its connection and sequence number),
 * and sends the next. Client frames are masked, as RFC 6455 requires. Counted: the echoes received between the moment
 * every connection is open and the end of the run; a message in flight at the end is not counted. Run by the harness
 * as a JVM of its own pinned to the load CPUs ({@link #main}), so that its CPU is the load generator's, as wrk's is.
 */
final class WsEchoClient
{
    /**
     * The line {@link #main} prints, parsed by {@link #parse}.
     */
    static final String RESULT_PREFIX = "ws-echo result:";

    private static final int MAX_FRAME_BYTES = 65_536;
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final int STOP_TIMEOUT_MS = 10_000;
    private static final int SEQUENCE_OFFSET = 4;
    private static final int HEADER_BYTES = 12;
    private static final Pattern RESULT = Pattern.compile(Pattern.quote(RESULT_PREFIX) +
        " messages=(\\d+) durationUs=(\\d+) bytes=(\\d+) handshakeFailed=(\\d+) closed=(\\d+) mismatched=(\\d+)");

    /**
     * What a run counted.
     *
     * @param messages        echoes received and matched within the measured time.
     * @param durationUs      the measured time: from every connection open to the end.
     * @param bytes           payload bytes of the counted echoes.
     * @param handshakeFailed connections that never completed the upgrade.
     * @param closed          connections closed by the server (or failed) during the run.
     * @param mismatched      echoes that were not the message sent.
     */
    record Result(long messages, long durationUs, long bytes, long handshakeFailed, long closed, long mismatched)
    {
        /**
         * @return the line {@link #main} prints.
         */
        String line()
        {
            return String.format(Locale.ROOT,
                "%s messages=%d durationUs=%d bytes=%d handshakeFailed=%d closed=%d mismatched=%d",
                RESULT_PREFIX, messages, durationUs, bytes, handshakeFailed, closed, mismatched);
        }

        /**
         * @return the sum of every kind of error.
         */
        long errors()
        {
            return handshakeFailed + closed + mismatched;
        }

        /**
         * @return the figures as the harness keeps them: messages as requests, handshake failures as connect errors,
         * closes as read errors, mismatched echoes as status errors, no latency.
         */
        WrkResult toWrkResult()
        {
            return new WrkResult(messages, Math.max(1, durationUs), bytes,
                new WrkResult.Errors(handshakeFailed, closed, 0, mismatched, 0),
                new WrkResult.Latency(0, 0, 0, 0, 0, 0, 0, 0), new long[0][]);
        }
    }

    private final String host;
    private final int port;
    private final String path;
    private final int connections;
    private final int messageBytes;

    private long startNs;
    private long endNs;
    private boolean running;
    private long messages;
    private long bytes;
    private long handshakeFailed;
    private long closed;
    private long mismatched;
    private long messageLimit;
    private int finished;
    private CountDownLatch allFinished;

    /**
     * @param host         address of the server.
     * @param port         its cleartext port.
     * @param path         the WebSocket echo's path, e.g. {@code /shm/ws}.
     * @param connections  connections held open.
     * @param messageBytes length of each message, at least {@value #HEADER_BYTES} (connection and sequence number).
     */
    WsEchoClient(final String host, final int port, final String path, final int connections, final int messageBytes)
    {
        if (connections < 1 || messageBytes < HEADER_BYTES || messageBytes > MAX_FRAME_BYTES)
        {
            throw new IllegalArgumentException("connections=" + connections + ", messageBytes=" + messageBytes +
                ", limit=1," + HEADER_BYTES + ".." + MAX_FRAME_BYTES);
        }
        this.host = host;
        this.port = port;
        this.path = path;
        this.connections = connections;
        this.messageBytes = messageBytes;
    }

    /**
     * Run for a time.
     *
     * @param durationMs how long to count echoes once every connection is open.
     * @return what was counted.
     * @throws InterruptedException when interrupted.
     */
    Result runFor(final long durationMs) throws InterruptedException
    {
        return run(durationMs, 0);
    }

    /**
     * Run until each connection has had a number of echoes (or {@code timeoutMs} passed).
     *
     * @param messagesPerConnection echoes each connection waits for.
     * @param timeoutMs             the longest it may take.
     * @return what was counted.
     * @throws InterruptedException when interrupted.
     */
    Result runCount(final long messagesPerConnection, final long timeoutMs) throws InterruptedException
    {
        return run(timeoutMs, messagesPerConnection);
    }

    private Result run(final long durationMs, final long limit) throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try
        {
            messageLimit = limit;
            allFinished = new CountDownLatch(1);
            final CountDownLatch handshakes = new CountDownLatch(connections);
            final URI uri = URI.create("ws://" + host + ":" + port + path);
            final List<Connection> open = new ArrayList<>();
            final Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < connections; i++)
            {
                final Connection connection = new Connection(i, handshakes);
                open.add(connection);
                bootstrap.clone().handler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline().addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(MAX_FRAME_BYTES),
                            new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                uri, WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE, MAX_FRAME_BYTES),
                                true, true, HANDSHAKE_TIMEOUT_MS),
                            new WebSocketFrameAggregator(MAX_FRAME_BYTES),
                            connection);
                    }
                }).connect(host, port).addListener((f) ->
                {
                    if (!f.isSuccess())
                    {
                        connection.failHandshake();
                    }
                });
            }
            handshakes.await(HANDSHAKE_TIMEOUT_MS + STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            final EventLoop loop = group.next();
            loop.execute(() ->
            {
                startNs = System.nanoTime();
                running = true;
                open.forEach(Connection::start);
                if (open.stream().noneMatch(Connection::isActive))
                {
                    stop();
                }
            });
            loop.schedule(this::stop, durationMs, TimeUnit.MILLISECONDS);
            allFinished.await(durationMs + STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try
            {
                return loop.submit(() ->
                {
                    stop();
                    open.forEach(Connection::close);
                    return new Result(messages, Math.max(0, (endNs - startNs) / 1000), bytes, handshakeFailed,
                        closed, mismatched);
                }).get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                throw new IllegalStateException("WebSocket client did not stop", ex);
            }
        }
        finally
        {
            group.shutdownGracefully(0, STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS).await(STOP_TIMEOUT_MS);
        }
    }

    private void stop()
    {
        if (running)
        {
            running = false;
            endNs = System.nanoTime();
        }
        allFinished.countDown();
    }

    private void connectionFinished()
    {
        if (++finished == connections && messageLimit > 0)
        {
            stop();
        }
    }

    /**
     * @param output what the client JVM printed.
     * @return the figures of its result line.
     * @throws IOException when there is none.
     */
    static Result parse(final String output) throws IOException
    {
        final Matcher matcher = RESULT.matcher(output);
        if (!matcher.find())
        {
            throw new IOException("the WebSocket client printed no result: " + output.strip());
        }
        return new Result(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)),
            Long.parseLong(matcher.group(3)), Long.parseLong(matcher.group(4)), Long.parseLong(matcher.group(5)),
            Long.parseLong(matcher.group(6)));
    }

    /**
     * Run once and print the result line.
     *
     * @param args host, port, path, connections, message length in bytes, seconds.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length != 6)
        {
            System.err.println("usage: WsEchoClient <host> <port> <path> <connections> <message bytes> <seconds>");
            System.exit(2);
        }
        final Result result = new WsEchoClient(args[0], Integer.parseInt(args[1]), args[2],
            Integer.parseInt(args[3]), Integer.parseInt(args[4])).runFor(Long.parseLong(args[5]) * 1000L);
        System.out.println(result.line());
        System.out.flush();
    }

    /**
     * One connection: the handshake, then one message outstanding at a time. Runs on the event loop only.
     */
    private final class Connection extends SimpleChannelInboundHandler<WebSocketFrame>
    {
        private final int id;
        private final CountDownLatch handshakes;
        private final byte[] payload = new byte[messageBytes];
        private ChannelHandlerContext ctx;
        private boolean handshaken;
        private boolean done;
        private int sequence;
        private long received;

        Connection(final int id, final CountDownLatch handshakes)
        {
            this.id = id;
            this.handshakes = handshakes;
            for (int i = HEADER_BYTES; i < messageBytes; i++)
            {
                payload[i] = (byte)('a' + (i + id) % 26);
            }
            payload[0] = (byte)(id >>> 24);
            payload[1] = (byte)(id >>> 16);
            payload[2] = (byte)(id >>> 8);
            payload[3] = (byte)id;
        }

        boolean isActive()
        {
            return handshaken && !done;
        }

        void failHandshake()
        {
            if (!handshaken && !done)
            {
                done = true;
                handshakeFailed++;
                handshakes.countDown();
                connectionFinished();
            }
        }

        void start()
        {
            if (handshaken && !done)
            {
                send();
            }
        }

        void close()
        {
            if (null != ctx)
            {
                done = true;
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception
        {
            if (WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE == event)
            {
                this.ctx = ctx;
                handshaken = true;
                handshakes.countDown();
                if (running)
                {
                    send();
                }
            }
            else if (WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT == event)
            {
                failHandshake();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final WebSocketFrame frame)
        {
            if (done)
            {
                return;
            }
            final ByteBuf content = frame.content();
            if (!(frame instanceof BinaryWebSocketFrame) || content.readableBytes() != messageBytes ||
                !ByteBufUtil.equals(content, content.readerIndex(), Unpooled.wrappedBuffer(payload),
                0, messageBytes))
            {
                mismatched++;
                finish();
                ctx.close();
                return;
            }
            if (running)
            {
                messages++;
                bytes += messageBytes;
            }
            received++;
            if (messageLimit > 0 && received >= messageLimit)
            {
                finish();
                return;
            }
            if (running)
            {
                send();
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception
        {
            if (!handshaken)
            {
                failHandshake();
            }
            else if (!done)
            {
                closed++;
                finish();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private void finish()
        {
            if (!done)
            {
                done = true;
                connectionFinished();
            }
        }

        private void send()
        {
            sequence++;
            payload[SEQUENCE_OFFSET] = (byte)(sequence >>> 24);
            payload[SEQUENCE_OFFSET + 1] = (byte)(sequence >>> 16);
            payload[SEQUENCE_OFFSET + 2] = (byte)(sequence >>> 8);
            payload[SEQUENCE_OFFSET + 3] = (byte)sequence;
            ctx.writeAndFlush(new BinaryWebSocketFrame(ctx.alloc().buffer(messageBytes).writeBytes(payload)));
        }
    }
}
