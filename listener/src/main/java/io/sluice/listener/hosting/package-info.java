/**
 * Request queues and the three hosting models behind one SPI ({@link io.sluice.listener.hosting.Host} and
 * {@link io.sluice.listener.hosting.RequestSink}), selected by {@link io.sluice.listener.hosting.HostingMode}.
 * <pre>
 *   HttpConnectionHandler --admit--> RequestQueue --open--> Host --> RequestSink (body, abort)
 *                                                             |
 *                                                             +--> ServerExchange (response, on the event loop)
 *
 *   IN_PROCESS        InProcessHost    --> InProcessExchange (SendBound: a handler thread waits past 1 MiB held)
 *   SHARED_MEMORY     SharedMemoryHost --> SharedMemoryLink per worker: RequestRingProducer (request ring,
 *                                          PublishedRecords for repair), response ring drain, ResponseCredit
 *   LOOPBACK_FORWARD  LoopbackHost     --> LoopbackLoop per event loop --> LoopbackForward --> LoopbackUpstream
 * </pre>
 */
package io.sluice.listener.hosting;
