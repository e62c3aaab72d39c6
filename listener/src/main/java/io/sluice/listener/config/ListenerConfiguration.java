package io.sluice.listener.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The whole deployment file ({@code sluice.yaml}): listener settings and request queues. Immutable once loaded.
 *
 * @param id                 listener id; names the shared-memory directory.
 * @param bindAddress        address the prefix ports are bound on.
 * @param eventLoops         number of epoll event loops.
 * @param shmDir             directory for the queue files (created 0700, removed on stop).
 * @param adminPort          port of the admin endpoint (health, metrics) on the bind address; 0 disables it.
 * @param maxInitialLineLength longest request line in bytes.
 * @param maxHeaderSize      largest header block in bytes.
 * @param maxPipelinedRequests most requests in flight on one connection before Sluice stops reading it.
 * @param queues             the request queues, in file order.
 */
public record ListenerConfiguration(
    String id,
    String bindAddress,
    int eventLoops,
    Path shmDir,
    int adminPort,
    int maxInitialLineLength,
    int maxHeaderSize,
    int maxPipelinedRequests,
    List<QueueConfiguration> queues)
{
    /**
     * Default listener id.
     */
    public static final String ID_DEFAULT = "default";

    /**
     * Default bind address.
     */
    public static final String BIND_ADDRESS_DEFAULT = "127.0.0.1";

    /**
     * Default number of event loops: one, which measured fastest on a 2-core machine shared with a load generator.
     */
    public static final int EVENT_LOOPS_DEFAULT = 1;

    /**
     * Default admin port (0 = disabled).
     */
    public static final int ADMIN_PORT_DEFAULT = 0;

    /**
     * Admin port value that disables the admin endpoint.
     */
    public static final int ADMIN_PORT_DISABLED = 0;

    /**
     * Default longest request line (URL limit plus method and version).
     */
    public static final int MAX_INITIAL_LINE_LENGTH_DEFAULT = 8192;

    /**
     * Default largest header block: 16 KiB, as HTTP.sys MaxRequestBytes.
     */
    public static final int MAX_HEADER_SIZE_DEFAULT = 16384;

    /**
     * Default pipelining depth per connection.
     */
    public static final int MAX_PIPELINED_REQUESTS_DEFAULT = 32;

    /**
     * @param id the listener id.
     * @return the default shared-memory directory for that id.
     */
    public static Path shmDirDefault(final String id)
    {
        return Path.of("/dev/shm", "sluice-" + id);
    }
}
