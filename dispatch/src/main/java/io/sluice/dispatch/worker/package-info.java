/**
 * The worker SDK: the {@link io.sluice.dispatch.worker.Handler} an application implements, the
 * {@link io.sluice.dispatch.worker.Exchange} it answers through, and {@link io.sluice.dispatch.worker.Worker#serve}
 * which serves it over the transport the listener chose.
 * <pre>
 *   SLUICE_HOSTING=shared-memory:
 *     AgentRunner(SharedMemoryWorkerAgent, DoorbellIdleStrategy, WorkerCounters)
 *       SharedMemoryWorker (duty cycle: batch, heartbeat, sleep on the doorbell, stop)
 *         request ring --> RequestRingAdapter --> HandlerInvoker --> Handler
 *         Handler --> SharedMemoryExchange --> ResponsePublisher --> response ring (+ doorbell if the listener sleeps)
 *   SLUICE_HOSTING=loopback:
 *     127.0.0.1:SLUICE_PORT --> LoopbackWorker (Netty) --> LoopbackConnectionHandler
 *       LoopbackRequestGate (token, readiness proof, application path) --> HandlerInvoker --> Handler
 *       Handler --> LoopbackExchange (LoopbackHop from other threads) --> HTTP response on the same connection
 *   in-process (the listener's hosting.inprocess): the same HandlerInvoker, inside the listener
 * </pre>
 * One failure policy in every model ({@link io.sluice.dispatch.worker.HandlerInvoker}): a handler callback that throws
 * is logged once, counted, and answered 500, or its response cut off once the head was sent. The names that cross the
 * process boundary are defined here once: the {@code SLUICE_*} environment and the hosting names
 * ({@link io.sluice.dispatch.worker.WorkerEnvironment}), the loopback protocol's fields
 * ({@link io.sluice.dispatch.worker.LoopbackProtocol}); the logging setup is shared too
 * ({@link io.sluice.dispatch.worker.SluiceLogging}).
 * <p>
 * A worker exits when its listener goes away (end-of-file on standard input, or on the doorbell socket, or — shared
 * memory — the listener's heartbeat stopping: {@code ListenerWatch}). End-of-file on
 * standard input while the listener is alive is the listener's request to stop: a shared-memory worker first serves
 * what is in its ring and finishes the answers it owes, within {@code SLUICE_SHUTDOWN_TIME_LIMIT_MS}.
 */
package io.sluice.dispatch.worker;
