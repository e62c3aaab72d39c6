/**
 * The three hosting models, one package each, behind the SPI of {@link io.sluice.listener.queue}: each model's
 * {@code Host} opens a request on the {@link io.sluice.listener.queue.ClientExchange} the front gives it and returns
 * the {@link io.sluice.listener.queue.RequestSink} its body goes to; it gets the listener's transport and shared-memory
 * directory in a {@link io.sluice.listener.queue.HostContext}.
 * <pre>
 *   IN_PROCESS        hosting.inprocess  InProcessHost    --&gt; InProcessExchange (SendBound: a handler thread waits
 *                                                              past 1 MiB held)
 *   SHARED_MEMORY     hosting.shm        SharedMemoryHost --&gt; SharedMemoryLink per worker: RequestRingProducer
 *                                                              (request ring, PublishedRecords for repair), response
 *                                                              ring drain, ResponseCredit
 *   LOOPBACK_FORWARD  hosting.loopback   LoopbackHost     --&gt; LoopbackLoop per event loop --&gt; LoopbackForward
 *                                                              --&gt; LoopbackUpstream
 * </pre>
 * This package holds what more than one model can use: the period of a host's one timer
 * ({@link io.sluice.listener.hosting.HostTimer}) and the allocation-free list of requests in flight, oldest first
 * ({@link io.sluice.listener.hosting.InFlightList}). It depends on no model, and no model depends on another.
 */
package io.sluice.listener.hosting;
