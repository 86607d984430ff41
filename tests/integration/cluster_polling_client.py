"""A python-socketio client on polling only, for cluster_no_sticky_test.mjs: connects to argv[1],
asks whoami, joins room argv[2], prints "ready <node>", then waits for a "hello" event and
prints "got <args as JSON>". Exits 0 on success, 1 on any failure, within 30 s."""
import json
import sys
import threading

import socketio

url, room = sys.argv[1], sys.argv[2]
got = threading.Event()
sio = socketio.Client(reconnection=False)


@sio.on("hello")
def hello(*args):
    print("got " + json.dumps(args), flush=True)
    got.set()


try:
    sio.connect(url, transports=["polling"], wait_timeout=10)
    me = sio.call("whoami", timeout=10)
    rooms = sio.call("join", room, timeout=10)
    assert room in rooms, rooms
    assert sio.transport() == "polling"
    print("ready " + me["node"], flush=True)
    ok = got.wait(30)
    sio.disconnect()
    sys.exit(0 if ok else 1)
except Exception as e:  # noqa: BLE001
    print("error " + repr(e), flush=True)
    sys.exit(1)
