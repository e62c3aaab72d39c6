package io.sluice.listener;

import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.QueueConfiguration;
import io.sluice.listener.routing.UrlPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;

/**
 * How a port that cannot be bound is reported: the configuration key to blame and the operating system's reason.
 */
final class BindFailures
{
    private static final String NATIVE_ERROR_PREAMBLE = "failed with error(";

    private BindFailures()
    {
    }

    /**
     * @param config the loaded configuration.
     * @param port   the port that cannot be bound.
     * @return the key to blame for a port that cannot be bound: the bind address when this host does not have it,
     * else the first prefix that names the port.
     */
    static String bindKey(final ListenerConfiguration config, final int port)
    {
        if (!isLocalAddress(config.bindAddress()))
        {
            return ConfigKeys.LISTENER_BIND;
        }
        final List<QueueConfiguration> queueConfigs = config.queues();
        for (int i = 0; i < queueConfigs.size(); i++)
        {
            final List<String> prefixes = queueConfigs.get(i).prefixes();
            for (int j = 0; j < prefixes.size(); j++)
            {
                if (UrlPrefix.parse(prefixes.get(j)).port() == port)
                {
                    return ConfigKeys.queuePrefix(i, j);
                }
            }
        }
        return ConfigKeys.LISTENER_BIND;
    }

    /**
     * @param bindAddress a bind address as configured.
     * @return true when this host has the address (a wildcard or loopback address, or one of its interfaces').
     */
    static boolean isLocalAddress(final String bindAddress)
    {
        try
        {
            final InetAddress address = InetAddress.getByName(bindAddress);
            return address.isAnyLocalAddress() || address.isLoopbackAddress() ||
                null != NetworkInterface.getByInetAddress(address);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * @param ex why a bind failed.
     * @return the operating system's reason, without Netty's {@code bind(..) failed with error(-98): } preamble.
     */
    static String bindProblem(final Throwable ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final int errorAt = message.indexOf(NATIVE_ERROR_PREAMBLE);
        if (errorAt >= 0)
        {
            final int reasonAt = message.indexOf("): ", errorAt);
            if (reasonAt >= 0)
            {
                return message.substring(reasonAt + 3);
            }
        }
        return null == ex.getMessage() ? ex.getClass().getSimpleName() : message;
    }
}
