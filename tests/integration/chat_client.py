"""A minimal chat client on Python's `websockets` (Debian's python3-websockets): code written outside
this project, speaking docs/chat-protocol.md."""
import asyncio
import json
import os

import websockets


class ChatClient:
    def __init__(self, ws):
        self.ws = ws
        self.frames = []

    @classmethod
    async def join(cls, http_base, room_id, nick="guest", token=None, since=None, origin=None, source=None):
        """`source`: the local address to connect from (another 127.0.0.0/8 address is another client)."""
        url = http_base.replace("http://", "ws://") + f"/ws/rooms/{room_id}/chat"
        headers = {"Origin": origin} if origin else None
        extra = {"local_addr": (source, 0)} if source else {}
        ws = await websockets.connect(url, extra_headers=headers, max_size=2 ** 20, open_timeout=10, **extra)
        c = cls(ws)
        join = {"type": "join", "nick": nick}
        if token:
            join["token"] = token
        if since is not None:
            join["since"] = since
        await c.send(join)
        return c

    async def send(self, obj):
        await self.ws.send(json.dumps(obj))

    async def recv(self, timeout=10):
        f = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(f)
        return f

    async def until(self, predicate, timeout=10):
        """Reads frames until one matches; returns it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            f = await self.recv(max(0.01, deadline - loop.time()))
            if predicate(f):
                return f

    async def until_type(self, t, timeout=10):
        return await self.until(lambda f: f.get("type") == t, timeout)

    async def closed(self, timeout=10):
        """Waits for the server to close; returns the close code."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as e:
            return e.code

    def send_raw_text_frame(self, payload: bytes):
        """Writes one masked text frame with arbitrary bytes (e.g. invalid UTF-8) past the library."""
        mask = os.urandom(4)
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        else:
            header += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.ws.transport.write(header + mask + masked)

    async def close(self):
        await self.ws.close()
