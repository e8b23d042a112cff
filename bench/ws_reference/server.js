'use strict';
// Reference chat broadcast server for bench/chat_compare.sh: the idiomatic Node `ws` fan-out, speaking the
// same wire shape as onair's /ws/rooms/{id}/chat (docs/chat-protocol.md) so one load client measures both.
//   join  -> welcome (so clients proceed; no history, no persistence, no rate limits, no auth)
//   msg   -> one msg frame JSON built once (with a seq) and that one string sent to every open client,
//            plus an ack to the sender
// Usage: node server.js [--port P] [--host 127.0.0.1] [--ready-file F]
const fs = require('fs');
const { WebSocketServer, WebSocket } = require('ws');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const host = arg('--host', '127.0.0.1');
const port = Number(arg('--port', '0'));
const readyFile = arg('--ready-file', '');

// Loopback only: this is a bench peer, not a service.
if (!/^127\./.test(host)) {
  console.error('refusing a non-loopback host: ' + host);
  process.exit(2);
}

// perMessageDeflate off (the ws 8 server default, stated for clarity): onair does not compress either.
const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 4096 });
let seq = 0;
let nextUser = 0;

wss.on('connection', (ws) => {
  ws.user = null;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let f;
    try {
      f = JSON.parse(data.toString());
    } catch (e) {
      ws.send('{"type":"error","code":"invalid_json","message":"frame is not valid JSON"}');
      return;
    }
    if (f === null || typeof f !== 'object') return;
    if (f.type === 'join') {
      ws.user = { id: 'anon:' + (nextUser++).toString(36), name: String(f.nick || 'guest').slice(0, 32), role: 'viewer' };
      ws.send(JSON.stringify({ type: 'welcome', room: 'bench', you: ws.user, last_seq: seq,
                               viewers: wss.clients.size, slow_mode: 0 }));
      ws.send('{"type":"history","replay":false,"messages":[]}');
      return;
    }
    if (f.type === 'msg' && ws.user && typeof f.text === 'string') {
      const s = ++seq;
      // Built once, sent as the same string to everyone: the cheapest fan-out ws offers.
      const frame = JSON.stringify({ type: 'msg', seq: s, ts: new Date().toISOString(), user: ws.user, text: f.text });
      for (const c of wss.clients) {
        if (c.readyState === WebSocket.OPEN) c.send(frame);
      }
      ws.send(JSON.stringify({ type: 'ack', client_id: String(f.client_id || ''), seq: s }));
      return;
    }
    if (f.type === 'ping') ws.send('{"type":"pong"}');
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  const p = wss.address().port;
  console.log(`ws reference listening on ${host}:${p} (pid ${process.pid})`);
  if (readyFile) fs.writeFileSync(readyFile, JSON.stringify({ http_port: p, pid: process.pid }));
});

function stop() {
  for (const c of wss.clients) c.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
