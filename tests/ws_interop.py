#!/usr/bin/python3
"""ws_echo interop with a WebSocket implementation iobench did not write:
Debian's python3-websockets (10.4, asyncio API).

  ws_interop.py IOBENCH serve BACKEND  -- a websockets client against `iobench serve --workload ws_echo`:
                                          text, binary and a 1 MiB fragmented message, byte-exact
  ws_interop.py IOBENCH load  OUT.json -- `iobench load --workload ws_echo` against a websockets echo server
  ws_interop.py IOBENCH bad   BACKEND  -- raw-socket bad clients against `iobench serve` while `iobench load`
                                          runs: each gets its close code (or 400), the load sees no error

Exit 0 pass, 1 fail, 77 skip (python3-websockets missing). Every step is bounded in time.
"""
import asyncio
import json
import os
import socket
import subprocess
import sys

try:
    import websockets
    import websockets.exceptions
except ImportError:
    websockets = None  # only the serve and load modes need it


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pattern(n, seed):
    return bytes((i * 131 + seed * 7 + (i >> 9)) & 0xFF for i in range(n))


async def wait_listening(port, proc, seconds=10):
    for _ in range(seconds * 20):
        if proc.poll() is not None:
            raise SystemExit(f"FAIL: iobench serve exited early ({proc.returncode}): {proc.stderr.read()}")
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise SystemExit("FAIL: iobench serve did not listen within 10 s")


async def serve_check(iobench, backend):
    port = free_port()
    proc = subprocess.Popen([iobench, "serve", "--quiet", "--workload", "ws_echo", "--backend", backend,
                             "--listen", f"127.0.0.1:{port}", "--runtime", "20s"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        await wait_listening(port, proc)
        async with websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None, compression=None,
                                      open_timeout=5, close_timeout=5) as ws:
            text = "héllo, wörld ✓ " * 20
            await ws.send(text)
            got = await asyncio.wait_for(ws.recv(), 5)
            assert got == text, f"text echo differs: {got[:40]!r}"
            binary = pattern(70000, 1)  # a 64-bit length, larger than the server's output buffer
            await ws.send(binary)
            got = await asyncio.wait_for(ws.recv(), 5)
            assert isinstance(got, bytes) and got == binary, "binary echo differs"
            big = pattern(1 << 20, 2)  # 1 MiB as 16 fragments (websockets sends an iterable as one fragmented message)
            await ws.send([big[i:i + 65536] for i in range(0, len(big), 65536)])
            got = await asyncio.wait_for(ws.recv(), 10)
            assert isinstance(got, bytes) and len(got) == len(big), f"fragmented echo: {len(got)} bytes"
            if got != big:
                off = next(i for i in range(len(big)) if got[i] != big[i])
                raise AssertionError(f"fragmented echo differs at byte {off}")
            pong = await ws.ping(b"iobench")
            await asyncio.wait_for(pong, 5)
        assert ws.close_code == 1000, f"close code {ws.close_code}"
        print(f"ok: {backend}: text, binary 70000 B, 1 MiB in 16 fragments byte-exact, ping/pong, close 1000")
    finally:
        proc.send_signal(2)  # SIGINT: serve stops and writes its result
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit("FAIL: iobench serve did not stop within 10 s of SIGINT")
    if proc.returncode != 0:
        raise SystemExit(f"FAIL: iobench serve exited {proc.returncode}: {proc.stderr.read()}")


async def load_check(iobench, out):
    async def echo(ws, path=None):
        try:
            async for m in ws:
                await ws.send(m)
        except websockets.exceptions.ConnectionClosed:
            pass  # iobench load ends its connections at the deadline without a closing handshake

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    async with websockets.serve(echo, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        p = await asyncio.create_subprocess_exec(
            iobench, "load", "--quiet", "--workload", "ws_echo", "--target", f"127.0.0.1:{port}",
            "--connections", "4", "--msg-size", "300", "--runtime", "1s", "--ramp", "200ms", "-o", out,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        so, se = await asyncio.wait_for(p.communicate(), 30)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: iobench load exited {p.returncode}: {so.decode()} {se.decode()}")
    res = json.load(open(out))["results"][0]
    assert res["workload"] == "ws_echo", res["workload"]
    assert res["status"] in ("ok", "suspect"), f'{res["status"]}: {res.get("reason")}'
    assert res["ops"] > 0 and res["errors"] == 0, f'ops {res["ops"]} errors {res["errors"]}'
    print(f'ok: iobench load against python3-websockets {websockets.__version__}: {res["ops"]} messages verified')


UPGRADE = (b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


async def bad_client(port, handshake, payload):
    """Sends `payload` (after the Upgrade when `handshake`); returns everything the server sent until it hung up."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    if handshake:
        w.write(UPGRADE)
        head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 "), head
    w.write(payload)
    got = await asyncio.wait_for(r.read(), 5)  # to EOF: the server must close
    w.close()
    return got


async def bad_check(iobench, backend):
    port = free_port()
    proc = subprocess.Popen([iobench, "serve", "--quiet", "--workload", "ws_echo", "--backend", backend,
                             "--listen", f"127.0.0.1:{port}", "--runtime", "20s", "-o", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        await wait_listening(port, proc)
        load = await asyncio.create_subprocess_exec(
            iobench, "load", "--quiet", "--workload", "ws_echo", "--target", f"127.0.0.1:{port}",
            "--connections", "8", "--runtime", "1500ms", "--ramp", "0", "-o", "-",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        await asyncio.sleep(0.3)  # the load is running
        cases = [
            ("malformed handshake", False, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"HTTP/1.1 400 "),
            ("unmasked client frame", True, b"\x82\x03abc", b"\x88\x02\x03\xea"),
            ("bad opcode", True, b"\x83\x80\x01\x02\x03\x04", b"\x88\x02\x03\xea"),
            ("oversize frame", True, b"\x82\xff\x00\x00\x00\x00\x10\x00\x00\x00\x01\x02\x03\x04", b"\x88\x02\x03\xf1"),
            ("text not UTF-8 (overlong C0 80, zero mask)", True, b"\x81\x82\x00\x00\x00\x00\xc0\x80", b"\x88\x02\x03\xef"),
        ]
        for name, hs, payload, want in cases:
            got = await bad_client(port, hs, payload)
            assert got.startswith(want), f"{name}: got {got[:40]!r}, want {want!r}"
        so, se = await asyncio.wait_for(load.communicate(), 30)
        assert load.returncode == 0, f"load exited {load.returncode}: {se.decode()}"
        res = json.loads(so)["results"][0]
        assert res["status"] in ("ok", "suspect") and res["ops"] > 0 and res["errors"] == 0, \
            f'load: {res["status"]} ops {res["ops"]} errors {res["errors"]}'
        assert res["network"]["live_connections"] == 8, res["network"]["live_connections"]
        print(f'ok: {backend}: 400, 1002, 1002, 1009, 1007 to the bad clients; the load verified {res["ops"]} messages '
              f'on 8 connections with no error')
    finally:
        proc.send_signal(2)
        try:
            so, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit("FAIL: iobench serve did not stop within 10 s of SIGINT")
    assert proc.returncode == 0, f"serve exited {proc.returncode}"
    srv = json.loads(so)["results"][0]["network"]["server"]
    # The 5 bad clients, plus any of the load's 8 connections reset when it shuts them at its deadline
    # (echo counts those the same way).
    assert 5 <= srv["errors"] <= 13, f'server errors {srv["errors"]} (want the 5 bad clients, + at most 8 resets)'


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("serve", "load", "bad"):
        print(__doc__)
        return 2
    iobench, mode, arg = sys.argv[1:]
    if mode != "bad" and websockets is None:
        print("SKIP: python3-websockets is not installed (apt-get install python3-websockets)")
        return 77
    coro = {"serve": serve_check, "load": load_check, "bad": bad_check}[mode](iobench, arg)
    errors = (AssertionError, asyncio.TimeoutError) + ((websockets.exceptions.WebSocketException,) if websockets else ())
    try:
        asyncio.run(asyncio.wait_for(coro, 60))
    except errors as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
