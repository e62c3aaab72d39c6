package io.sluice.benchmarks.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The harness's own TLS client for its checks: trusts exactly the run's certificate, nothing else.
 */
final class TlsTrust
{
    private TlsTrust()
    {
    }

    /**
     * @param certificate a PEM file of the certificate (chain) the servers present.
     * @return sockets that trust only that certificate.
     * @throws IOException when the file cannot be read or holds no certificate.
     */
    static SSLSocketFactory trusting(final Path certificate) throws IOException
    {
        try (InputStream in = Files.newInputStream(certificate))
        {
            final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (final Certificate entry : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                store.setCertificateEntry("bench-" + index++, entry);
            }
            if (0 == index)
            {
                throw new IOException(certificate + " holds no certificate");
            }
            final TrustManagerFactory trust = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot trust " + certificate + ": " + ex.getMessage(), ex);
        }
    }
}
