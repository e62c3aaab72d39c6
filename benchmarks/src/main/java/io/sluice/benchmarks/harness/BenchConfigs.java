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
        return benchConfig(yaml, port, listenerId, shmDir, logsDir, eventLoops, withoutSharedMemory, false);
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
        listenerSection.remove("tls");
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
                    if (!String.valueOf(prefix).regionMatches(true, 0, "https://", 0, "https://".length()))
                    {
                        moved.add(movePrefix(String.valueOf(prefix), port));
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
     * Write nginx's configuration: one worker, no access log, upstream keep-alive to the loopback worker, the worker's
     * token and application path added as the listener adds them, and neither request nor response buffered (Sluice
     * streams both, so the two proxies do the same work; nginx's default would spool a 1 MiB response to disk).
     *
     * @param dir          nginx's prefix directory: pid file, logs, temporary files.
     * @param port         the port nginx listens on.
     * @param upstreamPort the loopback worker's port.
     * @param token        the loopback worker's {@code Sluice-Token}.
     * @param keepalive    idle upstream connections nginx keeps: at least the most connections a scenario opens.
     * @return the configuration text.
     */
    static String nginxConfig(
        final Path dir, final int port, final int upstreamPort, final String token, final int keepalive)
    {
        return """
            # Written by the Sluice bench harness: nginx proxy_pass to the Sluice loopback worker.
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
              upstream sluice_loopback_worker {
                server %2$s:%3$d;
                keepalive %4$d;
                keepalive_requests 1000000;
              }
              server {
                listen %2$s:%5$d backlog=4096;
                location /loopback/ {
                  proxy_pass http://sluice_loopback_worker;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Sluice-Token "%6$s";
                  proxy_set_header Sluice-Appl-Path /loopback/;
                  proxy_buffering off;
                  proxy_request_buffering off;
                }
              }
            }
            """.formatted(dir, BenchServers.HOST, upstreamPort, keepalive, port, token);
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
