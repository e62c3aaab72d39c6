package io.sluice.listener;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.listener.hosting.loopback.LoopbackHost;
import io.sluice.listener.hosting.shm.SharedMemoryHost;
import io.sluice.listener.http.ConnectionLimiter;
import io.sluice.listener.process.WorkerStatus;
import io.sluice.listener.process.WorkerSupervisor;
import io.sluice.listener.queue.Host;
import io.sluice.listener.queue.RequestQueue;
import io.sluice.listener.routing.RequestTargets;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The admin port's status document and queue operations, beside {@code /health} and {@code /metrics}:
 * <ul>
 *     <li>{@code GET /status}: a JSON document as NGINX Unit's {@code /status}: the listener's pid, uptime and
 *     connections; each queue's hosting, state ({@code online}, {@code offline} or {@code stopped} by rapid-fail
 *     protection), outstanding requests (admitted, not yet answered), capacity and refusals; and each worker's
 *     position, slot, pid, state ({@code starting}, {@code ready}, {@code draining}, {@code stopped}), uptime,
 *     requests given to it, restarts and recycles.</li>
 *     <li>{@code POST /queues/<name>/offline}: the queue answers 503 with its offline page (its {@code offlineBody}
 *     or {@code offlineBodyFile}) and stops its workers once they have finished the requests they hold;
 *     {@code POST /queues/<name>/online} starts them again (at once, or on the next request when activation is
 *     on-demand) and serves again; {@code POST /queues/<name>/recycle} recycles its workers, overlapped.</li>
 * </ul>
 * Threading: on the admin event loop; what it reads is published by the other threads.
 */
final class AdminOperations
{
    static final String STATUS_PATH = "/status";
    static final String QUEUES_PATH = "/queues/";
    static final String OFFLINE = "offline";
    static final String ONLINE = "online";
    static final String RECYCLE = "recycle";

    private static final Logger LOG = Logger.getLogger(AdminOperations.class.getName());

    private final String listenerId;
    private final Map<String, RequestQueue> queues;
    private final Map<String, Host> hosts;
    private final ConnectionLimiter connections;
    private final long startNs = System.nanoTime();
    private final long startEpochMs = System.currentTimeMillis();

    /**
     * @param listenerId  the listener's id.
     * @param queues      the queues' bounds by name, as served.
     * @param hosts       the queues' hosts by name, as served.
     * @param connections the listener's client connections.
     */
    AdminOperations(
        final String listenerId,
        final Map<String, RequestQueue> queues,
        final Map<String, Host> hosts,
        final ConnectionLimiter connections)
    {
        this.listenerId = listenerId;
        this.queues = queues;
        this.hosts = hosts;
        this.connections = connections;
    }

    /**
     * The answer to a request for a path the admin port does not otherwise serve.
     *
     * @param request  the request, checked by {@link AdminAnswer#to}.
     * @param notFound what {@link AdminAnswer#to} answers it (404), for its connection handling.
     * @return the answer, or null when the path is none of these either.
     */
    AdminAnswer answer(final HttpRequest request, final AdminAnswer notFound)
    {
        CharSequence target = request.uri();
        if (RequestTargets.isAbsoluteForm(target))
        {
            target = RequestTargets.pathAndQuery(target);
        }
        final String path = PathNormalizer.normalize(target);
        if (null == path)
        {
            return null;
        }
        final HttpMethod method = request.method();
        if (STATUS_PATH.equals(path))
        {
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method))
            {
                return answer(notFound, HttpResponseStatus.METHOD_NOT_ALLOWED.code(), "method not allowed\n");
            }
            return answer(notFound, HttpResponseStatus.OK.code(), status());
        }
        if (!path.startsWith(QUEUES_PATH))
        {
            return null;
        }
        final String rest = path.substring(QUEUES_PATH.length());
        final int slash = rest.indexOf('/');
        if (slash <= 0)
        {
            return null;
        }
        final String name = rest.substring(0, slash);
        final String operation = rest.substring(slash + 1);
        if (!OFFLINE.equals(operation) && !ONLINE.equals(operation) && !RECYCLE.equals(operation))
        {
            return null;
        }
        final RequestQueue queue = queues.get(name);
        final Host host = hosts.get(name);
        if (null == queue || null == host)
        {
            return answer(notFound, HttpResponseStatus.NOT_FOUND.code(), "no queue " + name + "\n");
        }
        if (!HttpMethod.POST.equals(method))
        {
            return answer(notFound, HttpResponseStatus.METHOD_NOT_ALLOWED.code(), "method not allowed: use POST\n");
        }
        return answer(notFound, HttpResponseStatus.OK.code(), operate(name, queue, host, operation));
    }

    /**
     * Take a queue offline, bring it online, or recycle its workers.
     *
     * @param name      the queue's name.
     * @param queue     its bound.
     * @param host      its host.
     * @param operation {@link #OFFLINE}, {@link #ONLINE} or {@link #RECYCLE}.
     * @return the answer's text.
     */
    static String operate(final String name, final RequestQueue queue, final Host host, final String operation)
    {
        switch (operation)
        {
            case OFFLINE:
                // first no request reaches the host, then its workers drain and stop
                queue.offline(true);
                host.suspend();
                LOG.info(() -> "queue " + name + ": offline (admin request)");
                return "queue " + name + " offline\n";

            case ONLINE:
                host.resume();
                queue.offline(false);
                LOG.info(() -> "queue " + name + ": online (admin request)");
                return "queue " + name + " online\n";

            default:
                host.recycle("admin request");
                return "queue " + name + " recycling\n";
        }
    }

    /**
     * @return the status document.
     */
    String status()
    {
        final StringBuilder json = new StringBuilder(1024);
        json.append("{\n  \"listener\": {");
        field(json, "id", listenerId).append(", ");
        field(json, "pid", ProcessHandle.current().pid()).append(", ");
        field(json, "started", startEpochMs).append(", ");
        field(json, "uptimeMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).append(", ");
        json.append("\"connections\": {");
        field(json, "open", connections.openCount()).append(", ");
        field(json, "refused", connections.refusedCount()).append("}},\n  \"queues\": {");
        boolean firstQueue = true;
        for (final Map.Entry<String, RequestQueue> entry : queues.entrySet())
        {
            final String name = entry.getKey();
            final RequestQueue queue = entry.getValue();
            final Host host = hosts.get(name);
            final WorkerSupervisor supervisor = supervisorOf(host);
            json.append(firstQueue ? "\n    " : ",\n    ");
            firstQueue = false;
            quoted(json, name).append(": {");
            field(json, "state", state(queue, supervisor)).append(", ");
            field(json, "outstanding", queue.length()).append(", ");
            field(json, "capacity", queue.capacity()).append(", ");
            field(json, "rejected", queue.rejectedCount()).append(", ");
            json.append("\"workers\": [");
            if (null != supervisor)
            {
                boolean firstWorker = true;
                for (final WorkerStatus worker : supervisor.workers())
                {
                    json.append(firstWorker ? "\n      {" : ",\n      {");
                    firstWorker = false;
                    field(json, "position", worker.position()).append(", ");
                    field(json, "slot", worker.slot()).append(", ");
                    field(json, "pid", worker.pid()).append(", ");
                    field(json, "state", worker.state()).append(", ");
                    field(json, "uptimeMs", worker.uptimeMs()).append(", ");
                    field(json, "requests", worker.requests()).append(", ");
                    field(json, "restarts", worker.restarts()).append(", ");
                    field(json, "recycles", worker.recycles()).append('}');
                }
                json.append(firstWorker ? "" : "\n    ");
            }
            json.append("]}");
        }
        json.append(firstQueue ? "}\n}\n" : "\n  }\n}\n");
        return json.toString();
    }

    private static String state(final RequestQueue queue, final WorkerSupervisor supervisor)
    {
        if (null != supervisor && supervisor.isQueueStopped())
        {
            return "stopped";
        }
        return queue.isOffline() ? OFFLINE : ONLINE;
    }

    private static WorkerSupervisor supervisorOf(final Host host)
    {
        if (host instanceof SharedMemoryHost shm)
        {
            return shm.supervisor();
        }
        if (host instanceof LoopbackHost loopback)
        {
            return loopback.supervisor();
        }
        return null;
    }

    private static AdminAnswer answer(final AdminAnswer notFound, final int status, final String body)
    {
        return new AdminAnswer(status, body, notFound.headRequest(), notFound.keepAlive(), notFound.http10(), false);
    }

    private static StringBuilder field(final StringBuilder json, final String name, final long value)
    {
        return quoted(json, name).append(": ").append(value);
    }

    private static StringBuilder field(final StringBuilder json, final String name, final String value)
    {
        return quoted(quoted(json, name).append(": "), value);
    }

    /**
     * A JSON string: queue names and ids are {@code [A-Za-z0-9_-]}, states are words, so only the quotes are needed;
     * a backslash or quote is escaped all the same.
     */
    private static StringBuilder quoted(final StringBuilder json, final String text)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                json.append('\\');
            }
            if (c < 0x20)
            {
                json.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                json.append(c);
            }
        }
        return json.append('"');
    }
}
