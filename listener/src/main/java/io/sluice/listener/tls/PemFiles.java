package io.sluice.listener.tls;

import io.sluice.listener.config.StartupException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Reads a certificate chain and its private key from PEM files, and checks that they belong together. Every failure
 * is a {@link StartupException} naming the key of the file at fault. Stateless.
 */
public final class PemFiles
{
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};
    private static final int PROOF_LENGTH = 32;

    private PemFiles()
    {
    }

    /**
     * @param file PEM file of one or more certificates, the server's first.
     * @param key  key path named by a failure, e.g. {@code listener.tls.certificates[0].certificate}.
     * @return the chain, in file order.
     * @throws StartupException when the file cannot be read or holds no certificate.
     */
    public static X509Certificate[] readChain(final Path file, final String key)
    {
        final byte[] bytes = read(file, key);
        final Collection<? extends java.security.cert.Certificate> read;
        try (InputStream in = new java.io.ByteArrayInputStream(bytes))
        {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        catch (final CertificateException | IOException ex)
        {
            throw new StartupException(key, file + " is not a PEM certificate chain: " + oneLine(ex), ex);
        }
        final List<X509Certificate> chain = new ArrayList<>(read.size());
        for (final java.security.cert.Certificate certificate : read)
        {
            chain.add((X509Certificate)certificate);
        }
        if (chain.isEmpty())
        {
            throw new StartupException(key, file + " holds no certificate");
        }
        return chain.toArray(new X509Certificate[0]);
    }

    /**
     * @param file PEM file of a PKCS#8 private key ({@code BEGIN PRIVATE KEY}), not encrypted.
     * @param key  key path named by a failure, e.g. {@code listener.tls.certificates[0].key}.
     * @return the key.
     * @throws StartupException when the file cannot be read or is not such a key.
     */
    public static PrivateKey readKey(final Path file, final String key)
    {
        final String text = new String(read(file, key), StandardCharsets.US_ASCII);
        final int begin = text.indexOf(KEY_BEGIN);
        final int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin)
        {
            throw new StartupException(key, file + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----; " +
                "convert others with: openssl pkcs8 -topk8 -nocrypt)");
        }
        final byte[] der;
        try
        {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new StartupException(key, file + " is not a PEM PKCS#8 private key: bad base64", ex);
        }
        for (final String algorithm : KEY_ALGORITHMS)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
            catch (final InvalidKeySpecException | java.security.NoSuchAlgorithmException ignore)
            {
                // try the next algorithm
            }
        }
        throw new StartupException(key, file + " is not a PKCS#8 RSA, EC or EdDSA private key");
    }

    /**
     * Check that a key is the private half of a certificate's public key, by signing fresh random bytes with it and
     * verifying them with the certificate.
     *
     * @param privateKey  the key.
     * @param certificate the server's certificate.
     * @param key         key path named by a failure.
     * @throws StartupException when they do not match.
     */
    public static void checkMatch(final PrivateKey privateKey, final X509Certificate certificate, final String key)
    {
        final PublicKey publicKey = certificate.getPublicKey();
        final String signatureAlgorithm = signatureAlgorithm(privateKey.getAlgorithm());
        boolean matches;
        try
        {
            final byte[] proof = new byte[PROOF_LENGTH];
            new SecureRandom().nextBytes(proof);
            final Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(privateKey);
            signer.update(proof);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(proof);
            matches = verifier.verify(signature);
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            matches = false;
        }
        if (!matches)
        {
            throw new StartupException(key, "does not match its certificate's public key (" +
                publicKey.getAlgorithm() + ", " + certificate.getSubjectX500Principal().getName() + ")");
        }
    }

    private static String signatureAlgorithm(final String keyAlgorithm)
    {
        switch (keyAlgorithm)
        {
            case "EC":
                return "SHA256withECDSA";
            case "RSASSA-PSS":
                return "RSASSA-PSS";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return keyAlgorithm;
            default:
                return "SHA256withRSA";
        }
    }

    private static byte[] read(final Path file, final String key)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new StartupException(key, "file not found: " + file, ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new StartupException(key, "permission denied: " + file, ex);
        }
        catch (final IOException ex)
        {
            throw new StartupException(key, "cannot read " + file + ": " + oneLine(ex), ex);
        }
    }

    static String oneLine(final Exception ex)
    {
        final String message = null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
