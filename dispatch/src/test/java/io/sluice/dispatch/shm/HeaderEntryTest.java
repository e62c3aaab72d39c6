package io.sluice.dispatch.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderEntryTest
{
    @Test
    void writesEntriesTheHeaderCursorReadsBack()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int first = MessageDescriptor.putHeaderEntry(buffer, 3, "host", "a.example");
        assertEquals(MessageDescriptor.headerEntryLength(4, 9), first);
        final int second = MessageDescriptor.putHeaderEntry(buffer, 3 + first, "x-empty", "");
        assertEquals(MessageDescriptor.headerEntryLength(7, 0), second);

        final HeaderCursor cursor = new HeaderCursor().reset(buffer, 3, 2, 3 + first + second);
        assertTrue(cursor.next());
        assertEquals("host", buffer.getStringWithoutLengthAscii(cursor.nameOffset(), cursor.nameLength()));
        assertEquals("a.example", buffer.getStringWithoutLengthAscii(cursor.valueOffset(), cursor.valueLength()));
        assertTrue(cursor.next());
        assertEquals("x-empty", buffer.getStringWithoutLengthAscii(cursor.nameOffset(), cursor.nameLength()));
        assertEquals(0, cursor.valueLength());
        assertFalse(cursor.next());
        assertFalse(cursor.isMalformed());
        assertEquals(3 + first + second, cursor.end());
    }
}
