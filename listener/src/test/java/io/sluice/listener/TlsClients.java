package io.sluice.listener;

import io.sluice.listener.tls.PemFiles;
import io.sluice.listener.tls.SelfSignedFiles;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS clients for the tests: a JDK {@link SSLSocket} that trusts any server certificate (the tests check which one
 * they got), optionally naming a host with SNI and presenting a client certificate; and certificate files made for a
 * test with the listener's own {@link SelfSignedFiles}.
 */
final class TlsClients
{
    private static final char[] NO_PASSWORD = new char[0];

    private TlsClients()
    {
    }

    /**
     * Make a certificate and key for the host names in a fresh directory.
     *
     * @param directory where {@code self-signed.crt} and {@code self-signed.key} go.
     * @param hosts     names the certificate is made for, besides localhost.
     * @return the certificate and key files.
     */
    static Path[] certificateFiles(final Path directory, final String... hosts)
    {
        return SelfSignedFiles.ensure(directory, List.of(hosts), "test");
    }

    /**
     * Connect over TLS and complete the handshake.
     *
     * @param port       the listener's HTTPS port on 127.0.0.1.
     * @param serverName SNI host name to send, or null for none.
     * @param clientCert certificate and key files to present, or null for none.
     * @return the connected socket.
     */
    static SSLSocket connect(final int port, final String serverName, final Path[] clientCert)
        throws IOException, GeneralSecurityException
    {
        return connect(context(clientCert), port, serverName);
    }

    /**
     * @param clientCert certificate and key files to present, or null for none.
     * @return a client context that trusts any server certificate; its session cache is shared by every connection
     *         made with it, so a second connection to the same port offers to resume the first's session.
     */
    static SSLContext context(final Path[] clientCert) throws IOException, GeneralSecurityException
    {
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null == clientCert ? null : keyManagers(clientCert), new TrustManager[]{TRUST_ALL}, null);
        return context;
    }

    /**
     * Connect over TLS with a given client context and complete the handshake.
     *
     * @param context    the client context (its session cache, certificate and protocols).
     * @param port       the listener's HTTPS port on 127.0.0.1.
     * @param serverName SNI host name to send, or null for none.
     * @return the connected socket.
     */
    static SSLSocket connect(final SSLContext context, final int port, final String serverName) throws IOException
    {
        final Socket plain = RawHttpClient.connect(RawHttpClient.LOOPBACK_ADDRESS, port);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory()
            .createSocket(plain, RawHttpClient.LOOPBACK_ADDRESS, port, true);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(null == serverName ? List.of() : List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(new String[]{"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /**
     * @return an HTTP client over a TLS connection to the port, without SNI or client certificate.
     */
    static RawHttpClient client(final int port) throws IOException, GeneralSecurityException
    {
        return new RawHttpClient(connect(port, null, null));
    }

    /**
     * @param socket a connected TLS socket.
     * @return the server's certificate.
     */
    static X509Certificate serverCertificate(final SSLSocket socket) throws IOException
    {
        return (X509Certificate)socket.getSession().getPeerCertificates()[0];
    }

    private static KeyManager[] keyManagers(final Path[] files) throws GeneralSecurityException, IOException
    {
        final X509Certificate[] chain = PemFiles.readChain(files[0], "test");
        final PrivateKey key = PemFiles.readKey(files[1], "test");
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, NO_PASSWORD, chain);
        final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, NO_PASSWORD);
        return factory.getKeyManagers();
    }

    private static final X509TrustManager TRUST_ALL = new X509TrustManager()
    {
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    };
}
