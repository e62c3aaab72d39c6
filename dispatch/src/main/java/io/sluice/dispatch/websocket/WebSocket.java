package io.sluice.dispatch.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.sluice.dispatch.buffer.ByteBufViews;
import io.sluice.dispatch.worker.Exchange;
import org.agrona.DirectBuffer;
import org.agrona.LangUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One WebSocket connection (RFC 6455, version 13) over an upgraded {@link Exchange}, on any hosting model: the
 * server's side of the handshake, frames, ping/pong, the close handshake, masking rules (every client frame must be
 * masked, server frames are not), fragmented messages, UTF-8 validation of text and a message size limit.
 * <p>
 * Use: in {@link io.sluice.dispatch.worker.Handler#onRequest}, call {@link #accept}; it answers the handshake (101, or
 * 426/400 when the request is not a valid opening handshake) and attaches the WebSocket to the exchange. Forward the
 * exchange's {@code onBody}, {@code onWritable} and {@code onAbort} callbacks to {@link #onBody}, {@link #onWritable}
 * and {@link #onAbort} (find it with {@link #of(Exchange)}). Messages arrive at the {@link WebSocketEndpoint}; send
 * with {@link #sendText}, {@link #sendBinary}, {@link #ping} and {@link #close}.
 * <p>
 * Protocol errors close the connection with the RFC's code: an unmasked client frame, a reserved bit or opcode, a bad
 * fragment sequence or a bad close frame 1002, text that is not UTF-8 1007, a message over
 * {@link WebSocketConfig#maxMessageLength()} 1009. A ping is answered with a pong of the same data. A close from the
 * client is answered with a close of the same code, and the exchange then ends (the listener closes the client
 * connection); after {@link #close} the exchange ends when the client's close arrives, or when the client connection
 * ends (the listener's tunnel idle timeout bounds a client that never answers).
 * <p>
 * Frames are decoded and encoded by Netty's websocket codec run in an embedded channel per connection; a message is
 * handed over as a view of the codec's pooled buffer (a fragmented one first joined into one pooled buffer), and each
 * send copies the message once into a pooled buffer. The common case skips the codec, without changing what is
 * accepted: while the codec is idle, whole unfragmented masked text (ASCII) and binary frames of up to 4 KiB are
 * unmasked into a buffer kept for the connection and handed over from there ({@code WebSocketFrameReader}; anything
 * else, from its first byte on, goes to the codec), and a text or binary message of up to 4 KiB is sent as one frame
 * built in another such buffer ({@code WebSocketFrameWriter}), after whatever the codec had to send. Not thread-safe:
 * call it from the exchange's callback thread, or from one thread at a time, as the {@link Exchange}'s response
 * methods.
 */
public final class WebSocket
{
    /**
     * Close code: normal closure.
     */
    public static final int NORMAL_CLOSURE = 1000;

    /**
     * Close code: the endpoint is going away.
     */
    public static final int GOING_AWAY = 1001;

    /**
     * Close code: protocol error.
     */
    public static final int PROTOCOL_ERROR = 1002;

    /**
     * Close code reported (never sent) when a close frame carried no code.
     */
    public static final int NO_STATUS_RECEIVED = 1005;

    /**
     * Close code reported (never sent) when the connection ended without a close frame.
     */
    public static final int ABNORMAL_CLOSURE = 1006;

    /**
     * Close code: a text message was not UTF-8.
     */
    public static final int INVALID_PAYLOAD = 1007;

    /**
     * Close code: a message was larger than the limit.
     */
    public static final int MESSAGE_TOO_BIG = 1009;

    /**
     * Close code: the server met an unexpected condition.
     */
    public static final int INTERNAL_ERROR = 1011;

    /**
     * Largest payload of a ping, pong or close frame: {@value} bytes.
     */
    public static final int MAX_CONTROL_PAYLOAD_LENGTH = 125;

    private static final WebSocketConfig DEFAULT_CONFIG = new WebSocketConfig();
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final String TEXT_PLAIN = "text/plain";

    private final Exchange exchange;
    private final WebSocketEndpoint endpoint;
    private final EmbeddedChannel channel;
    private final WebSocketCodecDecoder decoder;
    private final WebSocketFrameReader reader;
    private final WebSocketFrameWriter writer = new WebSocketFrameWriter();
    private final WebSocketFrameReader.MessageHandler delivery = this::deliver;
    private final UnsafeBuffer inView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer outView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyView = new UnsafeBuffer(0, 0);
    private boolean closeSent;
    private boolean closeReceived;
    private boolean ended;
    private boolean writable = true;
    private int closeCode;
    private String closeReason = "";
    private Throwable endpointFailure;

    private WebSocket(final Exchange exchange, final WebSocketEndpoint endpoint, final WebSocketConfig config)
    {
        this.exchange = exchange;
        this.endpoint = endpoint;
        final WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
            .expectMaskedFrames(true)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            .maxFramePayloadLength(config.maxMessageLength())
            .closeOnProtocolViolation(true)
            .build();
        decoder = new WebSocketCodecDecoder(decoderConfig);
        reader = new WebSocketFrameReader(config.maxMessageLength());
        channel = new EmbeddedChannel(
            new WebSocket08FrameEncoder(false),
            decoder,
            new Utf8FrameValidator(true),
            new WebSocketFrameAggregator(config.maxMessageLength()),
            new WebSocketFrameDispatcher(this));
    }

    /**
     * Answer an opening handshake with the default {@link WebSocketConfig}.
     *
     * @param exchange the request; see {@link #accept(Exchange, WebSocketEndpoint, WebSocketConfig)}.
     * @param endpoint the application's side of the connection.
     * @return the connection, or null when the request was refused (and answered).
     */
    public static WebSocket accept(final Exchange exchange, final WebSocketEndpoint endpoint)
    {
        return accept(exchange, endpoint, DEFAULT_CONFIG);
    }

    /**
     * Answer an opening handshake: when {@link WebSocketHandshake#check} finds it valid, send {@code 101} with
     * {@code Upgrade: websocket} and {@code Sec-WebSocket-Accept}, attach the connection to the exchange
     * ({@link Exchange#attachment(Object)}) and return it; else answer 426 (with {@code Sec-WebSocket-Version: 13})
     * or 400 and return null. A handler that negotiates a subprotocol adds its {@code Sec-WebSocket-Protocol} response
     * header before this call. No extension is negotiated.
     *
     * @param exchange the request; called from its {@code onRequest}.
     * @param endpoint the application's side of the connection.
     * @param config   the limits; only read during the call.
     * @return the connection, or null when the request was refused (and answered).
     */
    public static WebSocket accept(
        final Exchange exchange, final WebSocketEndpoint endpoint, final WebSocketConfig config)
    {
        final int check = WebSocketHandshake.check(exchange);
        if (WebSocketHandshake.VALID != check)
        {
            if (WebSocketHandshake.UPGRADE_REQUIRED == check)
            {
                exchange.responseHeader("Sec-WebSocket-Version", WebSocketHandshake.VERSION);
                exchange.respond(check, TEXT_PLAIN, "websocket upgrade required\n".getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                exchange.respond(check, TEXT_PLAIN, "bad websocket handshake\n".getBytes(StandardCharsets.US_ASCII));
            }
            return null;
        }

        final WebSocket webSocket = new WebSocket(exchange, endpoint, config);
        exchange.attachment(webSocket);
        exchange.responseHeader("Upgrade", "websocket");
        exchange.responseHeader(
            "Sec-WebSocket-Accept", WebSocketHandshake.acceptKey(exchange.header("sec-websocket-key")));
        exchange.sendHead(WebSocketHandshake.VALID, null, Exchange.UNKNOWN_LENGTH);
        return webSocket;
    }

    /**
     * @param exchange an exchange.
     * @return the WebSocket {@link #accept} attached to it, or null.
     */
    public static WebSocket of(final Exchange exchange)
    {
        return exchange.attachment() instanceof WebSocket webSocket ? webSocket : null;
    }

    /**
     * @return the exchange this connection runs over.
     */
    public Exchange exchange()
    {
        return exchange;
    }

    /**
     * @return true until the connection ended: after it, nothing is sent or delivered.
     */
    public boolean isOpen()
    {
        return !ended;
    }

    /**
     * @return true when a send now would not go over the exchange's send window.
     */
    public boolean isWritable()
    {
        return !ended && writable;
    }

    /**
     * Bytes from the client: forward the exchange's {@code onBody} here. Complete messages reach the endpoint before
     * this returns.
     *
     * @param buffer holding the bytes; only read during the call.
     * @param offset of the bytes in the buffer.
     * @param length of the bytes.
     * @param last   true when the client's side ended (its connection closed or half-closed).
     */
    public void onBody(final DirectBuffer buffer, final int offset, final int length, final boolean last)
    {
        if (ended)
        {
            return;
        }
        if (length > 0 && !closeReceived && channel.isOpen())
        {
            final int read = decoder.isIdle() ? reader.read(buffer, offset, length, delivery) : 0;
            if (read < length && !ended && !closeReceived && channel.isOpen())
            {
                channel.writeInbound(copyIn(buffer, offset + read, length - read));
            }
        }
        drain();
        if (last && !ended)
        {
            recordClose(ABNORMAL_CLOSURE, "");
            finish();
        }
        rethrowEndpointFailure();
    }

    /**
     * The exchange can take more: forward the exchange's {@code onWritable} here.
     */
    public void onWritable()
    {
        if (!ended)
        {
            writable = true;
            endpoint.onWritable(this);
        }
    }

    /**
     * The exchange was abandoned: forward the exchange's {@code onAbort} here. The endpoint hears
     * {@link #ABNORMAL_CLOSURE} unless a close was already under way.
     */
    public void onAbort()
    {
        if (!ended)
        {
            ended = true;
            recordClose(ABNORMAL_CLOSURE, "");
            release();
            endpoint.onClose(this, closeCode, closeReason);
        }
    }

    /**
     * Send a text message.
     *
     * @param buffer holding the message's UTF-8 bytes (not checked); only read during the call.
     * @param offset of the message in the buffer.
     * @param length of the message in bytes.
     * @return true when more may be sent now; false when the exchange's send window is full (the message was taken:
     * wait for {@link WebSocketEndpoint#onWritable}) or the connection is closing (the message was dropped).
     */
    public boolean sendText(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closeSent || ended)
        {
            return false;
        }
        return WebSocketFrameWriter.fits(length) ?
            writeFramed(WebSocketFrameReader.TEXT_OPCODE, buffer, offset, length) :
            write(new TextWebSocketFrame(copyIn(buffer, offset, length)));
    }

    /**
     * Send a text message.
     *
     * @param text the message.
     * @return as {@link #sendText(DirectBuffer, int, int)}.
     */
    public boolean sendText(final CharSequence text)
    {
        if (closeSent || ended)
        {
            return false;
        }
        return write(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text)));
    }

    /**
     * Send a binary message.
     *
     * @param buffer holding the message; only read during the call.
     * @param offset of the message in the buffer.
     * @param length of the message in bytes.
     * @return as {@link #sendText(DirectBuffer, int, int)}.
     */
    public boolean sendBinary(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closeSent || ended)
        {
            return false;
        }
        return WebSocketFrameWriter.fits(length) ?
            writeFramed(WebSocketFrameReader.BINARY_OPCODE, buffer, offset, length) :
            write(new BinaryWebSocketFrame(copyIn(buffer, offset, length)));
    }

    /**
     * Send a ping; the client's pong arrives at {@link WebSocketEndpoint#onPong}.
     *
     * @param buffer holding the application data; only read during the call.
     * @param offset of the data in the buffer.
     * @param length of the data, 0 to {@value #MAX_CONTROL_PAYLOAD_LENGTH} bytes.
     * @return as {@link #sendText(DirectBuffer, int, int)}.
     * @throws IllegalArgumentException when the data is too long.
     */
    public boolean ping(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > MAX_CONTROL_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("ping data too long: length=" + length +
                ", limit=" + MAX_CONTROL_PAYLOAD_LENGTH);
        }
        return !closeSent && !ended && write(new PingWebSocketFrame(copyIn(buffer, offset, length)));
    }

    /**
     * Start the close handshake: send a close frame; the exchange ends when the client answers with its own, or its
     * connection ends. Nothing more may be sent. Does nothing when a close was already sent.
     *
     * @param code   the close code, 1000 to 4999 except those the RFC reserves (1004, 1005, 1006, 1015).
     * @param reason short text, at most 123 bytes of UTF-8, or null.
     */
    public void close(final int code, final String reason)
    {
        if (closeSent || ended)
        {
            return;
        }
        final String text = null == reason ? "" : reason;
        recordClose(code, text);
        closeSent = true;
        write(new CloseWebSocketFrame(code, text));
        if (closeReceived)
        {
            finish();
        }
    }

    void onText(final ByteBuf content)
    {
        if (!closeSent)
        {
            final UnsafeBuffer view = ByteBufViews.wrap(inView, content, content.readableBytes());
            try
            {
                endpoint.onText(this, view, 0, content.readableBytes());
            }
            catch (final Throwable ex)
            {
                endpointFailure = ex;
            }
        }
    }

    void onBinary(final ByteBuf content)
    {
        if (!closeSent)
        {
            final UnsafeBuffer view = ByteBufViews.wrap(inView, content, content.readableBytes());
            try
            {
                endpoint.onBinary(this, view, 0, content.readableBytes());
            }
            catch (final Throwable ex)
            {
                endpointFailure = ex;
            }
        }
    }

    void onPong(final ByteBuf content)
    {
        final UnsafeBuffer view = ByteBufViews.wrap(inView, content, content.readableBytes());
        try
        {
            endpoint.onPong(this, view, 0, content.readableBytes());
        }
        catch (final Throwable ex)
        {
            endpointFailure = ex;
        }
    }

    void onCloseReceived(final int code, final String reason)
    {
        closeReceived = true;
        recordClose(code, reason);
    }

    void onCloseSent(final int code, final String reason)
    {
        closeSent = true;
        recordClose(code, reason);
    }

    boolean closeSent()
    {
        return closeSent;
    }

    private void recordClose(final int code, final String reason)
    {
        if (0 == closeCode)
        {
            closeCode = code;
            closeReason = null == reason ? "" : reason;
        }
    }

    /**
     * A message read without the codec ({@link WebSocketFrameReader}): to the endpoint as the codec's would go.
     *
     * @return true while more may be read.
     */
    private boolean deliver(final boolean text, final DirectBuffer buffer, final int length)
    {
        if (!closeSent)
        {
            try
            {
                if (text)
                {
                    endpoint.onText(this, buffer, 0, length);
                }
                else
                {
                    endpoint.onBinary(this, buffer, 0, length);
                }
            }
            catch (final Throwable ex)
            {
                endpointFailure = ex;
            }
        }
        return !ended && !closeReceived && channel.isOpen();
    }

    /**
     * Send a message framed without the codec ({@link WebSocketFrameWriter}), after what the codec holds.
     */
    private boolean writeFramed(final int opcode, final DirectBuffer buffer, final int offset, final int length)
    {
        drain();
        if (ended)
        {
            return false;
        }
        final int frameLength = writer.encode(opcode, buffer, offset, length);
        if (!exchange.sendBody(writer.frame(), 0, frameLength, false))
        {
            writable = false;
        }
        rethrowEndpointFailure();
        return isWritable();
    }

    private boolean write(final Object frame)
    {
        channel.writeOutbound(frame);
        drain();
        rethrowEndpointFailure();
        return isWritable();
    }

    /**
     * Hand what the codec encoded to the exchange; end the exchange once the close handshake is done or the codec
     * closed the connection for a protocol error.
     */
    private void drain()
    {
        if (ended)
        {
            return;
        }
        ByteBuf out;
        while (null != (out = channel.readOutbound()))
        {
            try
            {
                final int length = out.readableBytes();
                if (!exchange.sendBody(ByteBufViews.wrap(outView, out, length), 0, length, false))
                {
                    writable = false;
                }
            }
            finally
            {
                out.release();
            }
        }
        if ((closeSent && closeReceived) || !channel.isOpen())
        {
            finish();
        }
    }

    private void finish()
    {
        if (!ended)
        {
            ended = true;
            release();
            exchange.sendBody(EMPTY, 0, 0, true);
            endpoint.onClose(this, 0 == closeCode ? ABNORMAL_CLOSURE : closeCode, closeReason);
        }
    }

    private void release()
    {
        channel.finishAndReleaseAll();
    }

    private ByteBuf copyIn(final DirectBuffer buffer, final int offset, final int length)
    {
        final ByteBuf copy = channel.alloc().directBuffer(length);
        if (length > 0)
        {
            if (copy.hasMemoryAddress())
            {
                copyView.wrap(copy.memoryAddress() + copy.writerIndex(), length);
                copyView.putBytes(0, buffer, offset, length);
            }
            else
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                copy.writeBytes(bytes);
                return copy;
            }
            copy.writerIndex(copy.writerIndex() + length);
        }
        return copy;
    }

    private void rethrowEndpointFailure()
    {
        final Throwable failure = endpointFailure;
        if (null != failure)
        {
            endpointFailure = null;
            LangUtil.rethrowUnchecked(failure);
        }
    }
}
