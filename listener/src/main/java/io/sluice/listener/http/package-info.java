/**
 * The HTTP/1.1 front on each connection: {@link io.sluice.listener.http.StrictRequestDecoder} (RFC 9112, strict),
 * {@link io.sluice.listener.http.HttpConnectionHandler} (validate, route, admit, stream the body with back-pressure),
 * {@link io.sluice.listener.http.ServerExchange} (response bytes written in request order) and
 * {@link io.sluice.listener.http.FlushBatcher} (one flush per connection per event-loop turn).
 * <pre>
 *   socket bytes --> StrictRequestDecoder --HttpRequest/HttpContent--> HttpConnectionHandler --> Host
 *   Host --> ServerExchange --(held until earlier responses complete)--> ctx.write --> FlushBatcher --> flush
 * </pre>
 */
package io.sluice.listener.http;
