#!/usr/bin/env python3
"""Records the client->server bytes of a real ffmpeg RTMP publish (tests/data/rtmp/ffmpeg_publish.bin).

A TCP proxy sits between the publisher and `ffmpeg -listen 1` as the receiving server:
    publisher ffmpeg --> 127.0.0.1:P1 (this proxy) --> 127.0.0.1:P2 (ffmpeg -listen 1)
Usage: capture_ffmpeg_publish.py OUT.bin
"""
import socket, subprocess, sys, threading, time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pump(src, dst, sink):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            if sink is not None:
                sink.append(b)
            dst.sendall(b)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    out = sys.argv[1]
    p1, p2 = free_port(), free_port()
    server = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-listen", "1", "-i",
                               f"rtmp://127.0.0.1:{p2}/live/key", "-c", "copy", "-f", "null", "-"])
    time.sleep(1.0)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", p1))
    lsock.listen(1)
    publisher = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
                                  "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
                                  "-f", "lavfi", "-i", "sine", "-t", "2",
                                  "-c:v", "libx264", "-b:v", "150k", "-g", "30", "-c:a", "aac", "-b:a", "64k",
                                  "-f", "flv", f"rtmp://127.0.0.1:{p1}/live/key"])
    client, _ = lsock.accept()
    upstream = socket.create_connection(("127.0.0.1", p2))
    captured = []
    t1 = threading.Thread(target=pump, args=(client, upstream, captured))
    t2 = threading.Thread(target=pump, args=(upstream, client, None))
    t1.start(); t2.start()
    publisher.wait(timeout=30)
    t1.join(timeout=5)
    server.wait(timeout=10)
    data = b"".join(captured)
    with open(out, "wb") as f:
        f.write(data)
    print(f"captured {len(data)} bytes; publisher rc={publisher.returncode} server rc={server.returncode}")


if __name__ == "__main__":
    main()
