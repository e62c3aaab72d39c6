/**
 * The Sluice listener: {@link io.sluice.listener.Listener} wires configuration, transport, routing, queues and hosts;
 * {@link io.sluice.listener.SluiceMain} is the command line; {@code StartupChecks} checks what the configuration
 * names before anything starts and {@code BindFailures} names the key to blame for a port that cannot be bound.
 * {@code AdminServer} serves {@code /health} and {@code /metrics} on an event loop of its own: an
 * {@code AdminConnection} per connection, {@code AdminAnswer} deciding what a request is answered,
 * {@code AdminMetrics} writing the metrics.
 * <pre>
 *   HTTP --> epoll event loop --> StrictRequestDecoder --> HttpConnectionHandler
 *              --> PrefixRouter --> RequestQueue (bounded: 503 when full)
 *              --> Host by HostingMode:
 *                    IN_PROCESS        InProcessHost:    Handler on the event loop
 *                    SHARED_MEMORY     SharedMemoryHost: request ring --> worker --> response ring --> drain
 *                    LOOPBACK_FORWARD  LoopbackHost:     pooled HTTP to 127.0.0.1:port of the worker
 *              --> ServerExchange: response checked, bytes in request order --> FlushBatcher (one flush per turn)
 *              --> HTTP
 *   admin HTTP --> admin event loop (adminBind) --> AdminServer: /health, /metrics
 * </pre>
 * Packages: {@code http} (front), {@code routing} (URL prefixes), {@code queue} (what the front and the hosts share:
 * queues, the hosting SPI), {@code hosting.inprocess}, {@code hosting.shm} and {@code hosting.loopback} (the three
 * models; {@code hosting} for what they share), {@code process} (worker supervision), {@code config} (the YAML file).
 * They depend on each other so:
 * <pre>
 *   io.sluice.listener (Listener, AdminServer, SluiceMain)
 *      |--&gt; http --&gt; routing
 *      |      '----------------&gt; queue &lt;-- config --&gt; routing
 *      |--&gt; hosting.{inprocess, shm, loopback} --&gt; queue
 *      |        |--&gt; hosting (HostTimer), process --&gt; config, queue
 *      |        '--&gt; config, routing, dispatch
 * </pre>
 */
package io.sluice.listener;
