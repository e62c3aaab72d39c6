package io.sluice.listener.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.sluice.dispatch.http.TlsInfo;

import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Once an HTTPS connection's handshake is complete, builds the pipeline of the protocol ALPN chose (HTTP/2 for
 * {@code h2}, HTTP/1.1 for {@code http/1.1} and for a client that chose none) behind the {@link SslHandler}, hands it the connection's {@link TlsInfo}, and starts it as
 * if the connection had just been accepted: its timers (header wait, idle) count from the end of the handshake, as
 * nginx's do. A handshake that fails or times out closes the connection without a response.
 */
final class ProtocolSelector extends ApplicationProtocolNegotiationHandler
{
    private static final Logger LOG = Logger.getLogger(ProtocolSelector.class.getName());

    private final HttpServerInitializer initializer;
    private final boolean verifiedOnly;
    private String serverName;

    /**
     * @param initializer  builds the HTTP/1.1 pipeline.
     * @param verifiedOnly pass on only a client certificate its session is marked verified.
     */
    ProtocolSelector(final HttpServerInitializer initializer, final boolean verifiedOnly)
    {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.initializer = initializer;
        this.verifiedOnly = verifiedOnly;
    }

    /**
     * @param serverName the SNI host name the client sent, or null.
     */
    void serverName(final String serverName)
    {
        this.serverName = serverName;
    }

    /**
     * {@inheritDoc}
     */
    protected void configurePipeline(final ChannelHandlerContext ctx, final String protocol)
    {
        final boolean http2 = ApplicationProtocolNames.HTTP_2.equals(protocol);
        if (!http2 && !ApplicationProtocolNames.HTTP_1_1.equals(protocol))
        {
            ctx.close();
            return;
        }
        final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        final SSLSession session = ssl.engine().getSession();
        final TlsInfo tls = new TlsInfo(
            session.getProtocol(), session.getCipherSuite(), serverName, clientCertificate(session, verifiedOnly));
        if (http2)
        {
            initializer.addHttp2(ctx.channel(), tls);
            return;
        }
        initializer.addHttp1(ctx.channel(), tls);
        // the protocol's handlers start now, as on an accepted connection
        ctx.fireChannelActive();
    }

    /**
     * {@inheritDoc}
     */
    protected void handshakeFailure(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(Level.FINE, "TLS handshake failed", cause);
        ctx.close();
    }

    /**
     * {@inheritDoc}
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // a client that does not speak TLS, or breaks off: nothing to answer, nothing worth a warning
        LOG.log(Level.FINE, "TLS connection failed", cause);
        ctx.close();
    }

    private static String clientCertificate(final SSLSession session, final boolean verifiedOnly)
    {
        if (verifiedOnly && !ClientCertificateCheck.isVerified(session))
        {
            return null;
        }
        try
        {
            final Certificate[] chain = session.getPeerCertificates();
            return chain.length == 0 ? null : Base64.getEncoder().encodeToString(chain[0].getEncoded());
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return null;
        }
        catch (final CertificateEncodingException ex)
        {
            LOG.log(Level.FINE, "client certificate not encodable", ex);
            return null;
        }
    }
}
