package io.sluice.listener.queue;

/**
 * Told when every response byte written to a connection up to a point has been taken by the client's socket
 * ({@link ClientExchange#notifyWhenFlushed(FlushListener, long)}). One instance may serve
 * many requests: the token given with each request comes back with its notice, so that a late notice for a request
 * that has ended meanwhile can be told apart and ignored. Nothing is allocated per notice.
 */
@FunctionalInterface
public interface FlushListener
{
    /**
     * The bytes written before the request were taken by the client's socket. Told on the connection's event loop;
     * never when the connection closed first.
     *
     * @param token as given with the request.
     */
    void onFlushed(long token);
}
