package io.sluice.listener.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code listener.tls} mapping as set, before it is checked ({@link ListenerContext}'s manner): fluent setters
 * take any value, {@link #conclude} checks them once and yields the {@link TlsConfiguration}. Files are not read here:
 * the listener reads them when it starts (a missing file or a key that does not match its certificate is a
 * {@link StartupException} naming the key). Not thread-safe.
 */
public final class TlsContext
{
    /**
     * Greatest handshake timeout: 24 h.
     */
    public static final long HANDSHAKE_TIMEOUT_MS_MAX = ListenerContext.TIMEOUT_MS_MAX;

    private static final Pattern HOST_NAME = Pattern.compile(
        "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final int HOST_NAME_LENGTH_MAX = 253;

    private final SettingOrigin origin = new SettingOrigin();
    private final List<CertificateContext> certificates = new ArrayList<>();
    private List<String> protocols = TlsConfiguration.PROTOCOLS_DEFAULT;
    private String clientCertificate = TlsConfiguration.ClientCertificate.NONE.configName();
    private Path clientCertificateCa;
    private long handshakeTimeoutMs = TlsConfiguration.HANDSHAKE_TIMEOUT_MS_DEFAULT;
    private Path selfSignedDir;
    private String engine = TlsConfiguration.Engine.OPENSSL.configName();

    /**
     * @param hosts       SNI names ({@code a.example.com}, {@code *.example.com}) or {@code *} for the default.
     * @param certificate PEM chain file, or {@code self-signed} (as text).
     * @param key         PEM PKCS#8 key file; null with {@code self-signed}.
     * @return this.
     */
    public TlsContext addCertificate(final List<String> hosts, final String certificate, final Path key)
    {
        final CertificateContext context = new CertificateContext();
        context.hosts = hosts;
        context.certificate = certificate;
        context.key = key;
        if (null != hosts)
        {
            context.origin.set(YamlKeys.HOSTS);
        }
        if (null != certificate)
        {
            context.origin.set(YamlKeys.CERTIFICATE);
        }
        if (null != key)
        {
            context.origin.set(YamlKeys.KEY);
        }
        certificates.add(context);
        return this;
    }

    /**
     * @param protocols TLS versions, each {@code TLSv1.3} or {@code TLSv1.2}.
     * @return this.
     */
    public TlsContext protocols(final List<String> protocols)
    {
        this.protocols = protocols;
        origin.set(YamlKeys.PROTOCOLS);
        return this;
    }

    /**
     * @param clientCertificate {@code none}, {@code optional} or {@code required}.
     * @return this.
     */
    public TlsContext clientCertificate(final String clientCertificate)
    {
        this.clientCertificate = clientCertificate;
        origin.set(YamlKeys.CLIENT_CERTIFICATE);
        return this;
    }

    /**
     * @param clientCertificateCa PEM file of the CA certificates a client certificate must chain to, or null to pass
     *                            on any certificate whose key the client holds.
     * @return this.
     */
    public TlsContext clientCertificateCa(final Path clientCertificateCa)
    {
        this.clientCertificateCa = clientCertificateCa;
        origin.set(YamlKeys.CLIENT_CERTIFICATE_CA);
        return this;
    }

    /**
     * @param handshakeTimeoutMs time a connection has to complete its handshake, 1 ms to 24 h.
     * @return this.
     */
    public TlsContext handshakeTimeoutMs(final long handshakeTimeoutMs)
    {
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        origin.set(YamlKeys.HANDSHAKE_TIMEOUT);
        return this;
    }

    /**
     * @param selfSignedDir directory of the self-signed certificate and key, or null for
     *                      {@link #selfSignedDirDefault(String)}.
     * @return this.
     */
    public TlsContext selfSignedDir(final Path selfSignedDir)
    {
        this.selfSignedDir = selfSignedDir;
        origin.set(YamlKeys.SELF_SIGNED_DIR);
        return this;
    }

    /**
     * @param engine {@code openssl} (the default; the JDK's where OpenSSL does not load) or {@code jdk}.
     * @return this.
     */
    public TlsContext engine(final String engine)
    {
        this.engine = engine;
        origin.set(YamlKeys.ENGINE);
        return this;
    }

    /**
     * The default directory of a listener's self-signed certificate: {@code $XDG_STATE_HOME/sluice/<id>/tls}, where
     * {@code XDG_STATE_HOME} defaults to {@code ~/.local/state}.
     *
     * @param id the listener id.
     * @return the directory.
     */
    public static Path selfSignedDirDefault(final String id)
    {
        final String stateHome = System.getenv("XDG_STATE_HOME");
        final Path base = null != stateHome && stateHome.startsWith("/") ?
            Path.of(stateHome) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("sluice").resolve(id).resolve("tls");
    }

    SettingOrigin origin()
    {
        return origin;
    }

    SettingOrigin certificateOrigin(final int index)
    {
        return certificates.get(index).origin;
    }

    /**
     * Check every setting: at least one certificate, each with hosts, a certificate and (unless self-signed) a key,
     * no host name claimed twice, known protocols and client certificate mode, a handshake timeout in range.
     *
     * @param path       key path of the mapping, {@code listener.tls}.
     * @param listenerId the listener's id, which names the default {@code selfSignedDir}.
     * @return the effective settings.
     * @throws ConfigException naming the first key at fault.
     */
    TlsConfiguration conclude(final String path, final String listenerId)
    {
        origin.at(path);
        if (certificates.isEmpty())
        {
            throw origin.error(YamlKeys.CERTIFICATES, "must list at least one certificate");
        }
        final Map<String, String> claimed = new HashMap<>();
        final List<TlsConfiguration.Certificate> concluded = new ArrayList<>(certificates.size());
        for (int i = 0; i < certificates.size(); i++)
        {
            concluded.add(certificates.get(i).conclude(origin.pathOf(YamlKeys.CERTIFICATES) + "[" + i + "]", claimed));
        }
        final List<String> versions = concludeProtocols();
        final TlsConfiguration.ClientCertificate mode =
            TlsConfiguration.ClientCertificate.fromConfigName(clientCertificate);
        if (null == mode)
        {
            throw origin.error(
                YamlKeys.CLIENT_CERTIFICATE, "must be one of none, optional, required", clientCertificate);
        }
        if (null != clientCertificateCa && TlsConfiguration.ClientCertificate.NONE == mode)
        {
            throw origin.error(YamlKeys.CLIENT_CERTIFICATE_CA,
                "needs clientCertificate: optional or required", clientCertificateCa);
        }
        final TlsConfiguration.Engine chosenEngine = TlsConfiguration.Engine.fromConfigName(engine);
        if (null == chosenEngine)
        {
            throw origin.error(YamlKeys.ENGINE, "must be one of openssl, jdk", engine);
        }
        return new TlsConfiguration(
            Collections.unmodifiableList(concluded),
            versions,
            mode,
            clientCertificateCa,
            origin.durationMs(YamlKeys.HANDSHAKE_TIMEOUT, handshakeTimeoutMs, 1, HANDSHAKE_TIMEOUT_MS_MAX),
            null == selfSignedDir ? selfSignedDirDefault(listenerId) : selfSignedDir,
            chosenEngine);
    }

    private List<String> concludeProtocols()
    {
        if (null == protocols || protocols.isEmpty())
        {
            throw origin.error(YamlKeys.PROTOCOLS, "must list at least one of TLSv1.3, TLSv1.2", protocols);
        }
        final List<String> versions = new ArrayList<>(protocols.size());
        for (final String protocol : protocols)
        {
            if (!TlsConfiguration.TLS_V1_3.equals(protocol) && !TlsConfiguration.TLS_V1_2.equals(protocol))
            {
                throw origin.errorNaming(
                    YamlKeys.PROTOCOLS, "must list only TLSv1.3 and TLSv1.2, unknown protocol", protocol);
            }
            if (!versions.contains(protocol))
            {
                versions.add(protocol);
            }
        }
        return Collections.unmodifiableList(versions);
    }

    /**
     * One element of {@code certificates}.
     */
    private static final class CertificateContext
    {
        private final SettingOrigin origin = new SettingOrigin();
        private List<String> hosts;
        private String certificate;
        private Path key;

        TlsConfiguration.Certificate conclude(final String path, final Map<String, String> claimed)
        {
            origin.at(path);
            if (null == hosts || hosts.isEmpty())
            {
                throw null == hosts ? origin.error(YamlKeys.HOSTS, "missing required key") :
                    origin.error(YamlKeys.HOSTS, "must list at least one host name or \"*\"", hosts);
            }
            final List<String> names = new ArrayList<>(hosts.size());
            for (int i = 0; i < hosts.size(); i++)
            {
                final String hostPath = origin.pathOf(YamlKeys.HOSTS) + "[" + i + "]";
                final String name = hosts.get(i).toLowerCase(Locale.ROOT);
                if (!TlsConfiguration.DEFAULT_HOST.equals(name) &&
                    (name.length() > HOST_NAME_LENGTH_MAX || !HOST_NAME.matcher(name).matches()))
                {
                    throw ConfigSection.error(
                        origin.source(), hostPath, "must be a host name, *.domain or \"*\"", hosts.get(i));
                }
                final String earlier = claimed.putIfAbsent(name, hostPath);
                if (null != earlier)
                {
                    throw ConfigSection.error(
                        origin.source(), hostPath, "is already claimed by " + earlier, hosts.get(i));
                }
                names.add(name);
            }
            final String chain = origin.required(YamlKeys.CERTIFICATE, certificate);
            if (TlsConfiguration.SELF_SIGNED.equals(chain))
            {
                if (null != key)
                {
                    throw origin.error(YamlKeys.KEY, "must be left out with certificate: self-signed", key);
                }
                return new TlsConfiguration.Certificate(List.copyOf(names), null, null, path);
            }
            if (null == key)
            {
                throw origin.error(YamlKeys.KEY, "missing required key");
            }
            return new TlsConfiguration.Certificate(List.copyOf(names), Path.of(chain), key, path);
        }
    }
}
