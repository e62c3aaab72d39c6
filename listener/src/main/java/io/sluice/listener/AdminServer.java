package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
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
import io.sluice.listener.hosting.Host;
import io.sluice.listener.hosting.LoopbackHost;
import io.sluice.listener.hosting.RequestQueue;
import io.sluice.listener.hosting.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.process.WorkerSupervisor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The admin endpoint on its own port: {@code GET /health} (200 "ok") and {@code GET /metrics} (plain-text gauges:
 * open client connections and connections refused past {@code maxConnections}; per queue: length, bound, requests
 * refused, worker PIDs). Not on the request path; allocates freely.
 */
final class AdminServer implements AutoCloseable
{
    private final Transport transport;
    private final String bindAddress;
    private final int port;
    private final Map<String, RequestQueue> queues;
    private final Map<String, Host> hosts;
    private final ConnectionLimiter connections;
    private Channel channel;

    AdminServer(
        final Transport transport,
        final String bindAddress,
        final int port,
        final Map<String, RequestQueue> queues,
        final Map<String, Host> hosts,
        final ConnectionLimiter connections)
    {
        this.transport = transport;
        this.bindAddress = bindAddress;
        this.port = port;
        this.queues = queues;
        this.hosts = hosts;
        this.connections = connections;
    }

    void start()
    {
        try
        {
            channel = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline()
                            .addLast(new HttpServerCodec())
                            .addLast(new HttpObjectAggregator(4096))
                            .addLast(new Handler());
                    }
                })
                .bind(new InetSocketAddress(bindAddress, port))
                .syncUninterruptibly()
                .channel();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(
                "cannot listen on admin port " + bindAddress + ":" + port + ": " + ex.getMessage(), ex);
        }
    }

    public void close()
    {
        if (null != channel)
        {
            channel.close().syncUninterruptibly();
            channel = null;
        }
    }

    private String metrics()
    {
        final StringBuilder out = new StringBuilder();
        out.append("sluice_connections ").append(connections.openCount()).append('\n');
        out.append("sluice_connections_refused_total ").append(connections.refusedCount()).append('\n');
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

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            final String path = request.uri();
            final HttpResponseStatus status;
            final String body;
            if ("/health".equals(path))
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
            final boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive)
            {
                ctx.writeAndFlush(response);
            }
            else
            {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
