package io.sluice.listener;

import io.sluice.listener.config.ConfigException;
import io.sluice.listener.config.ConfigLoader;
import io.sluice.listener.config.StartupException;
import io.sluice.listener.tls.PemFiles;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code listener.tls.clientCertificateCa}: over real TLS connections, with either engine, a required client
 * certificate must chain to one of its CAs or the handshake fails; an optional one that does not is not passed on to
 * the handler (the request is still answered); one that does is passed on. A file that cannot be read or holds no
 * certificate, and the key set with {@code clientCertificate: none}, each name the key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCertificateCaTest
{
    private static final String KEY = "listener.tls.clientCertificateCa";
    private static final Duration VALIDITY = Duration.ofDays(2);

    @TempDir
    Path tempDir;

    private Path[] server;
    private Path caFile;
    private Path[] issued;
    private Path[] selfSigned;
    private int port;

    @BeforeEach
    void makeCertificates() throws Exception
    {
        server = TlsClients.certificateFiles(tempDir.resolve("server"), "server.test");
        selfSigned = TlsClients.certificateFiles(tempDir.resolve("self"), "client.test");
        final KeyPair caKeys = keyPair();
        final X500Name caName = new X500Name("CN=Test client CA");
        final X509Certificate ca = certificate(caName, caKeys, caName, caKeys, true);
        caFile = tempDir.resolve("ca.pem");
        Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
        final KeyPair clientKeys = keyPair();
        final X509Certificate client = certificate(new X500Name("CN=client"), clientKeys, caName, caKeys, false);
        issued = new Path[]{tempDir.resolve("client.pem"), tempDir.resolve("client.key")};
        Files.writeString(issued[0], pem("CERTIFICATE", client.getEncoded()));
        Files.writeString(issued[1], pem("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void shouldPassOnARequiredCertificateTheCaIssuedAndRefuseASelfSignedOne(final String engine) throws Exception
    {
        final Listener listener = start("required", caFile, engine);
        try
        {
            assertEquals(encoded(issued), clientCert(issued));
            // TLS 1.3: the refusal comes as an alert where the answer would
            assertThrows(IOException.class, () -> clientCert(selfSigned));
            assertThrows(IOException.class, () -> clientCert(null));
        }
        finally
        {
            listener.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void shouldAnswerAnOptionalCertificateThatDoesNotVerifyWithoutPassingItOn(final String engine) throws Exception
    {
        final Listener listener = start("optional", caFile, engine);
        try
        {
            assertEquals("-", clientCert(selfSigned));
            assertEquals(encoded(issued), clientCert(issued));
            assertEquals("-", clientCert(null));
        }
        finally
        {
            listener.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void shouldNotPassOnAnUnverifiedCertificateOnAResumedSession(final String engine) throws Exception
    {
        final Listener listener = start("optional", caFile, engine);
        try
        {
            final javax.net.ssl.SSLContext context = TlsClients.context(selfSigned);
            for (int i = 0; i < 3; i++)
            {
                try (RawHttpClient client = new RawHttpClient(TlsClients.connect(context, port, null)))
                {
                    final RawHttpClient.Response response = client.send(RawHttpClient.get("/tls", port));
                    assertEquals(200, response.status(), response::toString);
                    assertTrue(response.bodyText().contains("\nclient-cert: -\n"), i + " " + response.bodyText());
                }
            }
        }
        finally
        {
            listener.close();
        }
    }

    @Test
    void shouldPassOnAnyCertificateWithoutACa() throws Exception
    {
        final Listener listener = start("optional", null, "jdk");
        try
        {
            assertEquals(encoded(selfSigned), clientCert(selfSigned));
        }
        finally
        {
            listener.close();
        }
    }

    @Test
    void shouldNameTheKeyWhenTheFileIsMissing()
    {
        final StartupException ex = assertThrows(
            StartupException.class, () -> start("required", tempDir.resolve("missing.pem"), "jdk").close());
        assertEquals(KEY, ex.key());
    }

    @Test
    void shouldNameTheKeyWhenTheFileHoldsNoCertificate() throws IOException
    {
        final Path empty = Files.writeString(tempDir.resolve("empty.pem"), "not a certificate\n");
        final StartupException ex = assertThrows(
            StartupException.class, () -> start("optional", empty, "jdk").close());
        assertEquals(KEY, ex.key());
    }

    @Test
    void shouldNameTheKeyWhenClientCertificatesAreNotAskedFor()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> start("none", caFile, "jdk").close());
        assertTrue(ex.getMessage().contains(KEY), ex.getMessage());
    }

    private String clientCert(final Path[] files) throws Exception
    {
        try (RawHttpClient client = new RawHttpClient(TlsClients.connect(port, null, files)))
        {
            final RawHttpClient.Response response = client.send(RawHttpClient.get("/tls", port));
            assertEquals(200, response.status(), response::toString);
            for (final String line : response.bodyText().split("\n"))
            {
                if (line.startsWith("client-cert: "))
                {
                    return line.substring("client-cert: ".length());
                }
            }
            throw new AssertionError(response.bodyText());
        }
    }

    private Listener start(final String mode, final Path ca, final String engine)
    {
        port = TestListener.freePort();
        final String yaml = "listener:\n  id: ca-" + Long.toHexString(System.nanoTime()) + "\n" +
            "  tls:\n    certificates:\n      - hosts: [\"*\"]\n        certificate: " + server[0] + "\n" +
            "        key: " + server[1] + "\n    engine: " + engine + "\n    clientCertificate: " + mode + "\n" +
            (null == ca ? "" : "    clientCertificateCa: " + ca + "\n") +
            "queues:\n  - name: app\n    prefixes: [ \"https://+:" + port + "/\" ]\n    hosting: in-process\n" +
            "    handler: " + TlsFactsHandler.class.getName() + "\n";
        return new Listener(ConfigLoader.parse(yaml, "sluice.yaml")).start();
    }

    private static String encoded(final Path[] files) throws Exception
    {
        return Base64.getEncoder().encodeToString(PemFiles.readChain(files[0], "test")[0].getEncoded());
    }

    private static KeyPair keyPair() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(
        final X500Name subject,
        final KeyPair subjectKeys,
        final X500Name issuer,
        final KeyPair issuerKeys,
        final boolean authority) throws Exception
    {
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            issuer, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(VALIDITY)),
            Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (authority)
        {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        }
        final PrivateKey signer = issuerKeys.getPrivate();
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }
}
