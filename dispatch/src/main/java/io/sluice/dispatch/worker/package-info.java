/**
 * The worker SDK: the {@link io.sluice.dispatch.worker.Handler} an application implements, the
 * {@link io.sluice.dispatch.worker.Exchange} it answers through, and {@link io.sluice.dispatch.worker.Worker#serve}
 * which serves it over the transport the listener chose.
 * <pre>
 *   SLUICE_HOSTING=shared-memory:  request ring --> SharedMemoryWorker (duty cycle) --> Handler
 *                                  Handler --> SharedMemoryExchange --> response ring
 *                                              (+ doorbell if the listener sleeps)
 *   SLUICE_HOSTING=loopback:       127.0.0.1:SLUICE_PORT --> LoopbackWorker (Netty, token check) --> Handler
 *                                  Handler --> LoopbackExchange --> HTTP response on the same connection
 * </pre>
 * A worker exits when its listener goes away (end-of-file on standard input, or on the doorbell socket, or — shared
 * memory — the listener's heartbeat stopping). End-of-file on standard input while the listener is alive is the
 * listener's request to stop: a shared-memory worker first serves what is in its ring and finishes the answers it owes,
 * within {@code SLUICE_SHUTDOWN_TIME_LIMIT_MS}.
 */
package io.sluice.dispatch.worker;
