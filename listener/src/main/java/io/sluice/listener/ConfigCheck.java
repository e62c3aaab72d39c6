package io.sluice.listener;

import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigKeys;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.ListenerConfiguration;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.config.TlsConfiguration;
import io.sluice.listener.tls.PemFiles;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * {@code sluice check}: what the listener checks of a deployment file before it binds a port, without binding one or
 * starting a worker (nginx {@code -t}). The file is read and concluded as {@code sluice run} reads it; then the
 * start-up checks run (bind addresses resolve, handler classes exist and in-process ones can be created, worker
 * commands exist), and each certificate file is read and matched with its key. A self-signed certificate is not
 * created: the first start does that. Stateless.
 */
final class ConfigCheck
{
    private ConfigCheck()
    {
    }

    /**
     * @param file the deployment file.
     * @return the configuration, concluded: its {@link io.sluice.listener.config.EffectiveConfiguration} is what a
     * start would serve.
     * @throws ConfigException  when the file is not a valid configuration; its message names the file and key.
     * @throws StartupException when a key names something that cannot be used; its message names the key, not the
     *                          file.
     */
    static ListenerConfiguration check(final Path file)
    {
        final ListenerConfiguration config = ConfigLoader.load(file);
        check(config);
        return config;
    }

    /**
     * Check what a concluded configuration names and the file alone cannot prove.
     *
     * @param config the configuration.
     * @throws StartupException naming the key of what cannot be used.
     */
    static void check(final ListenerConfiguration config)
    {
        StartupChecks.check(config);
        final TlsConfiguration tls = config.tls();
        if (null != tls)
        {
            for (final TlsConfiguration.Certificate certificate : tls.certificates())
            {
                if (!certificate.isSelfSigned())
                {
                    final String keyKey = certificate.keyPath() + ".key";
                    final X509Certificate[] chain =
                        PemFiles.readChain(certificate.certificate(), certificate.keyPath() + ".certificate");
                    final PrivateKey key = PemFiles.readKey(certificate.key(), keyKey);
                    PemFiles.checkMatch(key, chain[0], keyKey);
                }
            }
            if (null != tls.clientCertificateCa())
            {
                PemFiles.readChain(tls.clientCertificateCa(), ConfigKeys.LISTENER_TLS_CLIENT_CERTIFICATE_CA);
            }
        }
    }
}
