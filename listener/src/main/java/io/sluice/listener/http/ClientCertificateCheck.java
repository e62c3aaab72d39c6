package io.sluice.listener.http;

import javax.net.ssl.SSLSession;

/**
 * Whether a TLS session's client certificate verified: the listener's trust manager marks the session
 * {@link #VERIFIED_SESSION_VALUE} when the certificate chains to {@code listener.tls.clientCertificateCa} under
 * {@code clientCertificate: optional}. An unmarked session (a certificate that did not verify, or a resumed session,
 * whose values are not kept) passes on no certificate.
 */
public final class ClientCertificateCheck
{
    /**
     * Name of the session value marking a client certificate that verified.
     */
    public static final String VERIFIED_SESSION_VALUE = "io.sluice.clientCertificateVerified";

    private ClientCertificateCheck()
    {
    }

    /**
     * @param session a completed TLS session.
     * @return true when the session is marked verified.
     */
    public static boolean isVerified(final SSLSession session)
    {
        return Boolean.TRUE.equals(session.getValue(VERIFIED_SESSION_VALUE));
    }
}
