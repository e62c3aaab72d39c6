/**
 * What the HTTP front and the hosting models share, and nothing else: the request queue
 * ({@link io.sluice.listener.queue.RequestQueue}, bounded: 503 when full) and what a URL prefix routes to
 * ({@link io.sluice.listener.queue.QueueBinding}); the hosting SPI ({@link io.sluice.listener.queue.Host} opens a
 * request, {@link io.sluice.listener.queue.RequestSink} takes its body and abort), selected by
 * {@link io.sluice.listener.queue.HostingMode}; what a host calls on an admitted request, whatever the client's
 * protocol ({@link io.sluice.listener.queue.ClientExchange}, with its flush notice
 * {@link io.sluice.listener.queue.FlushListener}); the request fields a handler is given
 * ({@link io.sluice.listener.queue.HandlerHeaders}) and the checks and bytes of a response head
 * ({@link io.sluice.listener.queue.ResponseHeads}); and the listener's resources every host is given
 * ({@link io.sluice.listener.queue.HostContext}: the {@link io.sluice.listener.queue.Transport} and the shared-memory
 * directory).
 * <pre>
 *   http (front) --admit--&gt; RequestQueue --open(ClientExchange)--&gt; Host --&gt; RequestSink (body, abort)
 *                                                                   |
 *   http.ServerExchange implements ClientExchange &lt;------------------+ (response, on the event loop)
 * </pre>
 * Depends on no other package of the listener but {@code counters} (a host finds its queue's counters in its
 * context): the front ({@code http}) and the hosts ({@code hosting.*}) both
 * depend on it, never on each other.
 */
package io.sluice.listener.queue;
