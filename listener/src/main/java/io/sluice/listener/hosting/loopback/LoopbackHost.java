package io.sluice.listener.hosting.loopback;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.process.WorkerEvents;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.queue.ClientExchange;
import io.sluice.listener.queue.ErrorReason;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostContext;
import io.sluice.listener.queue.RequestSink;
import io.sluice.listener.queue.Transport;
import io.sluice.listener.routing.UrlPrefix;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * The loopback-forwarding hosting model (ANCM out-of-process analogue, and the baseline shared memory must beat): each
 * worker process serves the handler on its own {@code 127.0.0.1} port, and the listener proxies requests to it over
 * pooled keep-alive HTTP/1.1 connections; a client connection's pipelined requests are pipelined in order over one of
 * them.
 * <pre>
 *   client ──▶ HttpConnectionHandler ──open()──▶ LoopbackLoop (this event loop's share)
 *                                                  │ the client connection's own worker connection
 *                                                  │ while it has requests on it (pipelined in order);
 *                                                  │ else round robin over ready workers: an idle pooled
 *                                                  │ connection, or a new one on the same event loop
 *                                                  ▼
 *   ClientExchange ◀── LoopbackForward ◀──▶ LoopbackUpstream ──HTTP/1.1──▶ worker 127.0.0.1:port
 *   (response relayed)  (RequestSink)        (+ Sluice-Token, X-Forwarded-*, Sluice-Appl-Path)
 * </pre>
 * The forwarded head is the client's, less hop-by-hop headers, {@code Expect} and any client-sent {@code Sluice-*},
 * {@code X-Forwarded-For} or {@code X-Forwarded-Proto}, plus the listener's {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code Sluice-Appl-Path} and the worker's {@code Sluice-Token}. A client connection and the worker connection serving it share their event loop, so
 * forwarding never changes threads; writes to a worker are flushed once per turn of the loop.
 * <p>
 * Workers: a free loopback port is picked for each start of a worker ({@code SLUICE_PORT}); the worker is ready once
 * it proves, on that port, that it holds the token the listener gave it ({@link LoopbackReadiness}: a challenge
 * answered with an HMAC of it, probed every {@value #PROBE_INTERVAL_MS} ms). Until then it gets no token and no
 * request, so a process that took the port first learns nothing and serves nothing. The worker's port is told its
 * limits for connections that have not carried the token ({@code SLUICE_HEADER_WAIT_MS},
 * {@code SLUICE_IDLE_CONNECTION_MS}) and its connection cap ({@code SLUICE_MAX_CONNECTIONS}). Requests that arrive while no worker is ready
 * wait, bounded by the queue length. A worker that exits, or refuses or drops a connection carrying a request, gets
 * no more requests until it is probed ready again or replaced; of its requests in flight, those never written to it
 * wait for a ready worker, a GET, HEAD or OPTIONS without a body and not yet answered is sent again once, and the
 * rest are answered 502 ({@link LoopbackForward}); a queue stopped by rapid-fail protection answers 503; a request not answered within {@code requestTimeout} gets 504 and its worker
 * connection is closed (the worker SDK then aborts the exchange).
 * <p>
 * Threading: {@link #open} runs on the client connection's event loop; worker events arrive on the supervisor thread
 * and are passed to each event loop as tasks.
 */
public final class LoopbackHost implements Host
{
    /**
     * Interval between readiness probes of a starting worker: {@value} ms.
     */
    public static final long PROBE_INTERVAL_MS = 20;

    /**
     * Time a worker has to acknowledge the shutdown event when the host closes: {@value} ms.
     */
    public static final long SHUTDOWN_EVENT_TIMEOUT_MS = 2_000;

    private static final Logger LOG = Logger.getLogger(LoopbackHost.class.getName());
    private static final int PROBE_CONNECT_TIMEOUT_MS = 1_000;
    private static final int FREE_PORT_ATTEMPTS = 3;
    private static final long LOOP_WAIT_MS = 1_000;

    private final QueueConfiguration queue;
    private final HostContext context;
    private volatile QueueCounters counters;
    private final Transport transport;
    private final NanoClock nanoClock;
    private final String applicationPath;
    private final AtomicReferenceArray<LoopbackSlot> slots;
    private final int[] nextPorts;
    private final Map<EventLoop, LoopbackLoop> loops = new ConcurrentHashMap<>();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private WorkerSupervisor supervisor;
    private volatile boolean stopped;
    private volatile boolean closed;

    /**
     * @param queue     the queue's configuration; its worker settings and first prefix are used.
     * @param context   the listener's transport (its event loops probe workers, its socket channel class connects) and
     *                  the clock of the request timeouts.
     * @throws IllegalArgumentException when the queue has no worker settings or no prefix.
     */
    public LoopbackHost(final QueueConfiguration queue, final HostContext context)
    {
        if (null == queue.worker())
        {
            throw new IllegalArgumentException("loopback queue needs worker settings: queue=" + queue.name());
        }
        if (null == queue.prefixes() || queue.prefixes().isEmpty())
        {
            throw new IllegalArgumentException("loopback queue needs a url prefix: queue=" + queue.name());
        }
        this.queue = queue;
        this.transport = context.transport();
        this.nanoClock = context.nanoClock();
        this.context = context;
        this.applicationPath = applicationPath(queue.prefixes().get(0));
        this.slots = new AtomicReferenceArray<>(WorkerSupervisor.slotCount(queue.worker().processes()));
        this.nextPorts = new int[slots.length()];
    }

    /**
     * Start the queue's worker processes; requests may arrive at once and wait until a worker is ready.
     */
    public void start()
    {
        supervisor = new WorkerSupervisor(
            queue.name(),
            queue.hosting(),
            queue.handler(),
            applicationPath,
            queue.worker(),
            this::fillEnvironment,
            new WorkerEvents()
            {
                public void onStarting(final int slot, final String token)
                {
                    starting(slot, token);
                }

                public void onExited(final int slot, final int exitCode)
                {
                    exited(slot);
                }

                public void onQueueStopped()
                {
                    stopped = true;
                    forEachLoop((loop) -> loop.failPending(503, "service unavailable", ErrorReason.APP_OFFLINE));
                }

                public void onTakeOver(final int from, final int to)
                {
                    final LoopbackSlot replaced = slots.get(from);
                    if (null != replaced)
                    {
                        replaced.drain();
                        forEachLoop((loop) -> loop.slotDraining(from));
                    }
                }

                public long requestCount(final int slot)
                {
                    return sumOnLoops((loop) -> loop.requestCount(slot));
                }

                public int inFlight(final int slot)
                {
                    return (int)sumOnLoops((loop) -> loop.busyConnections(slot));
                }
            },
            nanoClock);
        counters = context.queueCounters(queue.name());
        supervisor.counters(counters);
        supervisor.start();
    }

    /**
     * A request was sent to a worker once more after the one holding it dropped it (rare: counted with an atomic
     * increment, from any event loop).
     */
    void countRetry()
    {
        final QueueCounters counters = this.counters;
        if (null != counters)
        {
            counters.retried();
        }
    }

    /**
     * Forward a request to a worker. Called on the client connection's event loop.
     *
     * @param exchange      the request's response side and connection facts.
     * @param request       the request head; read during the call only.
     * @param contentLength of the body, -1 for chunked, 0 for none.
     * @return the sink for the body and abort, or null when the queue was stopped or the host closed (503).
     */
    public RequestSink open(final ClientExchange exchange, final HttpRequest request, final long contentLength)
    {
        if (stopped || closed)
        {
            return null;
        }
        if (null != supervisor && supervisor.isDormant())
        {
            // on-demand, or stopped when idle: the request waits for the worker this starts
            supervisor.demand();
        }
        final EventLoop eventLoop = exchange.eventLoop();
        LoopbackLoop loop = loops.get(eventLoop);
        if (null == loop)
        {
            loop = loops.computeIfAbsent(
                eventLoop,
                (key) -> new LoopbackLoop(
                    this, key, slots.length(), queue.worker().maxConnectionsFor(queue.queueLength()),
                    queue.worker().requestTimeoutMs(), nanoClock));
        }
        // an upgrade request keeps its Upgrade and Connection: upgrade, and is never sent twice nor pipelined behind
        // others: after a 101 its worker connection is the tunnel's alone
        final boolean upgrade = exchange.isUpgradeRequested();
        final LoopbackForward forward = new LoopbackForward(
            loop,
            exchange,
            contentLength,
            LoopbackHeaders.encodeRequestHead(
                exchange.alloc(), request, contentLength, exchange.remoteAddress(), exchange.applicationPath(),
                exchange.tls(), upgrade),
            !upgrade && contentLength == 0 && LoopbackForward.isRetryable(request.method()));
        loop.dispatch(forward);
        return forward;
    }

    /**
     * Ask every ready worker to stop ({@code Sluice-Event: shutdown}, best effort, at most
     * {@value #SHUTDOWN_EVENT_TIMEOUT_MS} ms), stop the supervisor (which kills what is left), and close the pooled
     * connections. Blocks; call it off the event loops.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != supervisor)
        {
            supervisor.stopping();
        }
        LoopbackShutdown.ask(queue.name(), applicationPath, slots);
        if (null != supervisor)
        {
            supervisor.close();
        }
        forEachLoop(LoopbackLoop::closeAll);
    }

    /**
     * {@inheritDoc}
     */
    public void suspend()
    {
        if (null != supervisor)
        {
            supervisor.suspend();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void resume()
    {
        if (null != supervisor)
        {
            supervisor.resume();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void recycle(final String reason)
    {
        if (null != supervisor)
        {
            supervisor.recycle(reason);
        }
    }

    /**
     * @return the supervisor of this queue's workers (for tests and the admin endpoint), null before {@link #start()}.
     */
    public WorkerSupervisor supervisor()
    {
        return supervisor;
    }

    /**
     * @return the path of the queue's first prefix, which the workers serve.
     */
    public String applicationPath()
    {
        return applicationPath;
    }

    /**
     * @param slot a worker slot index.
     * @return the slot's worker loopback port, or -1 when it has not been started.
     */
    public int port(final int slot)
    {
        final LoopbackSlot current = slots.get(slot);
        return null == current ? -1 : current.port();
    }

    /**
     * @param slot a worker slot index.
     * @return true when the slot's worker accepts requests.
     */
    public boolean isReady(final int slot)
    {
        final LoopbackSlot current = slots.get(slot);
        return null != current && current.isReady();
    }

    /**
     * @return the connections to workers opened so far to carry requests (readiness probes and shutdown events not
     * counted): pipelined requests of one client connection share one.
     */
    public long connectionsOpened()
    {
        return connectionsOpened.get();
    }

    void connectionOpened()
    {
        connectionsOpened.incrementAndGet();
    }

    Transport transport()
    {
        return transport;
    }

    String queueName()
    {
        return queue.name();
    }

    boolean isClosed()
    {
        return closed;
    }

    LoopbackSlot slot(final int index)
    {
        return slots.get(index);
    }

    /**
     * A connect to the worker failed, or it dropped a connection carrying a request, while it counted as ready (it is
     * dying and its exit is not processed yet, or it stopped serving its port): send it nothing until a probe finds
     * it ready again, so a request sent again does not meet the same end. Requests meanwhile go to the other ready
     * workers or wait for one.
     *
     * @param slot the worker.
     */
    void unreachable(final LoopbackSlot slot)
    {
        if (closed || !slot.markUnready())
        {
            return;
        }
        LOG.info(() -> "queue " + queue.name() + ": worker " + slot +
            " refused or dropped a connection carrying a request; probing it again");
        final EventLoop eventLoop = transport.group().next();
        eventLoop.execute(() -> probe(slot, eventLoop));
    }

    /**
     * @param prefix a URL prefix as configured, e.g. {@code http://+:8080/loopback/}.
     * @return its path, e.g. {@code /loopback/}.
     */
    static String applicationPath(final String prefix)
    {
        return UrlPrefix.parse(prefix).path();
    }

    private void fillEnvironment(final int slot, final Map<String, String> env)
    {
        final int port = freePort();
        nextPorts[slot] = port;
        env.put(WorkerEnvironment.PORT_ENV_NAME, Integer.toString(port));
        env.put(WorkerEnvironment.WEBSOCKETS_SUPPORTED_ENV_NAME, Boolean.toString(queue.webSockets()));
        final WorkerConfiguration worker = queue.worker();
        env.put(WorkerEnvironment.HEADER_WAIT_MS_ENV_NAME, Long.toString(worker.headerWaitMs()));
        env.put(WorkerEnvironment.IDLE_CONNECTION_MS_ENV_NAME, Long.toString(worker.idleConnectionMs()));
        final int maxConnections = worker.maxConnectionsFor(queue.queueLength());
        env.put(WorkerEnvironment.MAX_CONNECTIONS_ENV_NAME, Integer.toString(maxConnections));
    }

    private void starting(final int index, final String token)
    {
        final LoopbackSlot previous = slots.get(index);
        if (null != previous)
        {
            previous.retire();
        }
        final LoopbackSlot slot = new LoopbackSlot(index, nextPorts[index], token);
        slots.set(index, slot);
        final EventLoop eventLoop = transport.group().next();
        eventLoop.execute(() -> probe(slot, eventLoop));
    }

    private void exited(final int index)
    {
        final LoopbackSlot slot = slots.get(index);
        if (null == slot)
        {
            return;
        }
        slot.retire();
        forEachLoop((loop) -> loop.slotExited(slot));
    }

    private void probe(final LoopbackSlot slot, final EventLoop eventLoop)
    {
        if (closed || slot.isExited())
        {
            return;
        }
        new Bootstrap()
            .group(eventLoop)
            .channel(transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, PROBE_CONNECT_TIMEOUT_MS)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                protected void initChannel(final SocketChannel channel)
                {
                    channel.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(LoopbackReadiness.MAX_RESPONSE_LENGTH))
                        .addLast(new LoopbackReadiness(
                            applicationPath,
                            slot.port(),
                            slot.token(),
                            (failure) -> probed(slot, eventLoop, failure)));
                }
            })
            .connect(slot.address())
            .addListener(
                (ChannelFutureListener)(future) ->
                {
                    if (!future.isSuccess())
                    {
                        retryProbe(slot, eventLoop);
                    }
                });
    }

    private void probed(final LoopbackSlot slot, final EventLoop eventLoop, final String failure)
    {
        if (null == failure)
        {
            ready(slot);
            return;
        }
        if (!slot.isExited() && !closed)
        {
            LOG.fine(() -> "queue " + queue.name() + ": worker " + slot + " not ready: " + failure);
        }
        retryProbe(slot, eventLoop);
    }

    private void retryProbe(final LoopbackSlot slot, final EventLoop eventLoop)
    {
        eventLoop.schedule(() -> probe(slot, eventLoop), PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void ready(final LoopbackSlot slot)
    {
        if (closed || !slot.markReady())
        {
            return;
        }
        LOG.info(() -> "queue " + queue.name() + ": worker " + slot + " ready");
        supervisor.ready(slot.index());
        forEachLoop(LoopbackLoop::dispatchPending);
    }

    private void forEachLoop(final Consumer<LoopbackLoop> action)
    {
        for (final LoopbackLoop loop : loops.values())
        {
            try
            {
                loop.eventLoop().execute(() -> action.accept(loop));
            }
            catch (final RejectedExecutionException ex)
            {
                LOG.fine(() -> "event loop already stopped: " + ex);
            }
        }
    }

    private long sumOnLoops(final ToLongFunction<LoopbackLoop> count)
    {
        long sum = 0;
        for (final LoopbackLoop loop : loops.values())
        {
            try
            {
                final Future<Long> value = loop.eventLoop().submit(() -> count.applyAsLong(loop));
                sum += value.get(LOOP_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException | ExecutionException | TimeoutException ex)
            {
                LOG.fine(() -> "queue " + queue.name() + ": an event loop did not answer: " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return sum;
    }

    private static int freePort()
    {
        IOException failure = null;
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++)
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
                return socket.getLocalPort();
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }
        throw new UncheckedIOException("cannot find a free loopback port for a worker", failure);
    }
}
