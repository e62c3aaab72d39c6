/**
 * The three hosting models, one package each, behind the SPI of {@link io.sluice.listener.queue}:
 * <pre>
 *   IN_PROCESS        hosting.inprocess  InProcessHost    --&gt; InProcessExchange (SendBound: a handler thread waits
 *                                                              past 1 MiB held)
 *   SHARED_MEMORY     hosting.shm        SharedMemoryHost --&gt; SharedMemoryLink per worker: RequestRingProducer
 *                                                              (request ring, PublishedRecords for repair), response
 *                                                              ring drain, ResponseCredit
 *   LOOPBACK_FORWARD  hosting.loopback   LoopbackHost     --&gt; LoopbackLoop per event loop --&gt; LoopbackForward
 *                                                              --&gt; LoopbackUpstream
 * </pre>
 * This package holds what more than one model uses ({@link io.sluice.listener.hosting.HostTimer}); the models never
 * depend on each other.
 */
package io.sluice.listener.hosting;
