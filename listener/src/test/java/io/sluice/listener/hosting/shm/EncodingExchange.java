package io.sluice.listener.hosting.shm;

import io.sluice.listener.queue.ClientExchange;

import java.lang.reflect.Proxy;

/**
 * The client exchange the shared-memory link tests encode request heads for: a plain-text connection from
 * 127.0.0.1 port 80, answering only what encoding a head asks of it.
 */
final class EncodingExchange
{
    /**
     * The peer's address.
     */
    static final String REMOTE_ADDRESS = "127.0.0.1";

    /**
     * The peer's port: one that {@link Integer#valueOf(int)} has cached, so that the proxy's answer allocates nothing.
     */
    static final Integer REMOTE_PORT = 80;

    private EncodingExchange()
    {
    }

    /**
     * @return an exchange answering its peer's address and port and no TLS; any other call throws.
     */
    static ClientExchange create()
    {
        return (ClientExchange)Proxy.newProxyInstance(
            ClientExchange.class.getClassLoader(),
            new Class<?>[]{ ClientExchange.class },
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "remoteAddress":
                        return REMOTE_ADDRESS;
                    case "remotePort":
                        return REMOTE_PORT;
                    case "tls":
                        // a plain-text connection
                        return null;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }
}
