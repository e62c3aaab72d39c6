package io.sluice.listener.tls;

import io.sluice.listener.config.StartupException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The certificate of {@code certificate: self-signed}: created on a listener's first start, kept in
 * {@code listener.tls.selfSignedDir} as {@value #CERTIFICATE_FILE_NAME} and {@value #KEY_FILE_NAME}, and reused by
 * later starts until it expires. An EC P-256 key (mode 0600) and a certificate for {@code localhost},
 * {@code 127.0.0.1}, {@code ::1} and the host names of the entry, valid {@value #VALIDITY_DAYS} days.
 * <p>
 * The directory is created mode 0700 and must be a directory of the listener's user, not a link; the files are
 * written to fresh names (never through an existing file or link) and renamed into place, so a crash leaves no half
 * key; an existing key must be a regular file of the listener's user that no other user can read. Stateless.
 */
public final class SelfSignedFiles
{
    /**
     * File name of the certificate in the directory.
     */
    public static final String CERTIFICATE_FILE_NAME = "self-signed.crt";

    /**
     * File name of the key in the directory.
     */
    public static final String KEY_FILE_NAME = "self-signed.key";

    /**
     * Days a created certificate is valid.
     */
    public static final int VALIDITY_DAYS = 365;

    private static final Logger LOG = Logger.getLogger(SelfSignedFiles.class.getName());
    private static final int LINE_LENGTH = 64;
    private static final int SERIAL_BITS = 64;
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SelfSignedFiles()
    {
    }

    /**
     * Make sure the directory holds a valid self-signed certificate and its key, creating them when missing or
     * expired.
     *
     * @param directory the directory ({@code listener.tls.selfSignedDir}).
     * @param hosts     host names to add to the certificate besides {@code localhost} and the loopback addresses.
     * @param key       key path named by a failure, {@code listener.tls.selfSignedDir}.
     * @return the paths of the certificate and the key.
     * @throws StartupException when the directory or the files cannot be used.
     */
    public static Path[] ensure(final Path directory, final List<String> hosts, final String key)
    {
        try
        {
            checkDirectory(directory, key);
            final Path certificate = directory.resolve(CERTIFICATE_FILE_NAME);
            final Path privateKey = directory.resolve(KEY_FILE_NAME);
            if (isUsable(certificate, privateKey, key))
            {
                return new Path[]{certificate, privateKey};
            }
            final long startNs = System.nanoTime();
            create(certificate, privateKey, hosts);
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            LOG.info(() -> "created a self-signed certificate in " + directory + " (" + tookMs + " ms)");
            return new Path[]{certificate, privateKey};
        }
        catch (final IOException ex)
        {
            throw new StartupException(key, "cannot use " + directory + ": " + PemFiles.oneLine(ex), ex);
        }
    }

    private static void checkDirectory(final Path directory, final String key) throws IOException
    {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
        {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        }
        final PosixFileAttributes attributes =
            Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory())
        {
            throw new StartupException(key, directory + " is not a directory (a link is not followed)");
        }
        checkOwner(directory, attributes, key);
        if (!attributes.permissions().equals(DIRECTORY_MODE))
        {
            Files.setPosixFilePermissions(directory, DIRECTORY_MODE);
        }
    }

    private static boolean isUsable(final Path certificate, final Path privateKey, final String key)
        throws IOException
    {
        if (!Files.exists(privateKey, LinkOption.NOFOLLOW_LINKS) ||
            !Files.exists(certificate, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        for (final Path file : new Path[]{certificate, privateKey})
        {
            final PosixFileAttributes attributes =
                Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile())
            {
                throw new StartupException(key, file + " is not a regular file (a link is not followed)");
            }
            checkOwner(file, attributes, key);
        }
        final Set<PosixFilePermission> keyMode = Files.getPosixFilePermissions(privateKey, LinkOption.NOFOLLOW_LINKS);
        if (keyMode.stream().anyMatch(OTHERS::contains))
        {
            throw new StartupException(key, privateKey + " can be used by other users (mode " +
                PosixFilePermissions.toString(keyMode) + "); it must be 0600");
        }
        final X509Certificate[] chain = PemFiles.readChain(certificate, key);
        if (chain[0].getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(1))))
        {
            LOG.info(() -> "the self-signed certificate " + certificate + " expires; creating a new one");
            return false;
        }
        PemFiles.checkMatch(PemFiles.readKey(privateKey, key), chain[0], key);
        return true;
    }

    private static void checkOwner(final Path file, final PosixFileAttributes attributes, final String key)
    {
        final String user = System.getProperty("user.name");
        if (!attributes.owner().getName().equals(user))
        {
            throw new StartupException(key, file + " belongs to " + attributes.owner().getName() + ", not to " + user);
        }
    }

    private static void create(final Path certificate, final Path privateKey, final List<String> hosts)
        throws IOException
    {
        final KeyPair pair;
        final X509Certificate issued;
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            pair = generator.generateKeyPair();
            final Instant now = Instant.now();
            final X500Name name = new X500Name("CN=localhost, O=Sluice self-signed");
            final List<GeneralName> altNames = new ArrayList<>();
            altNames.add(new GeneralName(GeneralName.dNSName, "localhost"));
            altNames.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            altNames.add(new GeneralName(GeneralName.iPAddress, "::1"));
            for (final String host : hosts)
            {
                if (!"*".equals(host) && !"localhost".equals(host))
                {
                    altNames.add(new GeneralName(GeneralName.dNSName, host));
                }
            }
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                new BigInteger(SERIAL_BITS, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(VALIDITY_DAYS))),
                name,
                pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                Extension.subjectAlternativeName, false, new GeneralNames(altNames.toArray(new GeneralName[0])));
            issued = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        }
        catch (final GeneralSecurityException | OperatorCreationException ex)
        {
            throw new IOException("cannot create a self-signed certificate: " + ex.getMessage(), ex);
        }
        // the key first: a certificate never stands without its key
        writeAtomically(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try
        {
            writeAtomically(certificate, pem("CERTIFICATE", issued.getEncoded()));
        }
        catch (final java.security.cert.CertificateEncodingException ex)
        {
            throw new IOException("cannot encode the certificate: " + ex.getMessage(), ex);
        }
    }

    private static void writeAtomically(final Path file, final byte[] bytes) throws IOException
    {
        final Path temporary = file.resolveSibling(
            file.getFileName() + ".tmp-" + Long.toHexString(new SecureRandom().nextLong()));
        try
        {
            try (SeekableByteChannel channel = Files.newByteChannel(
                temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(FILE_MODE)))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IOException("a file appeared at " + temporary + " while it was being created", ex);
        }
        finally
        {
            Files.deleteIfExists(temporary);
        }
    }

    private static byte[] pem(final String type, final byte[] der)
    {
        final String base64 = Base64.getMimeEncoder(LINE_LENGTH, new byte[]{'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n")
            .getBytes(StandardCharsets.US_ASCII);
    }
}
