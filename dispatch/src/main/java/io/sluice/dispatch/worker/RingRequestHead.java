package io.sluice.dispatch.worker;

import io.sluice.dispatch.http.PathNormalizer;
import io.sluice.dispatch.http.TlsInfo;
import io.sluice.dispatch.shm.AsciiCodec;
import io.sluice.dispatch.shm.HeaderCursor;
import io.sluice.dispatch.shm.RequestHeadDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The request side of a {@link SharedMemoryExchange}: a {@code REQUEST_HEAD} record copied out of the request ring
 * when it arrives (so the exchange outlives the ring record), and the request facts read from the copy, the text ones
 * made on first use; each accessor answers as {@link Exchange}'s of the same name. Belongs to the handler's thread, as
 * the exchange's request accessors do. Reusable: {@link #copy} takes the next request, into the same array when it
 * fits, so that a pooled exchange reads its requests without allocating.
 */
final class RingRequestHead
{
    /**
     * Bytes of the copy made up front: a typical request head fits.
     */
    static final int INITIAL_CAPACITY = 512;

    /**
     * Largest copy kept for the next request: a longer head is copied into an array of its own, so that a pooled
     * exchange holds at most this much.
     */
    static final int MAX_RETAINED_CAPACITY = 16 * 1024;

    private final UnsafeBuffer head = new UnsafeBuffer();
    private final RequestHeadDecoder decoder = new RequestHeadDecoder();
    private final HeaderCursor cursor = new HeaderCursor();
    private byte[] copy = new byte[INITIAL_CAPACITY];
    private long contentLength;
    private int inlineBodyOffset;
    private int inlineBodyLength = -1;
    private String method;
    private String target;
    private String path;
    private TlsInfo tls;
    private boolean tlsRead;

    /**
     * Copy a request head out of the ring; what was read from the one before is forgotten.
     *
     * @param buffer holding the record.
     * @param index  of the record in the buffer.
     * @param length of the record.
     * @return this.
     */
    RingRequestHead copy(final DirectBuffer buffer, final int index, final int length)
    {
        byte[] bytes = copy;
        if (length > bytes.length)
        {
            bytes = new byte[length];
            if (length <= MAX_RETAINED_CAPACITY)
            {
                copy = bytes;
            }
        }
        buffer.getBytes(index, bytes, 0, length);
        // the view ends where the record does, as a copy of exactly its length would
        head.wrap(bytes, 0, length);
        decoder.wrap(head, 0);
        contentLength = decoder.contentLength();
        inlineBodyOffset = 0;
        inlineBodyLength = -1;
        if (decoder.hasInlineBody())
        {
            // the body follows the header entries and the listener's fields
            final int bodyOffset = cursor.reset(
                head, decoder.headersOffset(), decoder.headerCount() + decoder.listenerFieldCount(), length).skipAll();
            if (!cursor.isMalformed() && contentLength >= 0 && contentLength <= length - bodyOffset)
            {
                inlineBodyOffset = bodyOffset;
                inlineBodyLength = (int)contentLength;
            }
        }
        method = internMethod(head, decoder.methodOffset(), decoder.methodLength());
        target = null;
        path = null;
        tls = null;
        tlsRead = false;
        return this;
    }

    /**
     * @return true when the head carried the whole body inline ({@link #inlineBodyOffset()}).
     */
    boolean hasInlineBody()
    {
        return inlineBodyLength >= 0;
    }

    /**
     * @return the copy of the record, which holds the inline body.
     */
    DirectBuffer buffer()
    {
        return head;
    }

    /**
     * @return offset of the inline body in {@link #buffer()}.
     */
    int inlineBodyOffset()
    {
        return inlineBodyOffset;
    }

    /**
     * @return length of the inline body, -1 when the head carried none.
     */
    int inlineBodyLength()
    {
        return inlineBodyLength;
    }

    long requestId()
    {
        return decoder.requestId();
    }

    String method()
    {
        return method;
    }

    String target()
    {
        if (null == target)
        {
            target = AsciiCodec.get(head, decoder.targetOffset(), decoder.targetLength());
        }
        return target;
    }

    String path()
    {
        if (null == path)
        {
            path = PathNormalizer.pathOf(target());
        }
        return path;
    }

    String header(final String name)
    {
        cursor.reset(head, decoder.headersOffset(), decoder.headerCount());
        while (cursor.next())
        {
            if (AsciiCodec.equalsIgnoreCase(head, cursor.nameOffset(), cursor.nameLength(), name))
            {
                return AsciiCodec.get(head, cursor.valueOffset(), cursor.valueLength());
            }
        }
        return null;
    }

    int headerCount()
    {
        return decoder.headerCount();
    }

    String headerName(final int index)
    {
        final HeaderCursor cursor = cursorAt(index);
        return AsciiCodec.get(head, cursor.nameOffset(), cursor.nameLength());
    }

    String headerValue(final int index)
    {
        final HeaderCursor cursor = cursorAt(index);
        return AsciiCodec.get(head, cursor.valueOffset(), cursor.valueLength());
    }

    long contentLength()
    {
        return contentLength;
    }

    String remoteAddress()
    {
        return decoder.remoteAddress();
    }

    /**
     * @return the TLS facts from the listener's fields after the header entries, or null for a cleartext request.
     */
    TlsInfo tls()
    {
        if (!tlsRead)
        {
            tlsRead = true;
            final int listenerFields = decoder.listenerFieldCount();
            if (listenerFields > 0)
            {
                tls = readTls(decoder.headerCount(), listenerFields);
            }
        }
        return tls;
    }

    private TlsInfo readTls(final int headerCount, final int listenerFields)
    {
        String protocol = null;
        String cipher = null;
        String serverName = null;
        String certificate = null;
        cursor.reset(head, decoder.headersOffset(), headerCount + listenerFields, head.capacity());
        for (int i = 0; cursor.next(); i++)
        {
            if (i < headerCount)
            {
                continue;
            }
            final String value = AsciiCodec.get(head, cursor.valueOffset(), cursor.valueLength());
            if (AsciiCodec.equalsIgnoreCase(head, cursor.nameOffset(), cursor.nameLength(), TlsInfo.PROTOCOL_FIELD))
            {
                protocol = value;
            }
            else if (AsciiCodec.equalsIgnoreCase(head, cursor.nameOffset(), cursor.nameLength(), TlsInfo.CIPHER_FIELD))
            {
                cipher = value;
            }
            else if (AsciiCodec.equalsIgnoreCase(
                head, cursor.nameOffset(), cursor.nameLength(), TlsInfo.SERVER_NAME_FIELD))
            {
                serverName = value;
            }
            else if (AsciiCodec.equalsIgnoreCase(
                head, cursor.nameOffset(), cursor.nameLength(), TlsInfo.CLIENT_CERT_FIELD))
            {
                certificate = value;
            }
        }
        return TlsInfo.fromFields(protocol, cipher, serverName, certificate);
    }

    private HeaderCursor cursorAt(final int index)
    {
        if (index < 0 || index >= decoder.headerCount())
        {
            throw new IndexOutOfBoundsException("header index: index=" + index + ", count=" + decoder.headerCount());
        }
        cursor.reset(head, decoder.headersOffset(), decoder.headerCount());
        for (int i = 0; i <= index; i++)
        {
            cursor.next();
        }
        return cursor;
    }

    private static String internMethod(final DirectBuffer buffer, final int offset, final int length)
    {
        if (AsciiCodec.equals(buffer, offset, length, "GET"))
        {
            return "GET";
        }
        if (AsciiCodec.equals(buffer, offset, length, "POST"))
        {
            return "POST";
        }
        if (AsciiCodec.equals(buffer, offset, length, "HEAD"))
        {
            return "HEAD";
        }
        if (AsciiCodec.equals(buffer, offset, length, "PUT"))
        {
            return "PUT";
        }
        return AsciiCodec.get(buffer, offset, length);
    }
}
