package io.sluice.listener.config;

import io.sluice.listener.http.ClientCertificateCheck;

import java.nio.file.Path;
import java.util.List;

/**
 * The TLS settings of the {@code https} prefixes ({@code listener.tls}), as {@link TlsContext#conclude} yields them.
 * Immutable.
 *
 * @param certificates       the certificates, in file order; the one whose hosts hold {@link #DEFAULT_HOST}, or else
 *                           the first, answers a client that names no host the others claim (or none at all).
 * @param protocols          the TLS versions offered, e.g. {@code TLSv1.3}, {@code TLSv1.2}.
 * @param clientCertificate  whether a client certificate is asked for (HTTP.sys {@code clientcertnegotiation}).
 * @param clientCertificateCa PEM file of the CA certificates a client certificate must chain to, or null to pass on
 *                           any certificate whose key the client holds.
 * @param handshakeTimeoutMs time from accepting a connection until its TLS handshake must be complete; past it the
 *                           connection is closed.
 * @param selfSignedDir      where the certificate and key of {@code certificate: self-signed} are kept.
 */
public record TlsConfiguration(
    List<Certificate> certificates,
    List<String> protocols,
    ClientCertificate clientCertificate,
    Path clientCertificateCa,
    long handshakeTimeoutMs,
    Path selfSignedDir,
    Engine engine)
{
    /**
     * The host name of the default certificate.
     */
    public static final String DEFAULT_HOST = "*";

    /**
     * The {@code certificate} value that asks Sluice to create (once) and use a self-signed certificate.
     */
    public static final String SELF_SIGNED = "self-signed";

    /**
     * The {@link javax.net.ssl.SSLSession} value set, under this name, on a session whose client certificate chains
     * to {@code clientCertificateCa} (with {@code clientCertificate: optional}): only such a certificate is passed on.
     */
    public static final String CLIENT_CERTIFICATE_VERIFIED = ClientCertificateCheck.VERIFIED_SESSION_VALUE;

    /**
     * TLS 1.3.
     */
    public static final String TLS_V1_3 = "TLSv1.3";

    /**
     * TLS 1.2.
     */
    public static final String TLS_V1_2 = "TLSv1.2";

    /**
     * The TLS versions offered by default.
     */
    public static final List<String> PROTOCOLS_DEFAULT = List.of(TLS_V1_3, TLS_V1_2);

    /**
     * Default handshake timeout: 10 s (Netty's; nginx's {@code ssl_handshake_timeout} is 60 s).
     */
    public static final long HANDSHAKE_TIMEOUT_MS_DEFAULT = 10_000;

    /**
     * The TLS engine asked for by {@code listener.tls.engine}.
     */
    public enum Engine
    {
        /**
         * BoringSSL through netty-tcnative, the default; the JDK's, with a warning, where it does not load.
         */
        OPENSSL("openssl"),

        /**
         * The JDK's own (JSSE), whether or not OpenSSL loads.
         */
        JDK("jdk");

        private final String configName;

        Engine(final String configName)
        {
            this.configName = configName;
        }

        /**
         * @return the name in the YAML.
         */
        public String configName()
        {
            return configName;
        }

        /**
         * @param name a name in the YAML.
         * @return the engine of that name, or null for none.
         */
        public static Engine fromConfigName(final String name)
        {
            for (final Engine engine : values())
            {
                if (engine.configName.equals(name))
                {
                    return engine;
                }
            }
            return null;
        }
    }

    /**
     * Whether the listener asks a client for its certificate.
     */
    public enum ClientCertificate
    {
        /**
         * Never asked for.
         */
        NONE("none"),

        /**
         * Asked for; a client may send none. The listener checks that the client holds the key of the certificate it
         * sends (the handshake proves it). Without {@code clientCertificateCa} it does not check who signed it: the
         * handler is given the certificate and judges it, as with nginx's {@code ssl_verify_client optional_no_ca}.
         * With it, a certificate that does not chain to one of its CAs is not passed on (the handshake succeeds).
         */
        OPTIONAL("optional"),

        /**
         * Asked for; a client that sends none fails the handshake, and so does one whose certificate does not chain to
         * {@code clientCertificateCa} when that is set. Without it, the handler judges the certificate's issuer.
         */
        REQUIRED("required");

        private final String configName;

        ClientCertificate(final String configName)
        {
            this.configName = configName;
        }

        /**
         * @return the name in the file.
         */
        public String configName()
        {
            return configName;
        }

        /**
         * @param name as written in the file.
         * @return the mode, or null when the name is none of them.
         */
        public static ClientCertificate fromConfigName(final String name)
        {
            for (final ClientCertificate mode : values())
            {
                if (mode.configName.equals(name))
                {
                    return mode;
                }
            }
            return null;
        }
    }

    /**
     * One certificate and the host names it serves.
     *
     * @param hosts       SNI names, {@code *.example.com} wildcards, or {@link #DEFAULT_HOST}; lower-case.
     * @param certificate the PEM chain file, or null for a self-signed one.
     * @param key         the PEM PKCS#8 key file, or null for a self-signed one.
     * @param keyPath     key path in messages, e.g. {@code listener.tls.certificates[0]}.
     */
    public record Certificate(List<String> hosts, Path certificate, Path key, String keyPath)
    {
        /**
         * @return true when Sluice creates the certificate and key itself.
         */
        public boolean isSelfSigned()
        {
            return null == certificate;
        }
    }
}
