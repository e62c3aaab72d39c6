package io.sluice.listener.http;

import javax.net.ssl.SSLSession;

/**
 * Whether a TLS session's client certificate is passed on to handlers: not when the session carries
 * {@link #UNVERIFIED_SESSION_VALUE}, which the listener's trust manager sets on a certificate that does not chain to
 * {@code listener.tls.clientCertificateCa} under {@code clientCertificate: optional}.
 */
public final class ClientCertificateCheck
{
    /**
     * Name of the session value marking a client certificate that did not verify.
     */
    public static final String UNVERIFIED_SESSION_VALUE = "io.sluice.clientCertificateUnverified";

    private ClientCertificateCheck()
    {
    }

    /**
     * @param session a completed TLS session.
     * @return true when its client certificate, if any, may be passed on.
     */
    public static boolean passesOn(final SSLSession session)
    {
        return null == session.getValue(UNVERIFIED_SESSION_VALUE);
    }
}
