package io.sluice.listener.tls;

import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.TlsConfiguration;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager that checks client certificates against {@code listener.tls.clientCertificateCa} (PKIX, the
 * JDK's). With {@code clientCertificate: required} a chain that does not verify fails the handshake; with
 * {@code optional} the handshake goes on, and only a session whose chain verified is marked
 * {@link TlsConfiguration#CLIENT_CERTIFICATE_VERIFIED}: the certificate of an unmarked one is not passed on.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager
{
    private static final X509Certificate[] NONE = new X509Certificate[0];

    private final X509ExtendedTrustManager delegate;
    private final boolean required;
    private final X509Certificate[] issuers;

    private ClientCertificateTrust(final X509ExtendedTrustManager delegate, final boolean required)
    {
        this.delegate = delegate;
        this.required = required;
        // optional: ask for any certificate, so that a client presents what it has and the handler is told nothing
        // of one that does not verify; required: name the CAs, as nginx does
        this.issuers = required ? delegate.getAcceptedIssuers() : NONE;
    }

    /**
     * @param tls the TLS settings, with a {@code clientCertificateCa}.
     * @return the trust manager.
     * @throws StartupException naming {@code listener.tls.clientCertificateCa} when its file cannot be read or holds
     *                          no certificate.
     */
    static TrustManager create(final TlsConfiguration tls)
    {
        final String key = ConfigKeys.LISTENER_TLS_CLIENT_CERTIFICATE_CA;
        final X509Certificate[] authorities = PemFiles.readChain(tls.clientCertificateCa(), key);
        try
        {
            final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < authorities.length; i++)
            {
                store.setCertificateEntry("ca-" + i, authorities[i]);
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (final TrustManager manager : factory.getTrustManagers())
            {
                if (manager instanceof X509ExtendedTrustManager)
                {
                    return new ClientCertificateTrust(
                        (X509ExtendedTrustManager)manager,
                        TlsConfiguration.ClientCertificate.REQUIRED == tls.clientCertificate());
                }
            }
            throw new StartupException(key, "no X.509 trust manager for " + tls.clientCertificateCa());
        }
        catch (final GeneralSecurityException | java.io.IOException ex)
        {
            throw new StartupException(key, "cannot trust " + tls.clientCertificateCa() + ": " +
                PemFiles.oneLine(ex), ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        final SSLSession session = null == engine ? null : engine.getHandshakeSession();
        try
        {
            delegate.checkClientTrusted(chain, authType, engine);
        }
        catch (final CertificateException ex)
        {
            if (required)
            {
                throw ex;
            }
            return;
        }
        if (null != session)
        {
            session.putValue(TlsConfiguration.CLIENT_CERTIFICATE_VERIFIED, Boolean.TRUE);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        // the listener's engines are never sockets: judge strictly
        delegate.checkClientTrusted(chain, authType, socket);
    }

    /**
     * {@inheritDoc}
     */
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        delegate.checkClientTrusted(chain, authType);
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        throw new CertificateException("a server trusts no server");
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        throw new CertificateException("a server trusts no server");
    }

    /**
     * {@inheritDoc}
     */
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        throw new CertificateException("a server trusts no server");
    }

    /**
     * {@inheritDoc}
     */
    public X509Certificate[] getAcceptedIssuers()
    {
        return issuers.clone();
    }
}
