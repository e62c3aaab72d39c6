/**
 * A small WebSocket (RFC 6455) helper for handlers, so that a handler need not write the protocol itself. It works on
 * every hosting model, since it speaks only through the {@link io.sluice.dispatch.worker.Exchange}: after the
 * {@code 101} the client's bytes arrive through {@code onBody} and the handler's frames leave through
 * {@code sendBody}.
 * <pre>
 * client ──onBody──▶ WebSocket ─▶ frame decoder ─▶ UTF-8 check ─▶ aggregator ─▶ WebSocketEndpoint.onText/onBinary
 * client ◀─sendBody── WebSocket ◀─ frame encoder ◀──────────── sendText / sendBinary / ping / close
 * </pre>
 * Legend: {@code WebSocket} is one upgraded exchange ({@link io.sluice.dispatch.websocket.WebSocket#accept});
 * the decoder, encoder, UTF-8 check and aggregator are Netty's websocket codec, run in an embedded channel per
 * connection; {@link io.sluice.dispatch.websocket.WebSocketEndpoint} is the application.
 */
package io.sluice.dispatch.websocket;
