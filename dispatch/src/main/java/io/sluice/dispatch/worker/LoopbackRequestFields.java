package io.sluice.dispatch.worker;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import io.sluice.dispatch.http.TlsInfo;

/**
 * The fields of a request from the listener, as Netty's request decoder adds them: the fields of the hop to this
 * worker ({@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code Sluice-Token}, {@code Sluice-Event},
 * {@code Sluice-Appl-Path} and the TLS facts of {@link TlsInfo}, in any spelling) are taken aside while the head is
 * decoded and never enter the map the handler sees, so none is inserted and removed again per request; the first
 * value of each is kept, as {@link HttpHeaders#get} would return it. The {@code Content-Length} or
 * {@code Transfer-Encoding} the listener writes after {@code X-Forwarded-For} when the client sent no framing frames
 * the body, so the decoder sees it; {@link #endOfHead()} removes it. An added {@code Content-Length: 0} is not even
 * inserted when the head has no other framing and no legacy WebSocket key (which would make the decoder expect a
 * body): a request without framing has no body, which frames it the same.
 * <p>
 * Once {@link #endOfHead()} was called it is a plain {@link DefaultHttpHeaders}: what the handler adds stays. Event
 * loop confined.
 */
final class LoopbackRequestFields extends DefaultHttpHeaders
{
    /**
     * Makes the headers of the requests a loopback worker decodes; trailers and the rest are Netty's default.
     */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory()
    {
        public HttpHeaders newHeaders()
        {
            return new LoopbackRequestFields();
        }

        public HttpHeaders newEmptyHeaders()
        {
            return DefaultHttpHeadersFactory.headersFactory().newEmptyHeaders();
        }
    };

    private static final int SLUICE_PREFIX_LENGTH = LoopbackProtocol.SLUICE_PREFIX.length();
    private static final AsciiString SEC_WEBSOCKET_KEY1 = HttpHeaderNames.SEC_WEBSOCKET_KEY1;
    private static final AsciiString SEC_WEBSOCKET_KEY2 = HttpHeaderNames.SEC_WEBSOCKET_KEY2;

    private boolean decoding = true;
    private boolean afterForwardedFor;
    private boolean framed;
    private boolean legacyWebSocketKey;
    private boolean addedLength;
    private boolean addedChunked;
    private String token;
    private String event;
    private String applicationPath;
    private String forwardedFor;
    private String forwardedProto;
    private String tlsProtocol;
    private String tlsCipher;
    private String tlsServerName;
    private String clientCertificate;

    LoopbackRequestFields()
    {
        super();
    }

    /**
     * {@inheritDoc}
     */
    public HttpHeaders add(final String name, final Object value)
    {
        return add((CharSequence)name, value);
    }

    /**
     * {@inheritDoc}
     */
    public HttpHeaders add(final CharSequence name, final Object value)
    {
        if (decoding && takeAside(name, value))
        {
            return this;
        }
        return super.add(name, value);
    }

    /**
     * The head is decoded: remove the framing field the listener added, and let later additions through.
     */
    void endOfHead()
    {
        if (decoding)
        {
            decoding = false;
            if (addedLength)
            {
                super.remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            if (addedChunked)
            {
                super.remove(HttpHeaderNames.TRANSFER_ENCODING);
            }
        }
    }

    /**
     * @return the request's {@code Sluice-Token}, or null.
     */
    String token()
    {
        return token;
    }

    /**
     * @return the request's {@code Sluice-Event}, or null.
     */
    String event()
    {
        return event;
    }

    /**
     * @return the request's {@code Sluice-Appl-Path}, or null.
     */
    String applicationPath()
    {
        return applicationPath;
    }

    /**
     * @return the request's {@code X-Forwarded-For}, or null.
     */
    String forwardedFor()
    {
        return forwardedFor;
    }

    /**
     * The TLS facts the listener sends with a request that came over TLS ({@code X-Forwarded-Proto: https} and the
     * {@link TlsInfo} fields). Trusted once the request carried the worker's token.
     *
     * @return the facts, or null for a request that came over cleartext.
     */
    TlsInfo tls()
    {
        if (null == forwardedProto || !"https".equalsIgnoreCase(forwardedProto.trim()))
        {
            return null;
        }
        return TlsInfo.fromFields(tlsProtocol, tlsCipher, tlsServerName, clientCertificate);
    }

    private boolean takeAside(final CharSequence name, final Object value)
    {
        final int length = name.length();
        if (length > SLUICE_PREFIX_LENGTH && LoopbackProtocol.SLUICE_PREFIX.regionMatches(true, 0, name, 0,
            SLUICE_PREFIX_LENGTH))
        {
            return takeSluiceField(name, value);
        }
        if (LoopbackProtocol.X_FORWARDED_FOR.contentEqualsIgnoreCase(name))
        {
            afterForwardedFor = true;
            forwardedFor = first(forwardedFor, value);
            return true;
        }
        if (LoopbackProtocol.X_FORWARDED_PROTO.contentEqualsIgnoreCase(name))
        {
            forwardedProto = first(forwardedProto, value);
            return true;
        }
        if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name))
        {
            if (afterForwardedFor)
            {
                if (!framed && !legacyWebSocketKey && isZero(value))
                {
                    return true;
                }
                addedLength = true;
            }
            framed = true;
        }
        else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name))
        {
            addedChunked |= afterForwardedFor;
            framed = true;
        }
        else if (SEC_WEBSOCKET_KEY1.contentEqualsIgnoreCase(name) || SEC_WEBSOCKET_KEY2.contentEqualsIgnoreCase(name))
        {
            legacyWebSocketKey = true;
        }
        return false;
    }

    private boolean takeSluiceField(final CharSequence name, final Object value)
    {
        if (LoopbackProtocol.SLUICE_TOKEN.contentEqualsIgnoreCase(name))
        {
            token = first(token, value);
        }
        else if (LoopbackProtocol.SLUICE_APPL_PATH.contentEqualsIgnoreCase(name))
        {
            applicationPath = first(applicationPath, value);
        }
        else if (LoopbackProtocol.SLUICE_EVENT.contentEqualsIgnoreCase(name))
        {
            event = first(event, value);
        }
        else if (AsciiString.contentEqualsIgnoreCase(TlsInfo.PROTOCOL_FIELD, name))
        {
            tlsProtocol = first(tlsProtocol, value);
        }
        else if (AsciiString.contentEqualsIgnoreCase(TlsInfo.CIPHER_FIELD, name))
        {
            tlsCipher = first(tlsCipher, value);
        }
        else if (AsciiString.contentEqualsIgnoreCase(TlsInfo.SERVER_NAME_FIELD, name))
        {
            tlsServerName = first(tlsServerName, value);
        }
        else if (AsciiString.contentEqualsIgnoreCase(TlsInfo.CLIENT_CERT_FIELD, name))
        {
            clientCertificate = first(clientCertificate, value);
        }
        else
        {
            // another Sluice-* field (the readiness probe's challenge): the decoder's, as any field
            return false;
        }
        return true;
    }

    private static String first(final String taken, final Object value)
    {
        return null != taken ? taken : String.valueOf(value);
    }

    private static boolean isZero(final Object value)
    {
        if (!(value instanceof CharSequence text))
        {
            return false;
        }
        int digits = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '0')
            {
                digits++;
            }
            else if (c != ' ' && c != '\t')
            {
                return false;
            }
        }
        return digits == 1;
    }
}
