package io.sluice.listener.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.TlsConfiguration;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The server TLS contexts of {@code listener.tls}, one per certificate, and the SNI table that picks one for a
 * client's host name: an exact name first, then a {@code *.domain} wildcard (one label), then the default (the
 * certificate of {@code "*"}, else the first). The engine is OpenSSL (BoringSSL, through netty-tcnative) when it
 * loads, else the JDK's, with a warning; {@code listener.tls.engine: jdk} chooses the JDK's. Every context offers the same TLS versions, ALPN protocols
 * ({@link #APPLICATION_PROTOCOLS}) and client certificate request, and resumes sessions (tickets and a session cache).
 */
public final class ServerTlsContexts
{
    /**
     * The application protocols offered by ALPN, in order of preference; a client that offers none of them, or uses
     * no ALPN, gets the last.
     */
    public static final List<String> APPLICATION_PROTOCOLS =
        List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private static final Logger LOG = Logger.getLogger(ServerTlsContexts.class.getName());

    private final Mapping<String, SslContext> mapping;
    private final SslProvider provider;

    private ServerTlsContexts(final Mapping<String, SslContext> mapping, final SslProvider provider)
    {
        this.mapping = mapping;
        this.provider = provider;
    }

    /**
     * Read every certificate and key (creating the self-signed one when asked and missing), check each pair, and
     * build the contexts.
     *
     * @param tls the TLS settings.
     * @return the contexts.
     * @throws StartupException naming the key of a file that cannot be read, a key that does not match its
     *                          certificate, or a certificate the engine refuses.
     */
    public static ServerTlsContexts create(final TlsConfiguration tls)
    {
        final SslProvider provider = chooseProvider(tls.engine());
        SslContext fallback = null;
        final List<TlsConfiguration.Certificate> certificates = tls.certificates();
        final SslContext[] contexts = new SslContext[certificates.size()];
        final TrustManager clientTrust = clientTrust(tls);
        for (int i = 0; i < certificates.size(); i++)
        {
            contexts[i] = context(tls, certificates.get(i), provider, clientTrust);
            if (certificates.get(i).hosts().contains(TlsConfiguration.DEFAULT_HOST))
            {
                fallback = contexts[i];
            }
        }
        final DomainWildcardMappingBuilder<SslContext> builder =
            new DomainWildcardMappingBuilder<>(null == fallback ? contexts[0] : fallback);
        for (int i = 0; i < certificates.size(); i++)
        {
            for (final String host : certificates.get(i).hosts())
            {
                if (!TlsConfiguration.DEFAULT_HOST.equals(host))
                {
                    builder.add(host, contexts[i]);
                }
            }
        }
        return new ServerTlsContexts(builder.build(), provider);
    }

    /**
     * @return the context for each SNI host name (the default for null or an unknown name).
     */
    public Mapping<String, SslContext> mapping()
    {
        return mapping;
    }

    /**
     * @return the engine in use: {@link SslProvider#OPENSSL} or {@link SslProvider#JDK}.
     */
    public SslProvider provider()
    {
        return provider;
    }

    private static SslProvider chooseProvider(final TlsConfiguration.Engine engine)
    {
        if (TlsConfiguration.Engine.JDK == engine)
        {
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable())
        {
            return SslProvider.OPENSSL;
        }
        final Throwable cause = OpenSsl.unavailabilityCause();
        LOG.warning(() -> "TLS: the OpenSSL engine (netty-tcnative) is not available (" +
            (null == cause ? "unknown reason" : cause.toString()) + "); using the JDK's, which is slower");
        return SslProvider.JDK;
    }

    private static TrustManager clientTrust(final TlsConfiguration tls)
    {
        if (TlsConfiguration.ClientCertificate.NONE == tls.clientCertificate())
        {
            return null;
        }
        return null == tls.clientCertificateCa() ?
            InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0] : ClientCertificateTrust.create(tls);
    }

    private static SslContext context(
        final TlsConfiguration tls,
        final TlsConfiguration.Certificate certificate,
        final SslProvider provider,
        final TrustManager clientTrust)
    {
        final String certificateKey = certificate.keyPath() + ".certificate";
        final String keyKey = certificate.keyPath() + ".key";
        final Path chainFile;
        final Path keyFile;
        if (certificate.isSelfSigned())
        {
            final Path[] files = SelfSignedFiles.ensure(
                tls.selfSignedDir(), certificate.hosts(), ConfigKeys.LISTENER_TLS_SELF_SIGNED_DIR);
            chainFile = files[0];
            keyFile = files[1];
        }
        else
        {
            chainFile = certificate.certificate();
            keyFile = certificate.key();
        }
        final X509Certificate[] chain = PemFiles.readChain(chainFile, certificateKey);
        final PrivateKey privateKey = PemFiles.readKey(keyFile, keyKey);
        PemFiles.checkMatch(privateKey, chain[0], keyKey);
        try
        {
            final SslContextBuilder builder = SslContextBuilder.forServer(privateKey, chain)
                .sslProvider(provider)
                .protocols(tls.protocols())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    APPLICATION_PROTOCOLS));
            switch (tls.clientCertificate())
            {
                case OPTIONAL:
                    builder.clientAuth(ClientAuth.OPTIONAL).trustManager(clientTrust);
                    break;
                case REQUIRED:
                    builder.clientAuth(ClientAuth.REQUIRE).trustManager(clientTrust);
                    break;
                default:
                    builder.clientAuth(ClientAuth.NONE);
                    break;
            }
            return builder.build();
        }
        catch (final SSLException | RuntimeException ex)
        {
            throw new StartupException(certificateKey, "cannot serve " + chainFile + " with " + keyFile + ": " +
                PemFiles.oneLine(ex), ex);
        }
    }
}
