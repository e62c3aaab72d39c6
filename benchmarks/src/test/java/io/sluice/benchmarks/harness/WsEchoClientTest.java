package io.sluice.benchmarks.harness;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket echo load generator against a real WebSocket server on a real socket (Netty's server handshake, which
 * rejects unmasked client frames): it counts every echo exactly once, and counts an echo that is not the message sent
 * (or not one frame) as mismatched and a close from the server as closed, not as a message; warmed up, it counts only
 * after its gate, where no message is in flight.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsEchoClientTest
{
    private static final int MESSAGE_BYTES = 32;

    private EventLoopGroup group;
    private final AtomicLong framesSeen = new AtomicLong();

    @AfterEach
    void stop()
    {
        if (null != group)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void shouldCountEveryEchoOnEveryConnection() throws Exception
    {
        final int port = server(Answer.ECHO);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 4, MESSAGE_BYTES)
            .runCount(25, 20_000);

        assertEquals(100, result.messages(), result.toString());
        assertEquals(100 * MESSAGE_BYTES, result.bytes());
        assertEquals(0, result.errors(), result.toString());
        assertEquals(100, framesSeen.get());
        assertTrue(result.durationUs() > 0);
    }

    @Test
    void shouldCountAnEchoThatIsNotTheMessageSentAsMismatched() throws Exception
    {
        final int port = server(Answer.CORRUPT);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 2, MESSAGE_BYTES)
            .runCount(5, 20_000);

        assertEquals(0, result.messages(), result.toString());
        assertEquals(2, result.mismatched(), result.toString());
        assertEquals(0, result.closed(), result.toString());
    }

    @Test
    void shouldCountAFailedUpgrade() throws Exception
    {
        final int port = server(Answer.ECHO);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/elsewhere", 2, MESSAGE_BYTES)
            .runCount(5, 20_000);

        assertEquals(0, result.messages(), result.toString());
        assertEquals(2, result.handshakeFailed(), result.toString());
    }

    @Test
    void shouldRunForATimeAndPrintALineThatParsesBack() throws Exception
    {
        final int port = server(Answer.ECHO);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 8, MESSAGE_BYTES)
            .runFor(300);

        assertTrue(result.messages() > 0, result.toString());
        assertEquals(0, result.errors(), result.toString());
        assertTrue(framesSeen.get() >= result.messages());
        assertEquals(result, WsEchoClient.parse("noise\n" + result.line() + "\n"));
        assertEquals(result.messages(), result.toWrkResult().requests());
        assertThrows(IOException.class, () -> WsEchoClient.parse("Exception in thread main"));
    }

    @Test
    void shouldCountOnlyAfterTheGateWithNothingInFlightThere() throws Exception
    {
        final int port = server(Answer.ECHO);
        final AtomicLong seenAtGate = new AtomicLong(-1);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 4, MESSAGE_BYTES)
            .runFor(200, () -> seenAtGate.set(framesSeen.get()), 300);

        assertTrue(seenAtGate.get() > 0, "no warm-up before the gate");
        assertTrue(result.messages() > 0, result.toString());
        assertEquals(0, result.errors(), result.toString());
        assertTrue(framesSeen.get() - seenAtGate.get() >= result.messages(),
            framesSeen.get() + " frames, " + seenAtGate.get() + " at the gate, " + result);
    }

    @Test
    void shouldCountACloseFromTheServerAsClosed() throws Exception
    {
        final int port = server(Answer.CLOSE);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 3, MESSAGE_BYTES)
            .runCount(5, 20_000);

        assertEquals(0, result.messages(), result.toString());
        assertEquals(3, result.closed(), result.toString());
        assertEquals(0, result.mismatched(), result.toString());
    }

    @Test
    void shouldCountAFragmentedEchoAsMismatched() throws Exception
    {
        final int port = server(Answer.FRAGMENTED);

        final WsEchoClient.Result result = new WsEchoClient("127.0.0.1", port, "/inproc/ws", 2, MESSAGE_BYTES)
            .runCount(5, 20_000);

        assertEquals(0, result.messages(), result.toString());
        assertEquals(2, result.mismatched(), result.toString());
    }

    private enum Answer
    {
        ECHO, CORRUPT, CLOSE, FRAGMENTED
    }

    private int server(final Answer answer) throws InterruptedException
    {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                        new WebSocketServerProtocolHandler("/inproc/ws"),
                        new SimpleChannelInboundHandler<BinaryWebSocketFrame>()
                        {
                            @Override
                            protected void channelRead0(
                                final ChannelHandlerContext ctx, final BinaryWebSocketFrame frame)
                            {
                                framesSeen.incrementAndGet();
                                final ByteBuf copy = frame.content().copy();
                                switch (answer)
                                {
                                    case CORRUPT ->
                                    {
                                        copy.setByte(copy.writerIndex() - 1, copy.getByte(copy.writerIndex() - 1) ^ 1);
                                        ctx.writeAndFlush(new BinaryWebSocketFrame(copy));
                                    }
                                    case CLOSE ->
                                    {
                                        copy.release();
                                        ctx.writeAndFlush(new CloseWebSocketFrame(1001, "going away"))
                                            .addListener(ChannelFutureListener.CLOSE);
                                    }
                                    case FRAGMENTED ->
                                    {
                                        final int half = copy.readableBytes() / 2;
                                        ctx.write(new BinaryWebSocketFrame(false, 0, copy.readRetainedSlice(half)));
                                        ctx.writeAndFlush(new ContinuationWebSocketFrame(true, 0, copy));
                                    }
                                    default -> ctx.writeAndFlush(new BinaryWebSocketFrame(copy));
                                }
                            }
                        });
                }
            }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress)channel.localAddress()).getPort();
    }
}
