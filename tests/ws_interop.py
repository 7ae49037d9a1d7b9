#!/usr/bin/python3
"""ws_echo interop with a WebSocket implementation iobench did not write:
Debian's python3-websockets (10.4, asyncio API).

  ws_interop.py IOBENCH serve BACKEND  -- a websockets client against `iobench serve --workload ws_echo`:
                                          text, binary and a 1 MiB fragmented message, byte-exact
  ws_interop.py IOBENCH load  OUT.json -- `iobench load --workload ws_echo` against a websockets echo server

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
except ImportError:
    print("SKIP: python3-websockets is not installed (apt-get install python3-websockets)")
    sys.exit(77)


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


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("serve", "load"):
        print(__doc__)
        return 2
    iobench, mode, arg = sys.argv[1:]
    coro = serve_check(iobench, arg) if mode == "serve" else load_check(iobench, arg)
    try:
        asyncio.run(asyncio.wait_for(coro, 60))
    except (AssertionError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
