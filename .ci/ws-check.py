#!/usr/bin/python3
"""ws-check.py URL...: a second, independent WebSocket client (Python `websockets`, Debian's python3-websockets)
against the sample handler's echo at each URL (e.g. ws://127.0.0.1:8080/shm/ws): text and binary echo of 0 B,
125 B, 64 KiB and 16 MiB, a ping answered by a pong, 64 concurrent connections x 100 messages each matched, and the
close handshake from the client (1000 echoed back). One line per check ("ok ..." or "FAIL ..."), then
"ws-check: N passed, M failed"; exit 1 on any failure, and exit 2 (never a pass) when the module is missing."""
import asyncio
import os
import sys

try:
    import websockets
except ImportError:
    print("FAIL ws-check: the Python module websockets is missing (apt-get install python3-websockets)")
    sys.exit(2)

SIZES = (0, 125, 64 * 1024, 16 * 1024 * 1024)
CONNECTIONS = 64
MESSAGES = 100
TIMEOUT_S = 60


async def step(name, awaitable):
    try:
        return await asyncio.wait_for(awaitable, TIMEOUT_S)
    except asyncio.TimeoutError:
        raise TimeoutError("%s: nothing within %d s" % (name, TIMEOUT_S)) from None
    except websockets.ConnectionClosed as ex:
        raise ConnectionError("%s: the connection closed (%s)" % (name, ex)) from None


async def echo(url):
    ws = await step("upgrade", websockets.connect(url, max_size=None, compression=None))
    try:
        for size in SIZES:
            text = "".join(chr(ord("a") + i % 26) for i in range(size))
            await step("sending %d B of text" % size, ws.send(text))
            answer = await step("the echo of %d B of text" % size, ws.recv())
            if answer != text:
                return "text echo of %d bytes differs (%s, %d)" % (size, type(answer).__name__, len(answer))
            data = os.urandom(size)
            await step("sending %d B of binary" % size, ws.send(data))
            answer = await step("the echo of %d B of binary" % size, ws.recv())
            if answer != data:
                return "binary echo of %d bytes differs (%s, %d)" % (size, type(answer).__name__, len(answer))
        pong = await step("sending a ping", ws.ping(b"sluice"))
        await step("the pong", pong)
        await step("the close handshake", ws.close(1000, "done"))
        if ws.close_code != 1000:
            return "close answered with %s" % ws.close_code
    finally:
        await ws.close()
    return None


async def one_of_many(url, index):
    ws = await step("upgrade %d" % index, websockets.connect(url, compression=None))
    try:
        for m in range(MESSAGES):
            message = "c%d-m%d" % (index, m)
            await step("sending %s" % message, ws.send(message))
            answer = await step("the echo of %s" % message, ws.recv())
            if answer != message:
                return "connection %d: %r echoed as %r" % (index, message, answer)
    finally:
        await ws.close()
    return None


async def concurrent(url):
    results = await asyncio.gather(*(one_of_many(url, i) for i in range(CONNECTIONS)), return_exceptions=True)
    failures = [str(r) for r in results if r is not None]
    return None if not failures else "%d of %d connections failed, first: %s" % (
        len(failures), CONNECTIONS, failures[0])


async def main(urls):
    passed = failed = 0
    for url in urls:
        for name, check in (("echo 0 B..16 MiB, ping, close", echo),
                            ("%d connections x %d messages" % (CONNECTIONS, MESSAGES), concurrent)):
            try:
                problem = await check(url)
            except Exception as ex:  # any failure of the client or the server is a failed check
                problem = "%s: %s" % (type(ex).__name__, ex)
            if problem is None:
                passed += 1
                print("ok   %s %s" % (url, name))
            else:
                failed += 1
                print("FAIL %s %s: %s" % (url, name, problem))
    print("ws-check: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1:])))
