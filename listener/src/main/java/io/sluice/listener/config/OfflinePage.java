package io.sluice.listener.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a queue taken offline answers, with status 503 (as IIS's {@code app_offline.htm}): the queue's
 * {@code offlineBody} text, or the content of its {@code offlineBodyFile}; null in a {@link QueueConfiguration} for
 * the listener's short text.
 *
 * @param contentType the answer's content type: {@code text/html; charset=utf-8} for a file named {@code .htm} or
 *                    {@code .html} or a text starting with {@code <}, else {@code text/plain; charset=utf-8}.
 * @param body        the answer's body; not changed.
 */
public record OfflinePage(String contentType, byte[] body)
{
    /**
     * Largest offline page: {@value} bytes.
     */
    public static final int MAX_LENGTH = 1024 * 1024;

    /**
     * The content type of an HTML page: {@value}.
     */
    public static final String TEXT_HTML = "text/html; charset=utf-8";

    /**
     * The content type of a text page: {@value}.
     */
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    /**
     * @param text the page as written in the configuration.
     * @return the page: HTML when the text starts with {@code <}.
     */
    static OfflinePage ofText(final String text)
    {
        return new OfflinePage(
            text.stripLeading().startsWith("<") ? TEXT_HTML : TEXT_PLAIN, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param file a page file.
     * @return the page, read now.
     * @throws IOException when the file cannot be read.
     * @throws IllegalArgumentException when it is larger than {@link #MAX_LENGTH}.
     */
    static OfflinePage ofFile(final Path file) throws IOException
    {
        final long size = Files.size(file);
        if (size > MAX_LENGTH)
        {
            throw new IllegalArgumentException("is " + size + " bytes, more than " + MAX_LENGTH);
        }
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final boolean html = name.endsWith(".htm") || name.endsWith(".html");
        return new OfflinePage(html ? TEXT_HTML : TEXT_PLAIN, Files.readAllBytes(file));
    }
}
