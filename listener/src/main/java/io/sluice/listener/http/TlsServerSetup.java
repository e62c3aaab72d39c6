package io.sluice.listener.http;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/**
 * What an HTTPS port needs: the server context for each SNI host name and the handshake timeout.
 *
 * @param contexts           the context for a client's SNI host name (the default for null or an unknown name).
 * @param handshakeTimeoutMs time from accepting a connection until its handshake must be complete; past it the
 *                           connection is closed.
 * @param verifiedClientCertificatesOnly true to pass on only a client certificate its session is marked
 *                           {@link ClientCertificateCheck#VERIFIED_SESSION_VALUE} (a {@code clientCertificateCa}
 *                           with {@code clientCertificate: optional}): a resumed session, unmarked, passes on none.
 */
public record TlsServerSetup(
    Mapping<String, SslContext> contexts, long handshakeTimeoutMs, boolean verifiedClientCertificatesOnly)
{
}
