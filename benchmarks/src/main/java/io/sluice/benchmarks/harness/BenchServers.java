package io.sluice.benchmarks.harness;

import io.sluice.dispatch.worker.WorkerEnvironment;
import io.sluice.listener.tls.SelfSignedFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * Starts and stops the server side of a bench run, every process under the same CPU pinning (workers inherit it from
 * the listener):
 * <ul>
 *     <li>the listener, from {@code listener/target/sluice.jar} with a copy of the configuration moved to a free port
 *     (admin off, its own shared-memory directory, worker output to log files): targets inproc, shm, loopback;</li>
 *     <li>{@code io.sluice.benchmarks.BareHelloServer} on a free port: target bare;</li>
 *     <li>nginx, when installed: one worker, {@code proxy_pass} with upstream keep-alive to the listener's own loopback
 *     worker (its port and token read from the worker's environment): target nginx; and {@code return 200} with the
 *     hello: target nginx-return.</li>
 * </ul>
 * When the run measures TLS, the listener serves its https prefixes on a port of their own and nginx each target on a
 * TLS port too, all with one certificate made for the run. Each is checked to answer hello before it counts as
 * started.
 */
final class BenchServers implements AutoCloseable
{
    /**
     * Address every server binds and wrk connects to.
     */
    static final String HOST = "127.0.0.1";

    private static final long START_TIMEOUT_MS = 90_000;
    private static final long POLL_MS = 100;
    private static final String READY_LINE = "listening on ";
    private static final String HOSTING_ENV = WorkerEnvironment.HOSTING_ENV_NAME;

    private final Path home;
    private final Path outDir;
    private final Path logsDir;
    private final ProcFs procFs;
    private final List<String> cpuPrefix;
    private final List<String> jvmFlags;
    private final Integer eventLoops;
    private final boolean withoutSharedMemory;
    private boolean wantsAccessLog;
    private final String instance;
    private final List<ServerProcess> processes = new ArrayList<>();
    private final Map<TargetKind, Target> targets = new EnumMap<>(TargetKind.class);
    private final Map<TargetKind, String> failures = new EnumMap<>(TargetKind.class);
    private ServerProcess listener;
    private BenchTls tls;
    private boolean withH2c;
    private SSLSocketFactory tlsClient;
    private String tlsFailure;
    private Path shmDir;
    private long shmWorkerPid;
    private long loopbackWorkerPid;

    /**
     * @param home      the repository root.
     * @param outDir    the run's results directory (logs, the listener and nginx configurations go there).
     * @param procFs    for the process tree and environments.
     * @param cpuPrefix command prefix that pins server-side processes, e.g. {@code taskset -c 0}; empty for none.
     * @param jvmFlags  flags for the listener's and the bare server's JVMs.
     */
    BenchServers(
        final Path home,
        final Path outDir,
        final ProcFs procFs,
        final List<String> cpuPrefix,
        final List<String> jvmFlags)
    {
        this(home, outDir, procFs, cpuPrefix, jvmFlags, null, false, "");
    }

    /**
     * @param home                the repository root.
     * @param outDir              the run's results directory (logs, the listener and nginx configurations go there).
     * @param procFs              for the process tree and environments.
     * @param cpuPrefix           command prefix that pins server-side processes, e.g. {@code taskset -c 0}; empty for
     *                            none.
     * @param jvmFlags            flags for the listener's and the bare server's JVMs.
     * @param eventLoops          the listener's {@code listener.eventLoops}, or null to keep the configuration's.
     * @param withoutSharedMemory true to start the listener without its shared-memory queues (target shm then fails).
     * @param instance            tells this run's listeners apart when several run at once (in the listener id and
     *                            shared-memory directory); empty for the only one.
     */
    BenchServers(
        final Path home,
        final Path outDir,
        final ProcFs procFs,
        final List<String> cpuPrefix,
        final List<String> jvmFlags,
        final Integer eventLoops,
        final boolean withoutSharedMemory,
        final String instance)
    {
        this.instance = instance.isEmpty() ? "" : "-" + instance;
        this.eventLoops = eventLoops;
        this.withoutSharedMemory = withoutSharedMemory;
        this.home = home;
        this.outDir = outDir;
        this.logsDir = outDir.resolve("logs");
        this.procFs = procFs;
        this.cpuPrefix = List.copyOf(cpuPrefix);
        this.jvmFlags = List.copyOf(jvmFlags);
    }

    /**
     * Start what the wanted targets need: the listener for any Sluice target or nginx, the bare server, nginx. A target
     * that cannot start is left out with its reason ({@link #failures()}).
     *
     * @param wanted      the targets asked for.
     * @param baseConfig  the listener configuration to start from.
     * @param nginxBinary nginx's path, or empty when it is not installed.
     * @throws IOException when a log or configuration file cannot be written.
     */
    void start(final Set<TargetKind> wanted, final Path baseConfig, final Optional<String> nginxBinary)
        throws IOException
    {
        start(wanted, baseConfig, nginxBinary, Set.of(Protocol.HTTP1));
    }

    /**
     * Start what the wanted targets need, as {@link #start(Set, Path, Optional)} does, and for the protocols the run
     * speaks: with TLS, a certificate made for the run ({@code tls/} in the results directory, as the listener makes
     * its self-signed one), which the listener serves on an https port (HTTP/1.1 and h2) and nginx on its own; with
     * h2c, nginx on an h2c port of its own (the listener speaks h2c on its http port).
     *
     * @param wanted      the targets asked for.
     * @param baseConfig  the listener configuration to start from.
     * @param nginxBinary nginx's path, or empty when it is not installed.
     * @param protocols   the protocols of the run's scenarios.
     * @throws IOException when a log or configuration file cannot be written.
     */
    void start(
        final Set<TargetKind> wanted,
        final Path baseConfig,
        final Optional<String> nginxBinary,
        final Set<Protocol> protocols)
        throws IOException
    {
        Files.createDirectories(logsDir);
        withH2c = protocols.contains(Protocol.H2C);
        if (protocols.stream().anyMatch(Protocol::isTls))
        {
            tls = makeTls();
        }
        final boolean needListener = wanted.stream().anyMatch((k) -> k.isSluice() || k == TargetKind.NGINX);
        int listenerPort = 0;
        if (needListener)
        {
            listenerPort = freePort();
            wantsAccessLog = wanted.contains(TargetKind.LOGGED);
            listener = launchListener(baseConfig, listenerPort);
        }
        ServerProcess bare = null;
        if (wanted.contains(TargetKind.BARE))
        {
            bare = launchBare();
        }

        if (needListener)
        {
            awaitListener(wanted, listenerPort);
        }
        if (null != bare)
        {
            awaitBare(bare);
        }
        final boolean proxy = wanted.contains(TargetKind.NGINX);
        final boolean answer = wanted.contains(TargetKind.NGINX_RETURN);
        if (proxy || answer)
        {
            if (nginxBinary.isEmpty())
            {
                for (final TargetKind kind : List.of(TargetKind.NGINX, TargetKind.NGINX_RETURN))
                {
                    if (wanted.contains(kind))
                    {
                        failures.put(kind, "not installed (apt-get install nginx-light adds it)");
                    }
                }
                return;
            }
            if (proxy && 0 == loopbackWorkerPid)
            {
                failures.putIfAbsent(TargetKind.NGINX, "no loopback worker to proxy to");
            }
            startNginx(nginxBinary.get(), proxy && 0 != loopbackWorkerPid, answer,
                BenchConfigs.tlsProtocols(Files.readString(baseConfig, StandardCharsets.UTF_8)));
        }
    }

    /**
     * @return the checks' TLS client, trusting the run's certificate; null when the run has no TLS.
     */
    SSLSocketFactory tlsClient()
    {
        return tlsClient;
    }

    private BenchTls makeTls()
    {
        try
        {
            final Path[] files = SelfSignedFiles.ensure(outDir.resolve("tls"), List.of(), "bench tls");
            final BenchTls made = new BenchTls(freePort(), files[0], files[1]);
            tlsClient = TlsTrust.trusting(made.certificate());
            return made;
        }
        catch (final IOException | RuntimeException ex)
        {
            tlsFailure = "no certificate for the run: " + ex.getMessage();
            return null;
        }
    }

    /**
     * @return why the run has no TLS although it asked for it, or null.
     */
    String tlsFailure()
    {
        return tlsFailure;
    }

    /**
     * @return the targets that started and answer, in target order.
     */
    Map<TargetKind, Target> targets()
    {
        return targets;
    }

    /**
     * @return targets that were asked for but could not start, with the reason.
     */
    Map<TargetKind, String> failures()
    {
        return failures;
    }

    /**
     * @return the listener's pid, 0 when it was not started.
     */
    long listenerPid()
    {
        return null != listener ? listener.pid() : 0;
    }

    /**
     * @return the listener, its workers and the nginx/bare servers with their pids, for the report.
     */
    Map<String, Long> processNames()
    {
        final Map<String, Long> names = new LinkedHashMap<>();
        for (final ServerProcess process : processes)
        {
            names.put(process.name(), process.pid());
        }
        if (0 != shmWorkerPid)
        {
            names.put("shm worker", shmWorkerPid);
        }
        if (0 != loopbackWorkerPid)
        {
            names.put("loopback worker", loopbackWorkerPid);
        }
        return names;
    }

    /**
     * @return the shared-memory worker's pid, 0 when unknown.
     */
    long shmWorkerPid()
    {
        return shmWorkerPid;
    }

    /**
     * @return the loopback worker's pid, 0 when unknown.
     */
    long loopbackWorkerPid()
    {
        return loopbackWorkerPid;
    }

    /**
     * Stop everything started, nginx first, then the bare server, then the listener (which stops its workers), and
     * remove the run's shared-memory directory if the listener left it. Safe to call again, and from the shutdown hook
     * while the run's own {@code finally} calls it.
     */
    public synchronized void close()
    {
        for (int i = processes.size() - 1; i >= 0; i--)
        {
            processes.get(i).close();
        }
        processes.clear();
        if (null != shmDir && Files.isDirectory(shmDir))
        {
            deleteTree(shmDir);
        }
    }

    private ServerProcess launchListener(final Path baseConfig, final int port) throws IOException
    {
        final long pid = ProcessHandle.current().pid();
        shmDir = Path.of("/dev/shm", "sluice-bench-" + pid + instance);
        final Path config = outDir.resolve("listener.yaml");
        Files.writeString(config, BenchConfigs.benchConfig(
            Files.readString(baseConfig, StandardCharsets.UTF_8), port, tls, "bench-" + pid + instance, shmDir,
            logsDir, eventLoops, withoutSharedMemory, wantsAccessLog), StandardCharsets.UTF_8);
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(javaBinary());
        command.addAll(jvmFlags);
        command.add("-jar");
        command.add(home.resolve("listener").resolve("target").resolve("sluice.jar").toString());
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        return started(ServerProcess.start("listener", command, logsDir.resolve("listener.log"), procFs));
    }

    private ServerProcess launchBare() throws IOException
    {
        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(javaBinary());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.sluice.benchmarks.BareHelloServer");
        command.add("0");
        command.add(HOST);
        return started(ServerProcess.start("bare server", command, logsDir.resolve("bare.log"), procFs));
    }

    private void awaitListener(final Set<TargetKind> wanted, final int port) throws IOException
    {
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        final List<TargetKind> sluiceTargets = new ArrayList<>();
        for (final TargetKind kind :
            List.of(TargetKind.INPROC, TargetKind.LOGGED, TargetKind.SHM, TargetKind.LOOPBACK))
        {
            final boolean needed = wanted.contains(kind) || (TargetKind.LOOPBACK == kind &&
                wanted.contains(TargetKind.NGINX));
            if (needed && !(TargetKind.SHM == kind && withoutSharedMemory))
            {
                sluiceTargets.add(kind);
            }
        }
        if (withoutSharedMemory && wanted.contains(TargetKind.SHM))
        {
            failures.put(TargetKind.SHM, "started without its shared-memory queue");
        }
        String lastError = "no answer yet";
        while (System.currentTimeMillis() < deadline && listener.isAlive())
        {
            try
            {
                for (final TargetKind kind : sluiceTargets)
                {
                    HttpCheck.check(HOST, port, kind.pathPrefix(), Scenario.HELLO_C64);
                }
                lastError = null;
                break;
            }
            catch (final IOException ex)
            {
                lastError = ex.getMessage();
                pause();
            }
        }
        if (null != lastError)
        {
            final String reason = "listener did not serve " + String.join(", ",
                sluiceTargets.stream().map(TargetKind::pathPrefix).toList()) + " within " +
                START_TIMEOUT_MS / 1000 + " s (" + (listener.isAlive() ? lastError : "it exited") + "); its log:\n" +
                listener.logTail(20);
            for (final TargetKind kind : TargetKind.values())
            {
                if (kind.isSluice() || kind == TargetKind.NGINX)
                {
                    failures.put(kind, reason);
                }
            }
            return;
        }

        final List<Long> roots = List.of(listener.pid());
        for (final TargetKind kind : sluiceTargets)
        {
            if (wanted.contains(kind))
            {
                targets.put(kind, new Target(kind, HOST, port, null != tls ? tls.port() : 0, port, roots));
            }
        }
        for (final long pid : procFs.treeOf(listener.pid()))
        {
            final String hosting = procFs.environ(pid).get(HOSTING_ENV);
            if (WorkerEnvironment.SHARED_MEMORY.equals(hosting))
            {
                shmWorkerPid = pid;
            }
            else if (WorkerEnvironment.LOOPBACK.equals(hosting))
            {
                loopbackWorkerPid = pid;
            }
        }
    }

    private void awaitBare(final ServerProcess bare) throws IOException
    {
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline && bare.isAlive())
        {
            final int port = readyPort(bare.log());
            if (port > 0)
            {
                try
                {
                    HttpCheck.check(HOST, port, "/", Scenario.HELLO_C64);
                    targets.put(TargetKind.BARE, new Target(TargetKind.BARE, HOST, port, List.of(bare.pid())));
                    return;
                }
                catch (final IOException ex)
                {
                    failures.put(TargetKind.BARE, "bare server does not answer hello: " + ex.getMessage());
                    return;
                }
            }
            pause();
        }
        failures.put(TargetKind.BARE, "bare server did not start; its log:\n" + bare.logTail(20));
    }

    private void startNginx(
        final String binary, final boolean proxy, final boolean answer, final List<String> tlsProtocols)
        throws IOException
    {
        String upstreamPort = "0";
        String token = "";
        boolean proxying = proxy;
        if (proxy)
        {
            final Map<String, String> env = procFs.environ(loopbackWorkerPid);
            upstreamPort = env.get(WorkerEnvironment.PORT_ENV_NAME);
            token = env.get(WorkerEnvironment.TOKEN_ENV_NAME);
            if (null == upstreamPort || null == token)
            {
                failures.put(TargetKind.NGINX, "cannot read SLUICE_PORT and SLUICE_TOKEN of loopback worker " +
                    loopbackWorkerPid);
                proxying = false;
            }
        }
        if (!proxying && !answer)
        {
            return;
        }
        final Path dir = outDir.resolve("nginx");
        Files.createDirectories(dir);
        final int keepalive = Scenario.ALL.stream().mapToInt(Scenario::upstreamConnections).max().orElse(64);
        final BenchConfigs.NginxServers servers = new BenchConfigs.NginxServers(
            proxying ? freePort() : 0, proxying && null != tls ? freePort() : 0, proxying && withH2c ? freePort() : 0,
            proxying ? Integer.parseInt(upstreamPort) : 0, token, keepalive,
            answer ? freePort() : 0, answer && null != tls ? freePort() : 0, answer && withH2c ? freePort() : 0, tls,
            tlsProtocols);
        final Path config = dir.resolve("nginx.conf");
        Files.writeString(config, BenchConfigs.nginxConfig(dir, servers), StandardCharsets.UTF_8);

        final List<String> command = new ArrayList<>(cpuPrefix);
        command.add(binary);
        command.add("-p");
        command.add(dir.toString());
        command.add("-e");
        command.add(dir.resolve("error.log").toString());
        command.add("-c");
        command.add(config.toString());
        final ServerProcess nginx =
            started(ServerProcess.start("nginx", command, logsDir.resolve("nginx.log"), procFs));

        final Map<TargetKind, Target> pending = new EnumMap<>(TargetKind.class);
        if (proxying)
        {
            pending.put(TargetKind.NGINX, new Target(TargetKind.NGINX, HOST, servers.proxyPort(),
                servers.proxyTlsPort(), servers.proxyH2cPort(), List.of(nginx.pid(), loopbackWorkerPid)));
        }
        if (answer)
        {
            pending.put(TargetKind.NGINX_RETURN, new Target(TargetKind.NGINX_RETURN, HOST, servers.returnPort(),
                servers.returnTlsPort(), servers.returnH2cPort(), List.of(nginx.pid())));
        }
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        String lastError = "no answer";
        while (System.currentTimeMillis() < deadline && nginx.isAlive())
        {
            try
            {
                for (final Target target : pending.values())
                {
                    HttpCheck.check(HOST, target.port(), target.kind().pathPrefix(), Scenario.HELLO_C64);
                }
                targets.putAll(pending);
                return;
            }
            catch (final IOException ex)
            {
                lastError = ex.getMessage();
                pause();
            }
        }
        for (final TargetKind kind : pending.keySet())
        {
            failures.put(kind, "nginx did not serve " + kind.pathPrefix() + " (" + lastError + "); its log:\n" +
                nginx.logTail(10));
        }
    }

    private ServerProcess started(final ServerProcess process)
    {
        processes.add(process);
        return process;
    }

    private static int readyPort(final Path log)
    {
        try
        {
            for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
            {
                if (line.startsWith(READY_LINE))
                {
                    return Integer.parseInt(line.substring(READY_LINE.length()).trim());
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0;
        }
        return 0;
    }

    private static String javaBinary()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(POLL_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a server to start", ex);
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (var paths = Files.walk(dir))
        {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((p) ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("sluice bench: cannot remove " + dir + ": " + ex.getMessage());
        }
    }
}
