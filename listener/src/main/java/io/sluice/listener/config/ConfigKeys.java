package io.sluice.listener.config;

/**
 * Key paths of the deployment file, as messages name them ({@link ConfigException}, {@link StartupException}), for
 * the checks made when the listener starts rather than when the file is read.
 */
public final class ConfigKeys
{
    /**
     * The address the client ports are bound to.
     */
    public static final String LISTENER_BIND = YamlKeys.LISTENER + "." + YamlKeys.BIND;

    /**
     * The shared-memory directory (its default, {@code /dev/shm/sluice-<id>}, comes from {@code listener.id}).
     */
    public static final String LISTENER_SHM_DIR = YamlKeys.LISTENER + "." + YamlKeys.SHM_DIR;

    /**
     * The admin endpoint's port.
     */
    public static final String LISTENER_ADMIN_PORT = YamlKeys.LISTENER + "." + YamlKeys.ADMIN_PORT;

    /**
     * The admin endpoint's bind address.
     */
    public static final String LISTENER_ADMIN_BIND = YamlKeys.LISTENER + "." + YamlKeys.ADMIN_BIND;

    /**
     * The directory of the self-signed certificate.
     */
    public static final String LISTENER_TLS_SELF_SIGNED_DIR =
        YamlKeys.LISTENER + "." + YamlKeys.TLS + "." + YamlKeys.SELF_SIGNED_DIR;

    /**
     * The CA certificates a client certificate must chain to.
     */
    public static final String LISTENER_TLS_CLIENT_CERTIFICATE_CA =
        YamlKeys.LISTENER + "." + YamlKeys.TLS + "." + YamlKeys.CLIENT_CERTIFICATE_CA;

    /**
     * The listener's access log.
     */
    public static final String LISTENER_ACCESS_LOG = YamlKeys.LISTENER + "." + YamlKeys.ACCESS_LOG;

    /**
     * The listener's error log.
     */
    public static final String LISTENER_ERROR_LOG = YamlKeys.LISTENER + "." + YamlKeys.ERROR_LOG;

    private ConfigKeys()
    {
    }

    /**
     * @param queueIndex index of the queue in {@code queues}.
     * @return e.g. {@code queues[0].handler}.
     */
    public static String queueHandler(final int queueIndex)
    {
        return queue(queueIndex) + "." + YamlKeys.HANDLER;
    }

    /**
     * @param queueIndex  index of the queue in {@code queues}.
     * @param prefixIndex index of the prefix in the queue's {@code prefixes}.
     * @return e.g. {@code queues[0].prefixes[1]}.
     */
    public static String queuePrefix(final int queueIndex, final int prefixIndex)
    {
        return queue(queueIndex) + "." + YamlKeys.PREFIXES + "[" + prefixIndex + "]";
    }

    /**
     * @param queueIndex index of the queue in {@code queues}.
     * @return e.g. {@code queues[0].worker.command}.
     */
    public static String workerCommand(final int queueIndex)
    {
        return queue(queueIndex) + "." + YamlKeys.WORKER + "." + YamlKeys.COMMAND;
    }

    /**
     * @param queueIndex index of the queue in {@code queues}.
     * @return e.g. {@code queues[0].accessLog}.
     */
    public static String queueAccessLog(final int queueIndex)
    {
        return queue(queueIndex) + "." + YamlKeys.ACCESS_LOG;
    }

    /**
     * @param queueIndex index of the queue in {@code queues}.
     * @return e.g. {@code queues[0].worker}.
     */
    public static String queueWorker(final int queueIndex)
    {
        return queue(queueIndex) + "." + YamlKeys.WORKER;
    }

    /**
     * @param queueIndex index of the queue in {@code queues}.
     * @return the key path of that queue, e.g. {@code queues[0]}.
     */
    static String queue(final int queueIndex)
    {
        return YamlKeys.QUEUES + "[" + queueIndex + "]";
    }
}
