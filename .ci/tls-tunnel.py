#!/usr/bin/env python3
"""tls-tunnel.py LISTEN_PORT TARGET_PORT: accept cleartext connections on 127.0.0.1:LISTEN_PORT and relay each,
byte for byte, over its own TLS connection (no certificate check, no SNI, ALPN http/1.1) to 127.0.0.1:TARGET_PORT.

Lets a cleartext-only client (the conformance corpus's run.py) put its exact request bytes through Sluice's TLS
front. What it cannot carry: a client's half-close (the TLS side keeps its write side open until the server closes
or the client's side is gone), and TCP segmentation (the bytes arrive in TLS records of the tunnel's reads). Standard
library only."""
import socket, ssl, sys, threading

def pipe(src, dst, on_eof):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    on_eof()

def serve(client, target_port, context):
    try:
        raw = socket.create_connection(('127.0.0.1', target_port), timeout=30)
        tls = context.wrap_socket(raw)
        tls.settimeout(None)
    except OSError:
        client.close()
        return
    def close_both():
        for s in (tls, client):
            try:
                s.close()
            except OSError:
                pass
    threading.Thread(target=pipe, args=(client, tls, lambda: None), daemon=True).start()
    pipe(tls, client, close_both)

def main():
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(['http/1.1'])
    server = socket.create_server(('127.0.0.1', listen_port))
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, target_port, context), daemon=True).start()

if __name__ == '__main__':
    main()
