package io.sluice.listener.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code listener.tls} mapping and the rules https prefixes follow: read with its defaults, each mistake one
 * message naming its key.
 */
class TlsConfigTest
{
    private static final String SOURCE = "sluice.yaml";
    private static final String HTTPS_QUEUE = """
        queues:
          - name: app
            prefixes: [ "https://+:8443/app/" ]
            hosting: in-process
            handler: io.sluice.dispatch.sample.SampleHandler
        """;
    private static final String SELF_SIGNED = """
        listener:
          tls:
            certificates:
              - hosts: ["*"]
                certificate: self-signed
        """;

    @Test
    void shouldReadTheDefaults()
    {
        final TlsConfiguration tls =
            ConfigLoader.parse(SELF_SIGNED + HTTPS_QUEUE, SOURCE, Path.of("/etc/sluice")).tls();

        assertEquals(1, tls.certificates().size());
        assertTrue(tls.certificates().get(0).isSelfSigned());
        assertEquals(List.of("*"), tls.certificates().get(0).hosts());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(TlsConfiguration.ClientCertificate.NONE, tls.clientCertificate());
        assertEquals(TlsConfiguration.HANDSHAKE_TIMEOUT_MS_DEFAULT, tls.handshakeTimeoutMs());
        assertEquals(TlsContext.selfSignedDirDefault("default"), tls.selfSignedDir());
    }

    @Test
    void shouldReadEveryKeyAndResolveFilesAgainstTheFilesDirectory()
    {
        final TlsConfiguration tls = ConfigLoader.parse("""
            listener:
              tls:
                certificates:
                  - hosts: ["*.Example.com", "example.com"]
                    certificate: tls/example.pem
                    key: tls/example.key
                protocols: [TLSv1.3]
                clientCertificate: required
                handshakeTimeout: 3s
                selfSignedDir: state
            """ + HTTPS_QUEUE, SOURCE, Path.of("/etc/sluice")).tls();

        final TlsConfiguration.Certificate certificate = tls.certificates().get(0);
        assertEquals(List.of("*.example.com", "example.com"), certificate.hosts());
        assertEquals(Path.of("/etc/sluice/tls/example.pem"), certificate.certificate());
        assertEquals(Path.of("/etc/sluice/tls/example.key"), certificate.key());
        assertEquals(List.of("TLSv1.3"), tls.protocols());
        assertEquals(TlsConfiguration.ClientCertificate.REQUIRED, tls.clientCertificate());
        assertEquals(3_000, tls.handshakeTimeoutMs());
        assertEquals(Path.of("/etc/sluice/state"), tls.selfSignedDir());
    }

    @Test
    void shouldHaveNoTlsWithoutTheMapping()
    {
        assertNull(ConfigLoader.parse(HTTPS_QUEUE.replace("https", "http"), SOURCE).tls());
    }

    @Test
    void shouldRefuseAnHttpsPrefixWithoutTls()
    {
        assertRejected(
            HTTPS_QUEUE,
            "sluice.yaml: listener.tls: missing: queues[0].prefixes[0] is an https prefix, which needs " +
            "listener.tls.certificates");
    }

    @Test
    void shouldRefuseAPortThatIsBothHttpAndHttps()
    {
        assertRejected(
            SELF_SIGNED + HTTPS_QUEUE.replace("[ \"https://+:8443/app/\" ]",
                "[ \"https://+:8443/app/\", \"http://+:8443/other/\" ]"),
            "sluice.yaml: queues[0].prefixes[1]: port 8443 is https in queues[0].prefixes[0]; a port serves either " +
            "http or https (was 'http://+:8443/other/')");
    }

    @Test
    void shouldRefuseAHostNameClaimedTwice()
    {
        assertRejected(
            """
            listener:
              tls:
                certificates:
                  - hosts: ["*", "a.example.com"]
                    certificate: self-signed
                  - hosts: ["b.example.com", "A.example.com"]
                    certificate: b.pem
                    key: b.key
            """ + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.certificates[1].hosts[1]: is already claimed by " +
            "listener.tls.certificates[0].hosts[1] (was 'A.example.com')");
    }

    @Test
    void shouldRefuseAnUnknownProtocol()
    {
        assertRejected(
            SELF_SIGNED + "    protocols: [TLSv1.3, SSLv3]\n" + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.protocols: must list only TLSv1.3 and TLSv1.2, unknown protocol " +
            "(was 'SSLv3')");
    }

    @Test
    void shouldRefuseAnUnknownClientCertificateMode()
    {
        assertRejected(
            SELF_SIGNED + "    clientCertificate: sometimes\n" + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.clientCertificate: must be one of none, optional, required " +
            "(was 'sometimes')");
    }

    @Test
    void shouldRefuseACertificateFileWithoutKeyAndAKeyWithSelfSigned()
    {
        assertRejected(
            SELF_SIGNED.replace("self-signed", "a.pem") + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.certificates[0].key: missing required key");
        assertRejected(
            SELF_SIGNED + "        key: a.key\n" + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.certificates[0].key: must be left out with certificate: self-signed " +
            "(was 'a.key')");
    }

    @Test
    void shouldRefuseNoCertificateABadHostAndAnUnknownKey()
    {
        assertRejected(
            "listener:\n  tls:\n    certificates: []\n" + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.certificates: must list at least one certificate");
        assertRejected(
            SELF_SIGNED.replace("[\"*\"]", "[\"a..b\"]") + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.certificates[0].hosts[0]: must be a host name, *.domain or \"*\" " +
            "(was 'a..b')");
        assertRejected(
            SELF_SIGNED + "    ciphers: [x]\n" + HTTPS_QUEUE,
            "sluice.yaml: listener.tls.ciphers: unknown key");
    }

    private static void assertRejected(final String yaml, final String message)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));
        assertEquals(message, ex.getMessage());
    }
}
