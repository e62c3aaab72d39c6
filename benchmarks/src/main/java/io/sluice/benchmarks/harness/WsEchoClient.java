package io.sluice.benchmarks.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WebSocket echo load generator: one event loop (native epoll where available) holding the scenario's
 * connections, each opened with the HTTP/1.1 upgrade handshake (Netty's client handshaker) and then keeping exactly
 * one binary message of the scenario's length outstanding (closed loop, like wrk's one request per connection): it
 * sends a message, waits for its echo, checks the echo is byte for byte the message sent (each message carries its
 * connection and sequence number), and sends the next. Client frames are masked, as RFC 6455 requires, with a new
 * mask key for every message.
 * <p>
 * After the handshake a connection speaks the frames itself, so that the generator costs little per message and the
 * figures are the server's: the message's frame is built in one buffer per connection (header, mask key, the payload
 * masked) and written again for every message; the echo is compared, as it arrives, with the one frame the server
 * must send back — one unmasked, unfragmented binary frame carrying the message. Anything else (another frame, a
 * fragmented echo, a byte too many) counts as mismatched; a close frame from the server as closed.
 * <p>
 * Counted: the echoes received between the moment every connection is open (and warmed up, when asked) and the end
 * of the run; a message in flight at the end is not counted. Run by the harness as a JVM of its own pinned to the load
 * CPUs ({@link #main}), so that its CPU is the load generator's, as wrk's is. Asked for a warm-up, the JVM first
 * echoes for that long uncounted (its code is compiled before it counts), waits until no message is in flight, prints
 * {@value #READY_LINE} and counts only once it reads a line on standard input: the harness reads the CPU times of the
 * servers and of this process then, so that they cover the counted messages only.
 */
final class WsEchoClient
{
    /**
     * The line {@link #main} prints, parsed by {@link #parse}.
     */
    static final String RESULT_PREFIX = "ws-echo result:";

    /**
     * The line {@link #main} prints, after its warm-up, when it waits for a line on standard input to start counting.
     */
    static final String READY_LINE = "ws-echo ready";

    private static final int MAX_FRAME_BYTES = 65_536;
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final int STOP_TIMEOUT_MS = 10_000;
    private static final int SEQUENCE_OFFSET = 4;
    private static final int HEADER_BYTES = 12;
    private static final int FIN_BINARY = 0x82;
    private static final int CLOSE_OPCODE = 0x08;
    private static final int OPCODE_MASK = 0x0f;
    private static final int MASK_BIT = 0x80;
    private static final int MAX_7_BIT_LENGTH = 125;
    private static final int LENGTH_16_BIT = 126;
    private static final int LENGTH_64_BIT = 127;
    private static final int MASK_KEY_BYTES = 4;
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

    /**
     * What the client waits for between its warm-up and the counted run.
     */
    @FunctionalInterface
    interface Gate
    {
        /**
         * Block until counting may start.
         *
         * @throws IOException when it never may.
         */
        void await() throws IOException;
    }

    private final String host;
    private final int port;
    private final String path;
    private final int connections;
    private final int messageBytes;

    private long startNs;
    private long endNs;
    private boolean sending;
    private boolean counting;
    private long messages;
    private long bytes;
    private long handshakeFailed;
    private long closed;
    private long mismatched;
    private long messageLimit;
    private int finished;
    private int outstanding;
    private CountDownLatch allFinished;
    private CountDownLatch quiet;

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
        return run(durationMs, 0, 0, null);
    }

    /**
     * Warm up, wait at the gate, then run for a time.
     *
     * @param warmupMs   how long to echo, uncounted, once every connection is open.
     * @param gate       what to wait for, once no message is in flight, before counting.
     * @param durationMs how long to count echoes after the gate.
     * @return what was counted after the gate.
     * @throws InterruptedException when interrupted.
     */
    Result runFor(final long warmupMs, final Gate gate, final long durationMs) throws InterruptedException
    {
        return run(durationMs, 0, warmupMs, gate);
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
        return run(timeoutMs, messagesPerConnection, 0, null);
    }

    private Result run(final long durationMs, final long limit, final long warmupMs, final Gate gate)
        throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try
        {
            messageLimit = limit;
            allFinished = new CountDownLatch(1);
            quiet = new CountDownLatch(1);
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
            if (warmupMs > 0)
            {
                warmUp(loop, open, warmupMs);
            }
            if (null != gate)
            {
                try
                {
                    gate.await();
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException("WebSocket client never started counting", ex);
                }
            }
            loop.execute(() ->
            {
                startNs = System.nanoTime();
                sending = true;
                counting = true;
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

    /**
     * Echo, uncounted, for a time; return once no message is in flight.
     */
    private void warmUp(final EventLoop loop, final List<Connection> open, final long warmupMs)
        throws InterruptedException
    {
        loop.execute(() ->
        {
            sending = true;
            open.forEach(Connection::start);
        });
        loop.schedule(() ->
        {
            sending = false;
            if (0 == outstanding)
            {
                quiet.countDown();
            }
        }, warmupMs, TimeUnit.MILLISECONDS);
        quiet.await(warmupMs + STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void stop()
    {
        if (counting)
        {
            counting = false;
            endNs = System.nanoTime();
        }
        sending = false;
        allFinished.countDown();
    }

    private void connectionFinished()
    {
        if (++finished == connections && messageLimit > 0)
        {
            stop();
        }
    }

    private void settled()
    {
        if (--outstanding == 0 && !sending)
        {
            quiet.countDown();
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
     * @param args host, port, path, connections, message length in bytes, seconds; optionally the warm-up in seconds,
     *             after which it prints {@value #READY_LINE} and counts once a line arrives on standard input.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length != 6 && args.length != 7)
        {
            System.err.println("usage: WsEchoClient <host> <port> <path> <connections> <message bytes> <seconds> " +
                "[<warm-up seconds>]");
            System.exit(2);
        }
        final WsEchoClient client = new WsEchoClient(args[0], Integer.parseInt(args[1]), args[2],
            Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        final long durationMs = Long.parseLong(args[5]) * 1000L;
        final long warmupMs = args.length == 7 ? Long.parseLong(args[6]) * 1000L : 0;
        final Result result = warmupMs > 0 ? client.runFor(warmupMs, WsEchoClient::awaitStandardInput, durationMs) :
            client.runFor(durationMs);
        System.out.println(result.line());
        System.out.flush();
    }

    private static void awaitStandardInput() throws IOException
    {
        System.out.println(READY_LINE);
        System.out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (null == in.readLine())
        {
            throw new IOException("standard input ended before the run started");
        }
    }

    /**
     * One connection: the handshake, then one message outstanding at a time, framed by hand. Runs on the event loop
     * only.
     */
    private final class Connection extends ChannelInboundHandlerAdapter
    {
        private final int id;
        private final CountDownLatch handshakes;
        private final ByteBuf payload;
        private final ByteBuf echo;
        private final int maskKeyOffset;
        private final int echoLength;
        private ByteBuf frame;
        private ChannelHandlerContext ctx;
        private boolean handshaken;
        private boolean done;
        private boolean inFlight;
        private int sequence;
        private int matched;
        private long received;

        Connection(final int id, final CountDownLatch handshakes)
        {
            this.id = id;
            this.handshakes = handshakes;
            final byte[] bytes = new byte[messageBytes];
            for (int i = HEADER_BYTES; i < messageBytes; i++)
            {
                bytes[i] = (byte)('a' + (i + id) % 26);
            }
            payload = Unpooled.wrappedBuffer(bytes);
            payload.setInt(0, id);
            final int lengthBytes = messageBytes <= MAX_7_BIT_LENGTH ? 0 : messageBytes <= 0xffff ? 2 : 8;
            echo = Unpooled.buffer(2 + lengthBytes + messageBytes);
            writeHeader(echo, 0);
            echo.writeBytes(payload, 0, messageBytes);
            maskKeyOffset = 2 + lengthBytes;
            echoLength = echo.readableBytes();
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
            if (handshaken && !done && !inFlight)
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
                // once the handshake's handlers have finished with the response, before any frame can arrive
                ctx.executor().execute(this::upgraded);
            }
            else if (WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT == event)
            {
                failHandshake();
            }
            super.userEventTriggered(ctx, event);
        }

        /**
         * From here on the connection frames its messages itself: nothing else stays in the pipeline.
         */
        private void upgraded()
        {
            if (done)
            {
                return;
            }
            final ChannelPipeline pipeline = ctx.pipeline();
            for (final String name : pipeline.names())
            {
                final ChannelHandler handler = pipeline.get(name);
                if (null != handler && handler != this)
                {
                    pipeline.remove(handler);
                }
            }
            frame = ctx.alloc().directBuffer(maskKeyOffset + MASK_KEY_BYTES + messageBytes);
            handshaken = true;
            handshakes.countDown();
            if (sending)
            {
                send();
            }
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!(msg instanceof ByteBuf in) || !handshaken)
            {
                ctx.fireChannelRead(msg);
                return;
            }
            try
            {
                if (!done)
                {
                    read(in);
                }
            }
            finally
            {
                in.release();
            }
        }

        private void read(final ByteBuf in)
        {
            final int readable = in.readableBytes();
            if (0 == matched && readable > 0 && (in.getByte(in.readerIndex()) & OPCODE_MASK) == CLOSE_OPCODE)
            {
                // the server closes: counted as closed when the connection ends
                ctx.close();
                return;
            }
            final int length = Math.min(readable, echoLength - matched);
            if (!inFlight || readable > length ||
                !ByteBufUtil.equals(in, in.readerIndex(), echo, matched, length))
            {
                mismatched++;
                finish();
                ctx.close();
                return;
            }
            matched += length;
            if (matched < echoLength)
            {
                return;
            }
            matched = 0;
            inFlight = false;
            if (counting)
            {
                messages++;
                bytes += messageBytes;
            }
            received++;
            settled();
            if (messageLimit > 0 && received >= messageLimit)
            {
                finish();
                return;
            }
            if (sending)
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
            if (null != frame)
            {
                frame.release();
                frame = null;
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
                if (inFlight)
                {
                    inFlight = false;
                    settled();
                }
                connectionFinished();
            }
        }

        /**
         * The frame of a message: FIN and the binary opcode, the length (with the mask bit when {@code maskBit} is
         * set), as RFC 6455 5.2 lays it out.
         */
        private void writeHeader(final ByteBuf buffer, final int maskBit)
        {
            buffer.writeByte(FIN_BINARY);
            if (messageBytes <= MAX_7_BIT_LENGTH)
            {
                buffer.writeByte(maskBit | messageBytes);
            }
            else if (messageBytes <= 0xffff)
            {
                buffer.writeByte(maskBit | LENGTH_16_BIT);
                buffer.writeShort(messageBytes);
            }
            else
            {
                buffer.writeByte(maskBit | LENGTH_64_BIT);
                buffer.writeLong(messageBytes);
            }
        }

        private void send()
        {
            sequence++;
            payload.setInt(SEQUENCE_OFFSET, sequence);
            echo.setInt(maskKeyOffset + SEQUENCE_OFFSET, sequence);
            if (frame.refCnt() != 1)
            {
                // the last write still holds it (it never does once its echo came back): build in a new one
                ReferenceCountUtil.release(frame);
                frame = ctx.alloc().directBuffer(maskKeyOffset + MASK_KEY_BYTES + messageBytes);
            }
            frame.clear();
            writeHeader(frame, MASK_BIT);
            final int maskKey = ThreadLocalRandom.current().nextInt();
            frame.writeInt(maskKey);
            final long mask = ((long)maskKey << 32) | (maskKey & 0xffffffffL);
            int i = 0;
            for (; i + Long.BYTES <= messageBytes; i += Long.BYTES)
            {
                frame.writeLong(payload.getLong(i) ^ mask);
            }
            for (; i < messageBytes; i++)
            {
                frame.writeByte(payload.getByte(i) ^ (maskKey >>> (24 - 8 * (i & 3))));
            }
            inFlight = true;
            outstanding++;
            ctx.writeAndFlush(frame.retain(), ctx.voidPromise());
        }
    }
}
