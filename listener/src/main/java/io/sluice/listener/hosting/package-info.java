/**
 * Request queues and the three hosting models behind one SPI ({@link io.sluice.listener.hosting.Host} and
 * {@link io.sluice.listener.hosting.RequestSink}), selected by {@link io.sluice.listener.hosting.HostingMode}.
 * <pre>
 *   HttpConnectionHandler --admit--> RequestQueue --open--> Host --> RequestSink (body, abort)
 *                                                             |
 *                                                             +--> ServerExchange (response, on the event loop)
 * </pre>
 */
package io.sluice.listener.hosting;
