package io.sluice.benchmarks.harness;

import java.util.Locale;

/**
 * What the harness drives load at: the three hosting models of one listener, and three reference servers. The order is
 * the order of every round (A B C D E, A B C D E, …) and of every table.
 */
enum TargetKind
{
    /**
     * Sluice, {@code /inproc/}: the sample handler inside the listener JVM. Server side: the listener and its workers.
     */
    INPROC("inproc", "Sluice in-process", "/inproc/", true,
        "listener + workers"),

    /**
     * Sluice, {@code /logged/}: the in-process hello again, from a queue whose requests are written to an access
     * log: what the log costs. Measured only when named ({@code --targets inproc,logged}).
     */
    LOGGED("logged", "Sluice in-process, access log on", "/logged/", true,
        "listener (with its log writer) + workers"),

    /**
     * Sluice, {@code /shm/}: the sample handler in a worker process behind the shared-memory rings.
     */
    SHM("shm", "Sluice shared memory", "/shm/", true,
        "listener + workers"),

    /**
     * Sluice, {@code /loopback/}: the sample handler in a worker process behind its own loopback HTTP server.
     */
    LOOPBACK("loopback", "Sluice loopback", "/loopback/", true,
        "listener + workers"),

    /**
     * {@code io.sluice.benchmarks.BareHelloServer}: Netty epoll hello, one event loop, the same response bytes.
     */
    BARE("bare", "bare Netty epoll hello", "/", false,
        "BareHelloServer"),

    /**
     * nginx {@code proxy_pass} with upstream keep-alive to the listener's own loopback worker: the peer a user would
     * otherwise put in front of that worker.
     */
    NGINX("nginx", "nginx proxy_pass", "/loopback/", true,
        "nginx (1 worker) + the loopback worker"),

    /**
     * nginx answering the hello itself ({@code return 200}, the same body) over TLS and the other protocols the
     * scenarios speak besides cleartext HTTP/1.1: the fastest a front can answer there, as the bare server is in
     * cleartext. Same nginx process, certificate and TLS protocols as target nginx.
     */
    NGINX_RETURN("nginx-return", "nginx return 200", "/", false,
        "nginx (1 worker)");

    private final String key;
    private final String label;
    private final String pathPrefix;
    private final boolean servesApplication;
    private final String serverSide;

    TargetKind(
        final String key,
        final String label,
        final String pathPrefix,
        final boolean servesApplication,
        final String serverSide)
    {
        this.key = key;
        this.label = label;
        this.pathPrefix = pathPrefix;
        this.servesApplication = servesApplication;
        this.serverSide = serverSide;
    }

    /**
     * @return the short name used in JSON, file names and options, e.g. {@code shm}.
     */
    String key()
    {
        return key;
    }

    /**
     * @return what a reader sees, e.g. {@code Sluice shared memory}.
     */
    String label()
    {
        return label;
    }

    /**
     * @return the path the target serves the sample application under, ending with {@code /}.
     */
    String pathPrefix()
    {
        return pathPrefix;
    }

    /**
     * @return true when the target runs the sample application (hello, echo); false for the bare hello server.
     */
    boolean servesApplication()
    {
        return servesApplication;
    }

    /**
     * @return the processes whose CPU time counts as this target's: every server-side process of the request path.
     */
    String serverSide()
    {
        return serverSide;
    }

    /**
     * @return true for the three Sluice hosting models, served by the one listener.
     */
    boolean isSluice()
    {
        return this == INPROC || this == LOGGED || this == SHM || this == LOOPBACK;
    }

    /**
     * @return true for the nginx targets: measured when nginx is installed, left out (not failed) when it is not.
     */
    boolean isNginx()
    {
        return this == NGINX || this == NGINX_RETURN;
    }

    /**
     * @param key a target's short name, any case.
     * @return the target.
     * @throws IllegalArgumentException when no target has that name.
     */
    static TargetKind of(final String key)
    {
        final String wanted = key.trim().toLowerCase(Locale.ROOT);
        for (final TargetKind kind : values())
        {
            if (kind.key.equals(wanted))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown target: " + key + " (one of inproc, shm, loopback, bare, nginx, " +
            "nginx-return)");
    }
}
