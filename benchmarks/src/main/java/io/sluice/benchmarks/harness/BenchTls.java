package io.sluice.benchmarks.harness;

import java.nio.file.Path;

/**
 * The TLS of a bench run: the listener's https port, and the certificate the listener and nginx both serve.
 *
 * @param port        the listener's port for every {@code https} prefix.
 * @param certificate PEM file of the certificate.
 * @param key         PEM PKCS#8 file of its key.
 */
record BenchTls(int port, Path certificate, Path key)
{
}
