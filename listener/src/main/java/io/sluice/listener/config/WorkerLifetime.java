package io.sluice.listener.config;

/**
 * When a queue's worker processes start, stop when idle, and are recycled (WAS application pool semantics): the
 * {@code activation}, {@code idleTimeout} and {@code recycle} keys of a queue's {@code worker} mapping. Immutable.
 *
 * @param activation         {@link Activation#EAGER}: the workers start with the listener; {@link Activation#ON_DEMAND}:
 *                           no worker runs until the queue's first request, which waits for it within queueWait.
 * @param idleTimeoutMs      a queue whose workers have had no request for this long stops them; the next request
 *                           starts them again. {@link #OFF} never.
 * @param recycleTimeMs      a worker that has run this long is recycled, overlapped. {@link #OFF} never.
 * @param recycleRequests    a worker given this many requests is recycled, overlapped. {@link #OFF} never.
 * @param recycleMemoryBytes a worker whose resident memory (VmRSS) exceeds this is recycled, overlapped.
 *                           {@link #OFF} never.
 */
public record WorkerLifetime(
    Activation activation,
    long idleTimeoutMs,
    long recycleTimeMs,
    long recycleRequests,
    long recycleMemoryBytes)
{
    /**
     * The value that turns a limit off: {@value}.
     */
    public static final long OFF = 0;

    /**
     * Default idle timeout: off. Workers started eagerly are meant to be there (a JVM worker's start costs the next
     * request about a second), so they are not stopped when idle unless asked.
     */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = OFF;

    /**
     * Default recycle time: 29 h (1,740 min), as IIS's periodic restart of an application pool.
     */
    public static final long RECYCLE_TIME_MS_DEFAULT = 29L * 3_600_000;

    /**
     * Default recycle request count: off.
     */
    public static final long RECYCLE_REQUESTS_DEFAULT = OFF;

    /**
     * Default recycle memory limit: off.
     */
    public static final long RECYCLE_MEMORY_DEFAULT = OFF;

    /**
     * The defaults: eager, never stopped when idle, recycled every 29 h.
     */
    public static final WorkerLifetime DEFAULT = new WorkerLifetime(
        Activation.EAGER, IDLE_TIMEOUT_MS_DEFAULT, RECYCLE_TIME_MS_DEFAULT, RECYCLE_REQUESTS_DEFAULT,
        RECYCLE_MEMORY_DEFAULT);

    /**
     * @return true when any recycling condition is on.
     */
    public boolean recycles()
    {
        return recycleTimeMs > 0 || recycleRequests > 0 || recycleMemoryBytes > 0;
    }

    /**
     * When a queue's workers start.
     */
    public enum Activation
    {
        /**
         * With the listener (and again at once when they exit).
         */
        EAGER("eager"),

        /**
         * On the queue's first request (and on the first after an idle stop).
         */
        ON_DEMAND("on-demand");

        private final String configName;

        Activation(final String configName)
        {
            this.configName = configName;
        }

        /**
         * @return the name in the configuration file.
         */
        public String configName()
        {
            return configName;
        }

        /**
         * @param name a name from the configuration file.
         * @return the activation, or null when the name is none of them.
         */
        public static Activation fromConfigName(final String name)
        {
            for (final Activation activation : values())
            {
                if (activation.configName.equals(name))
                {
                    return activation;
                }
            }
            return null;
        }
    }
}
