/**
 * The HTTP/1.1 front on each connection: {@link io.sluice.listener.http.StrictRequestDecoder} (RFC 9112, strict),
 * {@link io.sluice.listener.http.HttpConnectionHandler} (validate, route, admit, stream the body with back-pressure,
 * the connection's timers, the fields a handler is given by {@link io.sluice.listener.queue.HandlerHeaders}),
 * {@link io.sluice.listener.http.ServerExchange} (response bytes written in request order, a handler's or worker's
 * status and header fields checked by {@link io.sluice.listener.queue.ResponseHeads}, its body held to its length,
 * {@link io.sluice.listener.http.DateHeader} added) and
 * {@link io.sluice.listener.http.FlushBatcher} (one flush per connection per event-loop turn). Past
 * {@code maxConnections} ({@link io.sluice.listener.http.ConnectionLimiter}) a connection gets
 * {@link io.sluice.listener.http.RefuseConnectionHandler}'s 503 instead; the minimum send rate is judged by
 * {@link io.sluice.listener.http.SendRateWindow}.
 * <pre>
 *   socket bytes --> StrictRequestDecoder --HttpRequest/HttpContent--> HttpConnectionHandler --HandlerHeaders--> Host
 *   Host --> ServerExchange --ResponseHeads (502 when invalid)--(held until earlier responses complete)--> ctx.write
 *        --> FlushBatcher --> flush
 * </pre>
 */
package io.sluice.listener.http;
