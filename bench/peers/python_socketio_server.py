#!/usr/bin/python3
"""The bench server contract on python-socketio + aiohttp (Debian packages): "echo" is
emitted back to the sender with the same argument, "bcast" to every socket of "/"."""
import argparse
import asyncio
import signal

import socketio
from aiohttp import web


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--shards", type=int, default=1, help="ignored: one event loop")
    parser.add_argument("--ping-ms", type=int, default=25000)
    args = parser.parse_args()

    sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=args.ping_ms / 1000)

    @sio.on("echo")
    async def echo(sid, *values):
        await sio.emit("echo", values[0] if len(values) == 1 else list(values), to=sid)

    @sio.on("bcast")
    async def bcast(sid, *values):
        await sio.emit("bcast", values[0] if len(values) == 1 else list(values))

    app = web.Application()
    sio.attach(app)

    asyncio.run(serve(app, args.port))


async def serve(app, port):
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    main()
