/**
 * The worker SDK: the {@link io.sluice.dispatch.worker.Handler} an application implements, the
 * {@link io.sluice.dispatch.worker.Exchange} it answers through, and {@link io.sluice.dispatch.worker.Worker#serve}
 * which serves it over the transport the listener chose.
 * <pre>
 *   SLUICE_HOSTING=shared-memory:  request ring --> SharedMemoryWorker (duty cycle) --> Handler
 *                                  Handler --> SharedMemoryExchange --> response ring (+ doorbell if the listener sleeps)
 *   SLUICE_HOSTING=loopback:       127.0.0.1:SLUICE_PORT --> LoopbackWorker (Netty, token check) --> Handler
 *                                  Handler --> LoopbackExchange --> HTTP response on the same connection
 * </pre>
 * A worker exits when its listener goes away (end-of-file on standard input, or on the doorbell socket).
 */
package io.sluice.dispatch.worker;
