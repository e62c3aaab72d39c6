package io.sluice.benchmarks.harness;

import io.sluice.dispatch.worker.WorkerEnvironment;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration files of a bench run's servers: the listener's, rewritten from the configuration measured, and
 * nginx's.
 */
final class BenchConfigs
{
    private static final String ACCESS_LOG_QUEUE = "logged";

    /**
     * The TLS versions Sluice offers by default, and nginx is given when the configuration names none.
     */
    static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Pattern PREFIX_PORT = Pattern.compile("^([a-zA-Z]+://(?:\\[[^]]*]|[^/:]+)):(\\d+)(/.*)$");

    private BenchConfigs()
    {
    }

    /**
     * Rewrite a listener configuration for a bench run: every {@code http} prefix moved to {@code port} ({@code https}
     * prefixes and {@code listener.tls} left out: the run measures cleartext), the admin endpoint off, the
     * listener id and shared-memory directory the run's own, each worker's output to a log file. Everything else (the
     * queues, hosting models, event loops, limits) stays as the file says, so the run measures that configuration.
     *
     * @param yaml       the configuration text.
     * @param port       the port every prefix moves to.
     * @param listenerId the listener id for the run.
     * @param shmDir     the shared-memory directory for the run.
     * @param logsDir    where worker output goes ({@code <queue>-worker.log}).
     * @return the rewritten configuration text.
     */
    static String benchConfig(
        final String yaml, final int port, final String listenerId, final Path shmDir, final Path logsDir)
    {
        return benchConfig(yaml, port, listenerId, shmDir, logsDir, null, false);
    }

    /**
     * Rewrite a listener configuration for a bench run, as {@link #benchConfig(String, int, String, Path, Path)}
     * does, with the event loops the run measures and, if asked, without the shared-memory queues.
     *
     * @param yaml                the configuration text.
     * @param port                the port every prefix moves to.
     * @param listenerId          the listener id for the run.
     * @param shmDir              the shared-memory directory for the run.
     * @param logsDir             where worker output goes ({@code <queue>-worker.log}).
     * @param eventLoops          {@code listener.eventLoops} for the run, or null to keep the file's.
     * @param withoutSharedMemory true to leave out every queue hosted in shared memory.
     * @return the rewritten configuration text.
     */
    static String benchConfig(
        final String yaml,
        final int port,
        final String listenerId,
        final Path shmDir,
        final Path logsDir,
        final Integer eventLoops,
        final boolean withoutSharedMemory)
    {
        return benchConfig(yaml, port, null, listenerId, shmDir, logsDir, eventLoops, withoutSharedMemory, false);
    }

    /**
     * @param yaml                the configuration measured.
     * @param port                the port every cleartext prefix is moved to.
     * @param listenerId          the listener's id.
     * @param shmDir              the shared-memory directory.
     * @param logsDir             where workers' output and the access log go.
     * @param eventLoops          the event loop count, or null for the file's.
     * @param withoutSharedMemory leave the shared-memory queues out.
     * @param accessLogQueue      add {@code logged}, the in-process queue again under {@code /logged/} with
     *                            its requests written to {@code <logsDir>/access.log}; every other queue's access log
     *                            is off either way, so that the file's own log settings do not skew the comparison.
     * @return the configuration to run.
     */
    static String benchConfig(
        final String yaml,
        final int port,
        final String listenerId,
        final Path shmDir,
        final Path logsDir,
        final Integer eventLoops,
        final boolean withoutSharedMemory,
        final boolean accessLogQueue)
    {
        return benchConfig(yaml, port, null, listenerId, shmDir, logsDir, eventLoops, withoutSharedMemory,
            accessLogQueue);
    }

    /**
     * Rewrite a listener configuration for a bench run, as {@link #benchConfig(String, int, String, Path, Path,
     * Integer, boolean, boolean)} does, and with TLS when given: every {@code https} prefix moved to the TLS port (or,
     * when the file has none, an {@code https} twin of every {@code http} prefix there), and {@code listener.tls}
     * serving the run's certificate as the default, with the file's {@code protocols} and {@code handshakeTimeout}
     * (client certificates not asked for: the load generators have none).
     *
     * @param yaml                the configuration text.
     * @param port                the port every {@code http} prefix moves to.
     * @param tls                 the TLS port and certificate, or null to measure cleartext only.
     * @param listenerId          the listener id for the run.
     * @param shmDir              the shared-memory directory for the run.
     * @param logsDir             where worker output and the access log go.
     * @param eventLoops          {@code listener.eventLoops} for the run, or null to keep the file's.
     * @param withoutSharedMemory true to leave out every queue hosted in shared memory.
     * @param accessLogQueue      add the {@code logged} queue (see above).
     * @return the rewritten configuration text.
     */
    static String benchConfig(
        final String yaml,
        final int port,
        final BenchTls tls,
        final String listenerId,
        final Path shmDir,
        final Path logsDir,
        final Integer eventLoops,
        final boolean withoutSharedMemory,
        final boolean accessLogQueue)
    {
        final Map<String, Object> root = asMap(new Yaml().load(yaml), "the configuration");
        final Map<String, Object> listenerSection = root.get("listener") instanceof Map ?
            asMap(root.get("listener"), "listener") : new LinkedHashMap<>();
        listenerSection.put("id", listenerId);
        listenerSection.put("adminPort", 0);
        listenerSection.put("shmDir", shmDir.toString());
        if (null != eventLoops)
        {
            listenerSection.put("eventLoops", eventLoops);
        }
        final Object fileTls = listenerSection.remove("tls");
        if (null != tls)
        {
            listenerSection.put("tls", tlsSection(fileTls, tls));
        }
        listenerSection.remove("accessLog");
        if (null != listenerSection.get("errorLog"))
        {
            listenerSection.put("errorLog", logsDir.resolve("httperr.log").toString());
        }
        root.put("listener", listenerSection);

        if (!(root.get("queues") instanceof List<?> queues))
        {
            throw new IllegalArgumentException("configuration has no queues list");
        }
        if (withoutSharedMemory)
        {
            queues.removeIf((q) -> q instanceof Map<?, ?> queue &&
                WorkerEnvironment.SHARED_MEMORY.equals(queue.get("hosting")));
        }
        if (accessLogQueue)
        {
            addAccessLogQueue(asList(queues), logsDir);
        }
        final boolean anyHttps = queues.stream().anyMatch((q) -> q instanceof Map<?, ?> queue &&
            queue.get("prefixes") instanceof List<?> prefixes && prefixes.stream().anyMatch(BenchConfigs::isHttps));
        for (final Object element : queues)
        {
            final Map<String, Object> queue = asMap(element, "a queue");
            if (!ACCESS_LOG_QUEUE.equals(queue.get("name")))
            {
                queue.put("accessLog", false);
            }
            if (queue.get("prefixes") instanceof List<?> prefixes)
            {
                final List<String> moved = new ArrayList<>();
                for (final Object prefix : prefixes)
                {
                    if (!isHttps(prefix))
                    {
                        moved.add(movePrefix(String.valueOf(prefix), port));
                    }
                }
                if (null != tls)
                {
                    for (final Object prefix : prefixes)
                    {
                        if (isHttps(prefix))
                        {
                            moved.add(movePrefix(String.valueOf(prefix), tls.port()));
                        }
                        else if (!anyHttps)
                        {
                            moved.add("https" + movePrefix(String.valueOf(prefix), tls.port())
                                .substring("http".length()));
                        }
                    }
                }
                queue.put("prefixes", moved);
            }
            if (!WorkerEnvironment.IN_PROCESS.equals(queue.get("hosting")))
            {
                final Map<String, Object> worker = queue.get("worker") instanceof Map ?
                    asMap(queue.get("worker"), "worker") : new LinkedHashMap<>();
                worker.put("stdoutLog", logsDir.resolve(queue.get("name") + "-worker.log").toString());
                queue.put("worker", worker);
            }
        }

        final DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return "# Written by the Sluice bench harness from the configuration it measured; see report.md.\n" +
            new Yaml(options).dump(root);
    }

    private static void addAccessLogQueue(final List<Object> queues, final Path logsDir)
    {
        for (final Object element : queues)
        {
            final Map<String, Object> queue = asMap(element, "a queue");
            if (WorkerEnvironment.IN_PROCESS.equals(queue.get("hosting")) && queue.get("prefixes") instanceof List<?> p)
            {
                final Map<String, Object> logged = new LinkedHashMap<>(queue);
                logged.put("name", ACCESS_LOG_QUEUE);
                final List<String> prefixes = new ArrayList<>();
                for (final Object prefix : p)
                {
                    prefixes.add(String.valueOf(prefix).replace("/inproc/", "/" + ACCESS_LOG_QUEUE + "/"));
                }
                logged.put("prefixes", prefixes);
                final Map<String, Object> accessLog = new LinkedHashMap<>();
                accessLog.put("path", logsDir.resolve("access.log").toString());
                accessLog.put("rotate", Map.of("daily", false));
                logged.put("accessLog", accessLog);
                queues.add(logged);
                return;
            }
        }
        throw new IllegalArgumentException("configuration has no in-process queue to log");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(final List<?> list)
    {
        return (List<Object>)list;
    }

    /**
     * @param yaml a listener configuration.
     * @return its {@code listener.tls.protocols}, or the default, TLSv1.3 and TLSv1.2.
     */
    static List<String> tlsProtocols(final String yaml)
    {
        final Map<String, Object> root = asMap(new Yaml().load(yaml), "the configuration");
        if (root.get("listener") instanceof Map<?, ?> listener && listener.get("tls") instanceof Map<?, ?> tls &&
            tls.get("protocols") instanceof List<?> protocols && !protocols.isEmpty())
        {
            return protocols.stream().map(String::valueOf).toList();
        }
        return DEFAULT_TLS_PROTOCOLS;
    }

    private static Map<String, Object> tlsSection(final Object fileTls, final BenchTls tls)
    {
        final Map<String, Object> section = new LinkedHashMap<>();
        final Map<String, Object> certificate = new LinkedHashMap<>();
        certificate.put("hosts", List.of("*"));
        certificate.put("certificate", tls.certificate().toString());
        certificate.put("key", tls.key().toString());
        section.put("certificates", List.of(certificate));
        if (fileTls instanceof Map<?, ?> file)
        {
            for (final String key : List.of("protocols", "handshakeTimeout"))
            {
                if (null != file.get(key))
                {
                    section.put(key, file.get(key));
                }
            }
        }
        return section;
    }

    private static boolean isHttps(final Object prefix)
    {
        return String.valueOf(prefix).regionMatches(true, 0, "https://", 0, "https://".length());
    }

    /**
     * @param prefix a URL prefix such as {@code http://+:8080/shm/}.
     * @param port   the new port.
     * @return the prefix on that port.
     * @throws IllegalArgumentException when the prefix names no port.
     */
    static String movePrefix(final String prefix, final int port)
    {
        final Matcher matcher = PREFIX_PORT.matcher(prefix);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("prefix without scheme://host:port/path: " + prefix);
        }
        return matcher.group(1) + ":" + port + matcher.group(3);
    }

    /**
     * Write nginx's configuration for the proxy alone, in cleartext: see {@link #nginxConfig(Path, NginxServers)}.
     *
     * @param dir          nginx's prefix directory: pid file, logs, temporary files.
     * @param port         the port nginx listens on.
     * @param upstreamPort the loopback worker's port.
     * @param token        the loopback worker's {@code Sluice-Token}.
     * @param keepalive    idle upstream connections nginx keeps: at least the most upstream connections a scenario
     *                     needs at once ({@link Scenario#upstreamConnections()}).
     * @return the configuration text.
     */
    static String nginxConfig(
        final Path dir, final int port, final int upstreamPort, final String token, final int keepalive)
    {
        return nginxConfig(dir, new NginxServers(port, 0, 0, upstreamPort, token, keepalive, 0, 0, 0, null,
            List.of()));
    }

    /**
     * What nginx serves in a run. A port of 0 is not listened on.
     *
     * @param proxyPort     cleartext port of the proxy to the loopback worker; 0 for no proxy.
     * @param proxyTlsPort  TLS port of the same proxy (HTTP/1.1 and h2, by ALPN).
     * @param proxyH2cPort  h2c port (prior knowledge) of the same proxy.
     * @param upstreamPort  the loopback worker's port.
     * @param token         the loopback worker's {@code Sluice-Token}.
     * @param keepalive     idle upstream connections nginx keeps: at least the most upstream connections a scenario
     *                      needs at once ({@link Scenario#upstreamConnections()}).
     * @param returnPort    cleartext port of {@code return 200}; 0 for none.
     * @param returnTlsPort TLS port of {@code return 200}.
     * @param returnH2cPort h2c port of {@code return 200}.
     * @param tls           the certificate both TLS ports serve; null for no TLS port.
     * @param protocols     the TLS versions, as the listener's {@code listener.tls.protocols} names them.
     */
    record NginxServers(
        int proxyPort,
        int proxyTlsPort,
        int proxyH2cPort,
        int upstreamPort,
        String token,
        int keepalive,
        int returnPort,
        int returnTlsPort,
        int returnH2cPort,
        BenchTls tls,
        List<String> protocols)
    {
    }

    /**
     * Write nginx's configuration: one worker, no access log; the proxy (target nginx) with upstream keep-alive to the
     * loopback worker, the worker's token and application path added as the listener adds them, the client's address
     * and scheme as {@code X-Forwarded-For} and {@code X-Forwarded-Proto} (what the listener's loopback forwarding
     * sends, replacing any client copy as the listener does, and what a production nginx in front of an application
     * passes: both proxies hand the worker the same facts), and neither request
     * nor response buffered (Sluice streams both, so the two proxies do the same work; nginx's default would spool a
     * 1 MiB response to disk); {@code return 200} with the hello (target nginx-return). Each TLS port serves the run's
     * certificate with the listener's TLS versions, ALPN offering h2 and http/1.1, and a session cache besides
     * tickets, as the listener has; an h2c port ({@code listen … http2} without TLS) speaks HTTP/2 with prior
     * knowledge only. {@code keepalive_requests} lets a connection, HTTP/2 too, serve a whole run.
     *
     * @param dir     nginx's prefix directory: pid file, logs, temporary files.
     * @param servers what to serve on which ports.
     * @return the configuration text.
     */
    static String nginxConfig(final Path dir, final NginxServers servers)
    {
        final StringBuilder conf = new StringBuilder(2048);
        conf.append("""
            # Written by the Sluice bench harness: nginx proxy_pass to the Sluice loopback worker, and return 200.
            worker_processes 1;
            daemon off;
            pid %1$s/nginx.pid;
            error_log %1$s/error.log warn;
            events {
              worker_connections 4096;
            }
            http {
              access_log off;
              keepalive_requests 1000000;
              keepalive_timeout 75s;
              client_max_body_size 0;
              client_body_temp_path %1$s/client_body;
              proxy_temp_path %1$s/proxy;
              fastcgi_temp_path %1$s/fastcgi;
              uwsgi_temp_path %1$s/uwsgi;
              scgi_temp_path %1$s/scgi;
            """.formatted(dir));
        if (null != servers.tls())
        {
            conf.append("""
                  ssl_certificate %s;
                  ssl_certificate_key %s;
                  ssl_protocols %s;
                  ssl_session_cache shared:SSL:10m;
                """.formatted(servers.tls().certificate(), servers.tls().key(),
                String.join(" ", servers.protocols())));
        }
        if (servers.proxyPort() > 0)
        {
            conf.append("""
                  upstream sluice_loopback_worker {
                    server %1$s:%2$d;
                    keepalive %3$d;
                    keepalive_requests 1000000;
                  }
                  server {
                    listen %1$s:%4$d backlog=4096;
                """.formatted(BenchServers.HOST, servers.upstreamPort(), servers.keepalive(), servers.proxyPort()));
            tlsListen(conf, servers, servers.proxyTlsPort());
            h2cListen(conf, servers.proxyH2cPort());
            conf.append("""
                    location /loopback/ {
                      proxy_pass http://sluice_loopback_worker;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Sluice-Token "%s";
                      proxy_set_header Sluice-Appl-Path /loopback/;
                      proxy_set_header X-Forwarded-For $remote_addr;
                      proxy_set_header X-Forwarded-Proto $scheme;
                      proxy_buffering off;
                      proxy_request_buffering off;
                    }
                  }
                """.formatted(servers.token()));
        }
        if (servers.returnPort() > 0)
        {
            conf.append("""
                  server {
                    listen %s:%d backlog=4096;
                """.formatted(BenchServers.HOST, servers.returnPort()));
            tlsListen(conf, servers, servers.returnTlsPort());
            h2cListen(conf, servers.returnH2cPort());
            conf.append("""
                    default_type text/plain;
                    location / {
                      return 200 "Hello, World!";
                    }
                  }
                """);
        }
        return conf.append("}\n").toString();
    }

    private static void h2cListen(final StringBuilder conf, final int port)
    {
        if (port > 0)
        {
            conf.append("    listen %s:%d http2 backlog=4096;\n".formatted(BenchServers.HOST, port));
        }
    }

    private static void tlsListen(final StringBuilder conf, final NginxServers servers, final int port)
    {
        if (null != servers.tls() && port > 0)
        {
            conf.append("    listen %s:%d ssl http2 backlog=4096;\n".formatted(BenchServers.HOST, port));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value, final String what)
    {
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException(what + " is not a mapping");
        }
        return (Map<String, Object>)value;
    }
}
