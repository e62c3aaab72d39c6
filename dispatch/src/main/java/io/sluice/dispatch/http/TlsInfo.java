package io.sluice.dispatch.http;

import java.util.Objects;

/**
 * What the listener tells a handler about the TLS connection a request came on, as HTTP.sys tells an application
 * ({@code HTTP_SSL_INFO}): the protocol version, the cipher suite, the host name the client asked for (SNI) and the
 * client's certificate when it presented one. The same in every hosting model: in process it is the listener's own;
 * a shared-memory or loopback worker reads it from the listener's request fields ({@link #PROTOCOL_FIELD} and the
 * others, which a client can never send: the listener drops every client field named {@code Sluice-*}). Immutable;
 * one per connection.
 */
public final class TlsInfo
{
    /**
     * Request field holding {@link #protocol()}, e.g. {@code TLSv1.3}.
     */
    public static final String PROTOCOL_FIELD = "sluice-tls-protocol";

    /**
     * Request field holding {@link #cipher()}, e.g. {@code TLS_AES_128_GCM_SHA256}.
     */
    public static final String CIPHER_FIELD = "sluice-tls-cipher";

    /**
     * Request field holding {@link #serverName()}; absent when the client sent no SNI name.
     */
    public static final String SERVER_NAME_FIELD = "sluice-tls-server-name";

    /**
     * Request field holding the client certificate, as RFC 9440's {@code Client-Cert} field does: the DER bytes in
     * base64 between colons ({@code :MIIB...:}); absent when the client presented none.
     */
    public static final String CLIENT_CERT_FIELD = "sluice-client-cert";

    private final String protocol;
    private final String cipher;
    private final String serverName;
    private final String clientCertificate;
    private final String clientCertificateField;

    /**
     * @param protocol          TLS version, e.g. {@code TLSv1.3}.
     * @param cipher            cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}.
     * @param serverName        the SNI host name the client sent, or null.
     * @param clientCertificate the client's certificate, DER in base64 (no line breaks), or null.
     */
    public TlsInfo(final String protocol, final String cipher, final String serverName, final String clientCertificate)
    {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.serverName = serverName;
        this.clientCertificate = clientCertificate;
        this.clientCertificateField = null == clientCertificate ? null : ':' + clientCertificate + ':';
    }

    /**
     * Read the listener's fields of a request: the TLS facts a worker is told.
     *
     * @param protocol          value of {@link #PROTOCOL_FIELD}, or null when absent (a cleartext request).
     * @param cipher            value of {@link #CIPHER_FIELD}.
     * @param serverName        value of {@link #SERVER_NAME_FIELD}, or null.
     * @param clientCertificate value of {@link #CLIENT_CERT_FIELD} ({@code :base64:}), or null.
     * @return the facts, or null when the request came over cleartext (no protocol or no cipher).
     */
    public static TlsInfo fromFields(
        final String protocol, final String cipher, final String serverName, final String clientCertificate)
    {
        if (null == protocol || null == cipher)
        {
            return null;
        }
        String certificate = clientCertificate;
        if (null != certificate && certificate.length() >= 2 && certificate.charAt(0) == ':' &&
            certificate.charAt(certificate.length() - 1) == ':')
        {
            certificate = certificate.substring(1, certificate.length() - 1);
        }
        return new TlsInfo(
            protocol, cipher, serverName, null == certificate || certificate.isEmpty() ? null : certificate);
    }

    /**
     * @return the TLS version, e.g. {@code TLSv1.3}.
     */
    public String protocol()
    {
        return protocol;
    }

    /**
     * @return the cipher suite, IANA name (e.g. {@code TLS_AES_128_GCM_SHA256}).
     */
    public String cipher()
    {
        return cipher;
    }

    /**
     * @return the host name the client asked for with SNI, lower-case, or null when it sent none.
     */
    public String serverName()
    {
        return serverName;
    }

    /**
     * @return the client's certificate (the first of the chain it sent), DER in base64 without line breaks, or null
     * when it presented none. The listener asked for it ({@code clientCertificate: optional} or {@code required}) and
     * the handshake proved the client holds its key; who issued it is the handler's to judge.
     */
    public String clientCertificate()
    {
        return clientCertificate;
    }

    /**
     * @return the value of {@link #CLIENT_CERT_FIELD}: {@code :base64:}, or null when the client presented none.
     */
    public String clientCertificateField()
    {
        return clientCertificateField;
    }

    /**
     * @return {@code TlsInfo[protocol, cipher, serverName, clientCertificate present or not]}.
     */
    @Override
    public String toString()
    {
        return "TlsInfo[" + protocol + ", " + cipher + ", " + serverName + ", " +
            (null == clientCertificate ? "no client certificate" : "client certificate") + "]";
    }
}
