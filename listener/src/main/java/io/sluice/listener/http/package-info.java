/**
 * The HTTP/1.1 front on each connection, as a pipeline of small stages:
 * {@link io.sluice.listener.http.MinSendRateHandler} (the minimum send rate, judged by
 * {@link io.sluice.listener.http.SendRateWindow}), {@link io.sluice.listener.http.StrictRequestDecoder} (RFC 9112,
 * strict; its grammar in {@link io.sluice.listener.http.HttpGrammar}), then
 * {@link io.sluice.listener.http.HttpConnectionHandler}, the coordinator of a connection's requests in pipelining
 * order ({@link io.sluice.listener.http.InFlightExchanges}). Its {@link io.sluice.listener.http.RequestIntake} has
 * each head judged by {@link io.sluice.listener.http.RequestAdmission} (validate, route, admit, hand to the host with
 * the fields of {@link io.sluice.listener.queue.HandlerHeaders}) and the body streamed with back-pressure by
 * {@link io.sluice.listener.http.RequestBodyPump}; its timers run by one
 * {@link io.sluice.listener.http.ConnectionDeadlines} task ({@link io.sluice.listener.http.NextRequestWait} for the
 * wait between requests), and its bytes written by {@link io.sluice.listener.http.ConnectionOutput}
 * ({@link io.sluice.listener.http.FlushBatcher}: one flush per connection per event-loop turn;
 * {@link io.sluice.listener.http.FlushNotices}). A connection that closes while the client may still be sending gets
 * a {@link io.sluice.listener.http.LingeringCloseHandler} in its place. {@link io.sluice.listener.http.ServerExchange}
 * writes one response in request order (a handler's or worker's status and header fields checked by
 * {@link io.sluice.listener.queue.ResponseHeads}, its body held to its length,
 * {@link io.sluice.listener.http.DateHeader} added). Past {@code maxConnections}
 * ({@link io.sluice.listener.http.ConnectionLimiter}) a connection gets
 * {@link io.sluice.listener.http.RefuseConnectionHandler}'s 503 instead. Every stage's clock is injected (tests
 * advance it).
 * <pre>
 *   socket bytes --> [MinSendRateHandler] --> StrictRequestDecoder --HttpRequest/HttpContent--> HttpConnectionHandler
 *        HttpConnectionHandler --RequestIntake--RequestAdmission--> Host;  body --RequestBodyPump--> RequestSink
 *   Host --> ServerExchange --ResponseHeads (502 when invalid)--(held until earlier responses complete)-->
 *        ConnectionOutput --> ctx.write --> [MinSendRateHandler counts] --> FlushBatcher --> flush
 *   close while the client may still send: HttpConnectionHandler --pipeline.replace--> LingeringCloseHandler
 * </pre>
 */
package io.sluice.listener.http;
