/**
 * TLS for the {@code https} prefixes: the certificates of {@code listener.tls} read and checked
 * ({@link io.sluice.listener.tls.PemFiles}), the self-signed one created on a first start
 * ({@link io.sluice.listener.tls.SelfSignedFiles}), and the SNI table of server contexts the HTTPS ports use
 * ({@link io.sluice.listener.tls.ServerTlsContexts}: the OpenSSL engine of netty-tcnative, else the JDK's). Depends on
 * {@code config} only.
 */
package io.sluice.listener.tls;
