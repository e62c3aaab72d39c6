package io.sluice.listener;

import org.junit.jupiter.api.Test;

import java.net.BindException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BindFailuresTest
{
    @Test
    void bindProblemDropsNettysPreamble()
    {
        assertEquals("Address already in use", BindFailures.bindProblem(
            new BindException("bind(..) failed with error(-98): Address already in use")));
    }

    @Test
    void bindProblemKeepsOtherMessagesAndNamesACauseWithout()
    {
        assertEquals("Permission denied", BindFailures.bindProblem(new BindException("Permission denied")));
        assertEquals("BindException", BindFailures.bindProblem(new BindException()));
    }

    @Test
    void localAddresses()
    {
        assertTrue(BindFailures.isLocalAddress("127.0.0.1"));
        assertTrue(BindFailures.isLocalAddress("0.0.0.0"));
        assertFalse(BindFailures.isLocalAddress("192.0.2.1"));
        assertFalse(BindFailures.isLocalAddress("no-such-host.invalid"));
    }
}
