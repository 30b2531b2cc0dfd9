#!/usr/bin/env python3
"""Writes the seed corpus under Fuzz/corpus/ from inputs the STOMP and SockJS tests use.

Each target reads a few configuration bytes before its payload (see the comment at the top of its
source file); the seeds spell those out. Run from anywhere; it rewrites corpus/ as a whole.
"""
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

STOMP_FRAMES = [
    b"CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0",
    b"CONNECT\naccept-version:1.2\n\n\0SEND\ndestination:/app/chat\n\nhi\0",
    b"CONNECT\naccept-version:1.2\n\n\0SUBSCRIBE\nid:0\ndestination:/topic/chat\n\n\0",
    b"CONNECT\naccept-version:1.0,1.1,1.2\nheart-beat:100,100\n\n\0\n\n",
    b"STOMP\r\naccept-version:1.1\r\nheart-beat:0,500\r\n\r\n\0",
    b"CONNECT\nlogin:a\\b\n\n\0",
    b"SEND\ndestination:/a\n\nfirst\0SEND\ndestination:/b\n\nsecond\0",
    b"SEND\ncontent-length:3\n\n\0\0\0\0",
    b"SEND\ncontent-length:2\n\nabc\0",
    b"SEND\ncontent-length:99999999999999999999999999\n\n\0",
    b"SEND\na:1\na:2\na:3\n\n\0",
    b"SEND\na\\cb:c\n\n\0",
    b"SEND\n:value\n\n\0",
    b"SEND\ndestination:/a\0",
    b"MESSAGE\nk:a\\nb\\cc\\\\d\\re\ncontent-length:0\n\n\0",
    b"MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0",
    b"ACK\nid:m1\n\n\0NACK\nmessage-id:m1\nsubscription:sub-0\n\n\0",
    b"BEGIN\ntransaction:tx1\n\n\0COMMIT\ntransaction:tx1\n\n\0ABORT\ntransaction:tx1\n\n\0",
    b"UNSUBSCRIBE\nid:0\n\n\0",
    b"DISCONNECT\nreceipt:77\n\n\0SEND\ndestination:/a\n\n\0",
    b"ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:8\n\nmalform\n\0",
    b"RECEIPT\nreceipt-id:77\n\n\0\r\n\n",
    b"HELLO\n\n\0",
    b"\n\r\n\n",
]

# The server conversations: CONNECT first, then application frames.
STOMP_SESSIONS = [
    b"CONNECT\naccept-version:1.2\nheart-beat:1000,1000\n\n\0"
    b"SUBSCRIBE\nid:0\ndestination:/topic/chat\nreceipt:1\n\n\0"
    b"SEND\ndestination:/app/chat\ncontent-type:application/json\n\n{\"text\":\"hi\"}\0\n"
    b"DISCONNECT\nreceipt:77\n\n\0",
    b"CONNECT\naccept-version:1.1\nheart-beat:0,0\n\n\0SEND\n\n\0",
    b"STOMP\naccept-version:1.0\n\n\0ACK\nmessage-id:1\n\n\0",
    b"CONNECT\naccept-version:2.0\n\n\0",
    b"CONNECT\naccept-version:1.2\nheart-beat:x\nreceipt:r\n\n\0",
    b"SEND\ndestination:/a\nreceipt:9\n\n\0",
    b"CONNECT\naccept-version:1.2\n\n\0CONNECT\naccept-version:1.2\n\n\0",
    b"CONNECT\naccept-version:1.2\n\n\0MESSAGE\n\n\0",
    b"CONNECT\naccept-version:1.2\nheart-beat:100,100\n\n\0\n\n\n",
]

JSON_PAYLOADS = [
    b'[]', b'["a"]', b'[ "a" , "b" ]', b'"single"', b'["\\ud83d\\ude00"]', b'["\\u2028x"]',
    b'["CONNECT\\naccept-version:1.2\\n\\n\\u0000"]',
    b'["SEND\\ndestination:/app/chat\\n\\n{\\"text\\":\\"hi\\"}\\u0000"]',
    b'["\\"\\\\\\/\\b\\f\\n\\r\\t"]', b'["\\ud83d"]', b'["\\ude00"]', b'["a",]', b'[', b'', b'  ',
    '["caf\u00e9 \u65e5\u672c \U0001F600"]'.encode(), b'["\xff"]',
    b'o', b'h', b'a["x","y"]', b'c[3000,"Go away!"]', b'c[-0,""]', b'c[2010,"Another connection still open"]\n',
    b'd=%5B%22a%22%5D', b'd=%5B%5D&x=1', b'd=', b'x=1&d=%22hi+there%22',
]

ROUTE_TARGETS = [
    (0, b"/connection"), (0, b"/connection/"), (0, b"/connection/info?t=1"), (0, b"/connection/iframe.html"),
    (0, b"/connection/iframe-1.6.1.html"), (0, b"/connection/websocket"),
    (0, b"/connection/123/abc12345/websocket"), (0, b"/connection/123/abc12345/xhr"),
    (0, b"/connection/123/abc12345/xhr_send/"), (0, b"/connection/123/abc12345/xhr_streaming?x#y"),
    (0, b"/connection/9/x/eventsource"), (0, b"/connection/9/x/htmlfile?c=callback"),
    (0, b"/connection/9/x/jsonp?c=cb.f_1"), (0, b"/connection/9/x/jsonp_send"),
    (0, b"/connection/1/a.b/xhr"), (0, b"/connectionX/info"), (1, b"/123/abc/websocket"), (2, b"/info"),
    (3, b"/echo/000/s1/xhr"), (5, b"/connection/1/s/xhr"), (6, b"/a/b/info"),
    (0xF0, b"\x06/a/b/c/a/b/c/info"),
    (0, b"ws://127.0.0.1:8080/connection/123/abc12345/websocket"),
    (0, b"http://h:8/connection?t=1#frag"), (0, b"https://user@[::1]:65535/x/"), (0, b"wss://h:99999/"),
    (0, b"callback_name.f"),
]


def write(target, seeds):
    directory = ROOT / target
    directory.mkdir(parents=True)
    for index, seed in enumerate(seeds):
        (directory / f"seed-{index:02d}").write_bytes(seed)


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    # stomp-parser: version, chunking seed, limits switch, four limit bytes, stream.
    parser = []
    for index, frame in enumerate(STOMP_FRAMES):
        version = index % 3
        parser.append(bytes([version, index * 7 % 256, 0, 0, 0, 0, 0]) + frame)
        if index % 4 == 0:
            parser.append(bytes([2, 1, 1, 32, 4, 24, 16]) + frame)
    write("stomp-parser", parser)
    # stomp-server: version mask, heart-beat offer (two bytes), connect timeout, chunking seed, clock, stream.
    server = []
    for index, session in enumerate(STOMP_SESSIONS):
        mask = [0x07, 0x04, 0x47, 0x87][index % 4]
        server.append(bytes([mask, 10, 10, index % 3 * 20, index * 2 + 1, index * 37 % 256]) + session)
    write("stomp-server", server)
    # sockjs-json: the payload alone.
    write("sockjs-json", JSON_PAYLOADS)
    # sockjs-route: prefix selector, then the request target.
    write("sockjs-route", [bytes([selector]) + target for selector, target in ROUTE_TARGETS])


if __name__ == "__main__":
    main()
