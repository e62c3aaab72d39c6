/**
 * What the HTTP front and the hosting models share, and nothing else: the request queue
 * ({@link io.sluice.listener.queue.RequestQueue}, bounded: 503 when full) and what a URL prefix routes to
 * ({@link io.sluice.listener.queue.QueueBinding}); the hosting SPI ({@link io.sluice.listener.queue.Host} opens a
 * request, {@link io.sluice.listener.queue.RequestSink} takes its body and abort), selected by
 * {@link io.sluice.listener.queue.HostingMode}; the request fields a handler is given
 * ({@link io.sluice.listener.queue.HandlerHeaders}), the checks and bytes of a response head
 * ({@link io.sluice.listener.queue.ResponseHeads}), the flush notice ({@link io.sluice.listener.queue.FlushListener})
 * and the I/O {@link io.sluice.listener.queue.Transport}.
 * <pre>
 *   http (front) --admit--&gt; RequestQueue --open--&gt; Host --&gt; RequestSink (body, abort)
 *                                                   |
 *                                                   +--&gt; the exchange (response, on the event loop)
 * </pre>
 * Depends on no other package of the listener: the front ({@code http}) and the hosts ({@code hosting.*}) both
 * depend on it, never on each other.
 */
package io.sluice.listener.queue;
