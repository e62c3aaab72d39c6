/**
 * The Sluice listener: {@link io.sluice.listener.Listener} wires configuration, transport, routing, queues and hosts;
 * {@link io.sluice.listener.SluiceMain} is the command line; {@code StartupChecks} checks what the configuration
 * names before anything starts and {@code BindFailures} names the key to blame for a port that cannot be bound;
 * {@code ServerChannels} listens on the prefixes' ports (on epoll, one {@code SO_REUSEPORT} socket per event loop).
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
 * Packages, each described in its {@code package-info}: {@code http} (the HTTP/1.1 front), {@code routing} (URL
 * prefixes), {@code queue} (what the front and the hosts share: queues, the hosting SPI, the exchange a host answers
 * through), {@code hosting.inprocess}, {@code hosting.shm} and {@code hosting.loopback} (the three models; {@code
 * hosting} for what they share), {@code process} (worker supervision), {@code config} (the YAML file). They depend on
 * each other so, and never in a cycle ({@code PackageStructureTest} checks it):
 * <pre>
 *   io.sluice.listener  Listener, AdminServer, SluiceMain: wire and serve; no package depends on them
 *     |
 *     +--&gt; http                                --&gt; queue, routing
 *     +--&gt; hosting.inprocess, .shm, .loopback  --&gt; queue, hosting, process, config, routing
 *     +--&gt; process                             --&gt; config, queue
 *     +--&gt; config                              --&gt; queue, routing, http (the component configurations it derives)
 *     +--&gt; queue, routing                      --&gt; no package of the listener
 *
 *   http --&gt; queue &lt;-- hosting.{inprocess, shm, loopback} --&gt; process, io.sluice.dispatch
 * </pre>
 * No hosting model depends on another, and {@code io.sluice.dispatch} never depends on the listener.
 */
package io.sluice.listener;
