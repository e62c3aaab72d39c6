package io.sluice.listener;

import io.sluice.dispatch.shm.SharedMemoryFiles;
import io.sluice.dispatch.worker.Handler;
import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.EffectiveConfiguration;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.config.ReloadPlan;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.TlsConfiguration;
import io.sluice.listener.config.WorkerConfiguration;
import io.sluice.listener.counters.ListenerCounters;
import io.sluice.listener.counters.QueueCounters;
import io.sluice.listener.hosting.inprocess.InProcessHost;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.http.HttpConnectionConfig;
import io.sluice.listener.http.HttpServerInitializer;
import io.sluice.listener.http.LoopConnectionCounts;
import io.sluice.listener.http.TlsServerSetup;
import io.sluice.listener.log.RequestLog;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.HostContext;
import io.sluice.listener.queue.HostingMode;
import io.sluice.listener.queue.QueueBinding;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.queue.Transport;
import io.sluice.listener.routing.PrefixRouter;
import io.sluice.listener.routing.SwappableRouter;
import io.sluice.listener.routing.UrlPrefix;
import io.sluice.listener.tls.ServerTlsContexts;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Sluice listener: binds the ports named by the URL prefixes, routes requests to their queues, and hosts each
 * queue by its {@link HostingMode}. {@link #start()} once, then {@link #stop()} (graceful) or {@link #close()} once.
 * <pre>
 *   client --TCP--> epoll event loop --> HttpRequestDecoder --> HttpConnectionHandler
 *                                            | route (PrefixRouter) -> RequestQueue (bounded; 503 when full)
 *                                            +-> InProcessHost      (handler on the event loop)
 *                                            +-> SharedMemoryHost   (request ring -> worker -> response ring)
 *                                            +-> LoopbackHost       (pooled HTTP to the worker's 127.0.0.1 port)
 * </pre>
 */
public final class Listener implements AutoCloseable
{
    /**
     * How often the values the listener keeps outside the counters file are sampled into it, in ms: {@value}.
     */
    public static final long SAMPLE_INTERVAL_MS = 1000;

    private static final Logger LOG = Logger.getLogger(Listener.class.getName());
    private static final long DRAIN_POLL_MS = 10;
    private static final String CONFIG_PATH = "/config";

    volatile ListenerConfiguration config;
    private final NanoClock nanoClock;
    final Map<String, Host> hosts = new ConcurrentSkipListMap<>();
    final Map<String, RequestQueue> queues = new ConcurrentSkipListMap<>();
    private final Map<String, Handler> inProcessHandlers = new LinkedHashMap<>();
    final Set<HostRetirement> retiring = ConcurrentHashMap.newKeySet();
    private final Object reloadLock = new Object();
    volatile boolean stopping;
    private volatile ReloadOutcome lastReload = new ReloadOutcome(0, true, "reload 0 applied: start");
    private long reloadCount;
    int hostGeneration;
    SwappableRouter<QueueBinding> router;
    HttpServerInitializer initializer;
    HttpServerInitializer tlsInitializer;
    private Transport transport;
    ServerChannels serverChannels;
    ConnectionLimiter connections;
    LoopConnectionCounts loopCounts;
    private AdminServer admin;
    private SharedMemoryFiles.PrivateDirectory shmDir;
    private ListenerLogs logs;
    private volatile ListenerCounters counters;
    private volatile AdminMetrics metrics;
    private ScheduledExecutorService sampler;

    /**
     * @param config the loaded configuration.
     */
    public Listener(final ListenerConfiguration config)
    {
        this(config, SystemNanoClock.INSTANCE);
    }

    /**
     * @param config    the loaded configuration.
     * @param nanoClock the clock of the hosts' timers and of the workers' lifetimes (age, idle time).
     */
    public Listener(final ListenerConfiguration config, final NanoClock nanoClock)
    {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    /**
     * Start the workers, bind the ports, and begin serving. The ports are bound before the shared-memory directory is
     * touched and any worker starts, and accept connections only once every queue is started.
     *
     * @return this for a fluent API.
     * @throws StartupException naming the key when something the configuration names cannot be used (a port in use,
     *                          an address this host does not have, a missing handler class or worker command, a
     *                          shared-memory directory that is not the listener's or is in use by another listener,
     *                          an in-process handler that cannot be created).
     * @throws IllegalStateException with a one-line reason when the listener cannot start for another reason.
     * Whatever fails, what was started is closed before the failure is thrown.
     */
    public Listener start()
    {
        try
        {
            inProcessHandlers.putAll(StartupChecks.check(config));
            transport = Transport.create(config.eventLoops());
            logs = new ListenerLogs(config);
            final PrefixRouter.Builder<QueueBinding> router = PrefixRouter.builder();
            for (final QueueConfiguration queue : config.queues())
            {
                final RequestQueue requestQueue = queue.requestQueue();
                final String applicationPath = UrlPrefix.parse(queue.prefixes().get(0)).path();
                final Host host = createHost(
                    queue, applicationPath, inProcessHandlers.get(queue.name()), queue.name());
                queues.put(queue.name(), requestQueue);
                hosts.put(queue.name(), host);
                final int accessLog = logs.declareQueue(queue);
                for (final String prefix : queue.prefixes())
                {
                    final UrlPrefix parsed = UrlPrefix.parse(prefix);
                    router.add(parsed, queue.binding(requestQueue, host, parsed.path(), accessLog));
                }
            }

            this.router = new SwappableRouter<>(router.build());
            connections = new ConnectionLimiter(config.maxConnections());
            loopCounts = new LoopConnectionCounts(transport.group());
            logs.start(config);
            final HttpConnectionConfig connectionConfig = connectionConfig(config);
            initializer = new HttpServerInitializer(
                this.router, config.decoderConfig(), connectionConfig, connections, loopCounts);
            tlsInitializer = null == config.tls() ? null : new HttpServerInitializer(
                this.router, config.decoderConfig(), connectionConfig, connections, loopCounts, tlsSetup(config));
            final Set<Integer> httpsPorts = httpsPorts();
            serverChannels = new ServerChannels(config, transport);
            for (final int port : this.router.table().ports())
            {
                serverChannels.bind(port, httpsPorts.contains(port) ? tlsInitializer : initializer);
            }
            final AdminCounters adminCounters = new AdminCounters();
            if (config.adminPort() > 0)
            {
                admin = new AdminServer(
                    transport, config.adminPort(), config.admin(), adminCounters, this::metricsText,
                    (path) -> CONFIG_PATH.equals(path) ? effectiveConfiguration() : null,
                    new AdminOperations(config.id(), queues, hosts, connections));
                startAdmin();
            }
            // only once the ports are ours; a second listener of the same directory is refused by its lock
            createShmDir();
            createCounters(adminCounters);
            for (final Host host : hosts.values())
            {
                host.start();
            }
            serverChannels.startAccepting();
        }
        catch (final Throwable ex)
        {
            // never leave event loops (non-daemon threads), ports or workers behind a failed start
            try
            {
                close();
            }
            catch (final Throwable closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw ex;
        }
        LOG.info(() -> "effective configuration:\n" + EffectiveConfiguration.describe(config));
        LOG.info(() -> "transport: " + transport.name() + ", " + config.eventLoops() + " event loop(s)" +
            (serverChannels.reusePort() ? ", one SO_REUSEPORT socket per loop and port" : ""));
        final Set<Integer> httpsPorts = httpsPorts();
        for (final int port : serverChannels.ports())
        {
            LOG.info(() -> "listening on " + (httpsPorts.contains(port) ? "https://" : "http://") +
                config.bindAddress() + ":" + port + "/");
        }
        if (null != admin)
        {
            LOG.info(() -> "admin endpoint on http://" + config.admin().bindAddress() + ":" + config.adminPort() + "/");
        }
        return this;
    }

    /**
     * Close and open the access and error log files again at their paths, as logrotate asks with {@code SIGUSR1}
     * after it moved them. Returns at once; the writer thread reopens them.
     */
    public void reopenLogs()
    {
        final ListenerLogs logs = this.logs;
        if (null != logs)
        {
            logs.reopen();
        }
    }

    /**
     * @return the access and error logs, or null before the start.
     */
    public RequestLog requestLog()
    {
        final ListenerLogs logs = this.logs;
        return null == logs ? null : logs.requestLog();
    }

    /**
     * @return the count and bound of open client connections; null before {@link #start()}.
     */
    public ConnectionLimiter connections()
    {
        return connections;
    }

    /**
     * @return the connections each event loop has been given since start; null before {@link #start()}.
     */
    LoopConnectionCounts loopConnectionCounts()
    {
        return loopCounts;
    }

    /**
     * @return the listener's counters (those of its counters file); null before {@link #start()}.
     */
    public ListenerCounters counters()
    {
        return counters;
    }

    /**
     * @return the text of {@code /metrics} now: every counter, the sampled ones sampled first; empty before the
     * counters exist.
     */
    String metricsText()
    {
        final AdminMetrics metrics = this.metrics;
        return null == metrics ? "" : metrics.text();
    }

    /**
     * @return the listening server channels; null before {@link #start()}.
     */
    ServerChannels serverChannels()
    {
        return serverChannels;
    }

    /**
     * @return the admin endpoint, or null when it is disabled or the listener is not started.
     */
    AdminServer admin()
    {
        return admin;
    }

    /**
     * @param queueName name of a queue.
     * @return the queue's host, or null.
     */
    public Host host(final String queueName)
    {
        return hosts.get(queueName);
    }

    /**
     * @param queueName name of a queue.
     * @return the queue's bound, or null.
     */
    public RequestQueue queue(final String queueName)
    {
        return queues.get(queueName);
    }

    /**
     * @return the configuration in force: the start's, or the last reload's applied (less what needs a restart).
     */
    public ListenerConfiguration configuration()
    {
        return config;
    }

    /**
     * The effective configuration as the admin port's {@code GET /config} serves it: the configuration in force as
     * YAML in the deployment file's keys, defaults filled in ({@link EffectiveConfiguration}), after a comment line
     * with the outcome of the last reload, e.g. {@code # reload 2 applied: limits changed [app]; ports unchanged}
     * ({@code # reload 0 applied: start} before any).
     *
     * @return the document.
     */
    public String effectiveConfiguration()
    {
        final ReloadOutcome outcome = lastReload;
        return "# " + outcome.line() + "\n" + EffectiveConfiguration.describe(config);
    }

    /**
     * @return what the last reload did; generation 0 before any.
     */
    public ReloadOutcome lastReload()
    {
        return lastReload;
    }

    /**
     * Re-read the configuration and apply what changed, without a restart (SIGHUP, {@code sluice reload}). Queues are
     * added, removed and re-routed; prefixes (binding a port not yet listened on, closing one no longer named), limits,
     * timers and certificates change; a queue whose host or workers change is recycled overlapped: its new host is
     * started and its workers ready before requests are routed to it, and the old host then finishes the requests it
     * took and stops, as does a removed queue's. The new routing table and connection settings are put in force at
     * once: a request routed before keeps the queue, host and limits it was routed with; a connection keeps the
     * connection settings (timers, decoder limits) it was accepted with.
     * <p>
     * Settings that need a restart ({@link ReloadPlan#needsRestart()}) keep their running values and are named in the
     * outcome. When the file is not valid, or names what cannot be used (a handler class, a certificate, a port in
     * use), or a recycled queue's new workers are not ready within their start-up limits, nothing changes: the running
     * configuration is kept and the outcome names the key. Reloads run one at a time; blocks until done, off the event
     * loops.
     *
     * @param sourceName names the source in messages that would not name it (a start-up check's), e.g. the file.
     * @param source     reads and concludes the configuration; throws {@link ConfigException} naming the key.
     * @return what was done, also logged in one line.
     */
    public ReloadOutcome reload(final String sourceName, final Supplier<ListenerConfiguration> source)
    {
        synchronized (reloadLock)
        {
            final long generation = ++reloadCount;
            final ReloadOutcome outcome;
            if (stopping || null == router)
            {
                outcome = new ReloadOutcome(generation, false, "reload " + generation + " refused: the listener is " +
                    (stopping ? "stopping" : "not started"));
            }
            else
            {
                outcome = reloadOrFailure(generation, sourceName, source);
            }
            if (outcome.applied())
            {
                LOG.info(outcome::line);
            }
            else
            {
                LOG.warning(outcome::line);
            }
            lastReload = outcome;
            return outcome;
        }
    }

    /**
     * @return the reload's outcome; a failure nothing foresaw still gives one (never no outcome, which would leave
     * {@code sluice reload} waiting), in one line.
     */
    private ReloadOutcome reloadOrFailure(
        final long generation, final String sourceName, final Supplier<ListenerConfiguration> source)
    {
        try
        {
            return ListenerReload.reload(this, generation, sourceName, source);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            LOG.log(Level.WARNING, "reload " + generation + " failed", ex);
            return new ReloadOutcome(generation, false, "reload " + generation + " refused: an unexpected failure " +
                "while applying it (see the stack trace logged before): " +
                String.valueOf(ex).replaceAll("\\s*\\R\\s*", " "));
        }
    }

    /**
     * Stop gracefully (SIGTERM): stop accepting connections, close idle keep-alive connections and answer every
     * further response with {@code connection: close}, let the requests in flight finish, each queue for up to
     * its workers' {@code shutdownTimeLimit} (in-process queues: the default), then {@link #close()}: the workers are
     * asked to stop (and finish what they hold) and the listener releases everything. Blocks; call it off the event
     * loops.
     */
    public void stop()
    {
        stopping = true;
        synchronized (reloadLock)
        {
            stopGracefully();
        }
    }

    private void stopGracefully()
    {
        final ListenerConfiguration config = this.config;
        closeServerChannels();
        if (null != connections)
        {
            // from now on every response closes its connection; idle keep-alive connections are closed at once,
            // HTTP/2 ones sent GOAWAY, their open streams given as long as the longest queue's time limit
            long drainTimeLimitMs = 0;
            for (final QueueConfiguration queue : config.queues())
            {
                drainTimeLimitMs = Math.max(drainTimeLimitMs, shutdownTimeLimitMs(queue));
            }
            connections.startDraining(drainTimeLimitMs);
        }
        final long startNs = System.nanoTime();
        for (final QueueConfiguration queue : config.queues())
        {
            final RequestQueue requestQueue = queues.get(queue.name());
            if (null == requestQueue)
            {
                continue;
            }
            final long limitMs = shutdownTimeLimitMs(queue);
            final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(limitMs);
            while (requestQueue.length() > 0 && System.nanoTime() - deadlineNs < 0)
            {
                try
                {
                    Thread.sleep(DRAIN_POLL_MS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (requestQueue.length() > 0)
            {
                LOG.warning(() -> "queue " + queue.name() + ": " + requestQueue.length() +
                    " request(s) still in flight after shutdownTimeLimit=" + limitMs + "ms; stopping anyway");
            }
        }
        close();
    }

    private static long shutdownTimeLimitMs(final QueueConfiguration queue)
    {
        return null == queue.worker() ?
            WorkerConfiguration.SHUTDOWN_TIME_LIMIT_MS_DEFAULT : queue.worker().shutdownTimeLimitMs();
    }

    /**
     * Stop accepting, stop the workers, release the event loops and remove the shared-memory directory. Requests
     * still in flight are not waited for (see {@link #stop()}).
     */
    public void close()
    {
        stopping = true;
        closeServerChannels();
        if (null != sampler)
        {
            sampler.shutdownNow();
            sampler = null;
        }
        if (null != admin)
        {
            admin.close();
            admin = null;
        }
        try
        {
            for (final HostRetirement retirement : retiring)
            {
                retirement.close();
            }
            closeHosts();
        }
        finally
        {
            releaseResources();
        }
    }

    private void closeServerChannels()
    {
        if (null != serverChannels)
        {
            serverChannels.close();
        }
    }

    private void closeHosts()
    {
        for (final Host host : hosts.values())
        {
            try
            {
                host.close();
            }
            catch (final RuntimeException ex)
            {
                LOG.warning(() -> "error stopping a host: " + ex);
            }
        }
        hosts.clear();
    }

    private void releaseResources()
    {
        final ListenerConfiguration config = this.config;
        if (null != transport)
        {
            transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            transport = null;
        }
        if (null != logs)
        {
            // after the event loops: what they logged last is written
            logs.close();
        }
        inProcessHandlers.clear();
        if (null != shmDir)
        {
            try
            {
                final List<String> left = SharedMemoryFiles.deletePrivateDirectory(config.shmDir());
                if (!left.isEmpty())
                {
                    LOG.warning(() -> "left " + config.shmDir() + " in place: it holds " + String.join(", ", left) +
                        ", which Sluice did not create");
                }
            }
            catch (final IOException ex)
            {
                LOG.warning(() -> "cannot remove " + config.shmDir() + ": " + ex.getMessage());
            }
            finally
            {
                // released only once removed: no other listener takes it over meanwhile
                shmDir.close();
                shmDir = null;
            }
        }
    }

    Host createHost(
        final QueueConfiguration queue, final String applicationPath, final Handler handler, final String directoryName)
    {
        switch (queue.hosting())
        {
            case IN_PROCESS:
                return new InProcessHost(handler);

            case SHARED_MEMORY:
                return new SharedMemoryHost(queue, hostContext(), applicationPath, directoryName);

            case LOOPBACK_FORWARD:
                return new LoopbackHost(queue, hostContext());

            default:
                throw new IllegalStateException("unknown hosting: " + queue.hosting());
        }
    }

    /**
     * @param config a configuration.
     * @return its connection settings, with the listener's request log and access log file.
     */
    HttpConnectionConfig connectionConfig(final ListenerConfiguration config)
    {
        return logs.connectionConfig(config);
    }

    /**
     * @param queueName a queue's name.
     * @return the access log file its requests are logged to: its own, as at start, or the listener's (a queue added
     * by a reload: log files are declared at start).
     */
    int accessLogFileId(final String queueName)
    {
        return logs.accessLogFileId(queueName);
    }

    private HostContext hostContext()
    {
        return new HostContext(transport, () -> shmDir, nanoClock, () -> counters);
    }

    /**
     * Create the counters file in the shared-memory directory, count the connections and requests in it from now on,
     * and sample the values kept elsewhere into it every {@value #SAMPLE_INTERVAL_MS} ms (so that {@code sluice stat}
     * sees them).
     */
    private void createCounters(final AdminCounters adminCounters)
    {
        try
        {
            // numbered in the configuration's order; a queue a reload adds gets the next number
            final List<String> queueNames = new ArrayList<>();
            for (final QueueConfiguration queue : config.queues())
            {
                queueNames.add(queue.name());
            }
            counters = ListenerCounters.create(shmDir, queueNames, config.eventLoops());
        }
        catch (final IOException ex)
        {
            throw new StartupException(ConfigKeys.LISTENER_SHM_DIR, "cannot create the counters file in " +
                config.shmDir() + ": " + SharedMemoryFiles.reason(ex), ex);
        }
        for (final RequestQueue queue : queues.values())
        {
            queue.counters(counters.queue(queue.name()));
        }
        loopCounts.attach(counters);
        final AdminMetrics adminMetrics = new AdminMetrics(
            counters, connections, new EventLoopAllocations(transport.group()), queues, hosts, adminCounters);
        metrics = adminMetrics;
        sampler = Executors.newSingleThreadScheduledExecutor(
            (r) ->
            {
                final Thread thread = new Thread(r, "sluice-counters");
                thread.setDaemon(true);
                return thread;
            });
        sampler.scheduleAtFixedRate(() -> sample(adminMetrics), 0, SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private static void sample(final AdminMetrics adminMetrics)
    {
        try
        {
            adminMetrics.sample();
        }
        catch (final RuntimeException ex)
        {
            // a failed sample must not end the sampling: the next one tries again
            LOG.fine(() -> "sampling the counters failed: " + ex);
        }
    }

    /**
     * Allocate the counters of a queue a reload adds. Called by the reloading thread.
     *
     * @param queueName the queue's name.
     * @return its counters, or null when the counters file has no room for them (a warning is logged).
     */
    QueueCounters allocateQueueCounters(final String queueName)
    {
        final ListenerCounters counters = this.counters;
        return null == counters ? null : counters.allocateQueue(queueName);
    }

    /**
     * Free the counters of a queue that is gone: its requests answered, its host stopped.
     *
     * @param queueCounters the queue's counters, or null when it had none.
     */
    void freeQueueCounters(final QueueCounters queueCounters)
    {
        final ListenerCounters counters = this.counters;
        if (null != counters && null != queueCounters)
        {
            counters.free(queueCounters);
        }
    }

    void createShmDir()
    {
        final ListenerConfiguration config = this.config;
        if (null == shmDir)
        {
            try
            {
                shmDir = SharedMemoryFiles.openPrivateDirectory(config.shmDir());
            }
            catch (final IOException ex)
            {
                throw new StartupException(ConfigKeys.LISTENER_SHM_DIR, "cannot use " + config.shmDir() + ": " +
                    SharedMemoryFiles.reason(ex), ex);
            }
        }
    }

    static TlsServerSetup tlsSetup(final ListenerConfiguration config)
    {
        final ServerTlsContexts contexts = ServerTlsContexts.create(config.tls());
        LOG.info(() -> "TLS: " + contexts.provider() + " engine, " + config.tls().protocols() + ", ALPN " +
            ServerTlsContexts.APPLICATION_PROTOCOLS + ", client certificate " +
            config.tls().clientCertificate().configName());
        return new TlsServerSetup(contexts.mapping(), config.tls().handshakeTimeoutMs(),
            null != config.tls().clientCertificateCa() &&
            TlsConfiguration.ClientCertificate.OPTIONAL == config.tls().clientCertificate());
    }

    private Set<Integer> httpsPorts()
    {
        final Set<Integer> ports = new HashSet<>();
        final ListenerConfiguration config = this.config;
        for (final QueueConfiguration queue : config.queues())
        {
            for (final String prefix : queue.prefixes())
            {
                final UrlPrefix parsed = UrlPrefix.parse(prefix);
                if (parsed.isHttps())
                {
                    ports.add(parsed.port());
                }
            }
        }
        return ports;
    }

    private void startAdmin()
    {
        try
        {
            admin.start();
        }
        catch (final IllegalStateException ex)
        {
            final String bindAddress = config.admin().bindAddress();
            final String key = BindFailures.isLocalAddress(bindAddress) ? ConfigKeys.LISTENER_ADMIN_PORT :
                ConfigKeys.LISTENER_ADMIN_BIND;
            throw new StartupException(key, "cannot listen on admin port " + bindAddress + ":" +
                config.adminPort() + ": " + BindFailures.bindProblem(null == ex.getCause() ? ex : ex.getCause()), ex);
        }
    }

}
