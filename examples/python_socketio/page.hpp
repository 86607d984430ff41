#pragma once
// The page of the python_socketio example (python-socketio's example index.html, trimmed).

#include <string_view>

namespace switchboard::examples {

inline constexpr std::string_view kPythonSocketioPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>switchboard: python-socketio twin</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="/socket.io.min.js"></script>
<style>body{font:16px system-ui;margin:2em auto;max-width:44em;padding:0 1em}
form{display:flex;gap:.5em;margin:.3em 0}input{flex:1}
#log{border:1px solid #ccc;height:18em;overflow:auto;padding:.5em;white-space:pre-wrap}</style>
</head><body>
<h1>switchboard: python-socketio twin</h1><p>Transport: <b id="transport">connecting…</b></p>
<form id="emit"><input id="emit_data" placeholder="Message"><button>Echo</button></form>
<form id="broadcast"><input id="broadcast_data" placeholder="Message"><button>Broadcast</button></form>
<form id="join"><input id="join_room" placeholder="Room name"><button>Join room</button></form>
<form id="leave"><input id="leave_room" placeholder="Room name"><button>Leave room</button></form>
<form id="send_room"><input id="room_name" placeholder="Room name"><input id="room_data"
  placeholder="Message"><button>Send to room</button></form>
<form id="close"><input id="close_room" placeholder="Room name"><button>Close room</button></form>
<form id="name"><input id="name_data" placeholder="Your name"><button>Save in session</button></form>
<p><button id="rooms">My rooms</button> <button id="whoami">Who am I?</button>
<button id="disconnect">Disconnect</button></p>
<h2>Receive:</h2><div id="log"></div>
<script>
const socket = io();
const $ = (id) => document.getElementById(id);
const log = (text) => { const d = document.createElement('div'); d.textContent = text;
                        $('log').prepend(d); };
socket.on('connect', () => { $('transport').textContent = socket.io.engine.transport.name;
  socket.io.engine.on('upgrade', () => $('transport').textContent =
    socket.io.engine.transport.name); });
socket.on('disconnect', (reason) => log('Disconnected: ' + reason));
socket.on('my_response', (msg) => log('Received: ' + JSON.stringify(msg)));
const on = (form, fn) => $(form).onsubmit = (e) => { e.preventDefault(); fn(); };
on('emit', () => socket.emit('my_event', {data: $('emit_data').value}));
on('broadcast', () => socket.emit('my_broadcast_event', {data: $('broadcast_data').value}));
on('join', () => socket.emit('join', {room: $('join_room').value}));
on('leave', () => socket.emit('leave', {room: $('leave_room').value}));
on('send_room', () => socket.emit('my_room_event',
                                  {room: $('room_name').value, data: $('room_data').value}));
on('close', () => socket.emit('close_room', {room: $('close_room').value}));
on('name', () => socket.emit('set_name', {name: $('name_data').value}, () => log('Saved.')));
$('rooms').onclick = () => socket.emit('rooms', (rooms) => log('Rooms: ' + rooms.join(', ')));
$('whoami').onclick = () => socket.emit('whoami', (s) => log('Session: ' + JSON.stringify(s)));
$('disconnect').onclick = () => socket.emit('disconnect_request');
</script></body></html>
)html";

}  // namespace switchboard::examples
