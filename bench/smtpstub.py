#!/usr/bin/env python
"""A tiny SMTP server for fault tests: accepts every message, records its Message-ID,
and can misbehave after accepting (a slow QUIT, or hanging up).

    python bench/smtpstub.py --port 2525 --quit-delay 30   # slow after accepting

In code: `with SmtpStub(quit_delay=5) as smtp: ... smtp.message_ids`.
"""

import argparse
import re
import socketserver
import threading
import time

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        stub: SmtpStub = self.server.stub
        if not stub.accepting:
            self._reply("421 Service not available")
            return
        self._reply("220 stub ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply("250 stub")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self._reply("250 OK")
            elif verb == b"DATA":
                time.sleep(stub.data_delay)  # slow before the message: nothing accepted yet
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk
                time.sleep(stub.accept_delay)  # a slow server: the send is in flight
                stub.accept(data)
                self._reply("250 OK queued")
                if stub.hang_up_after_accept:
                    return
            elif verb == b"QUIT":
                time.sleep(stub.quit_delay)
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpStub:
    def __init__(
        self,
        port: int = 0,
        quit_delay: float = 0.0,
        hang_up_after_accept=False,
        accept_delay: float = 0.0,
        data_delay: float = 0.0,
    ):
        self.data_delay = data_delay
        self.quit_delay = quit_delay
        self.accept_delay = accept_delay
        self.hang_up_after_accept = hang_up_after_accept
        self.accepting = True
        self.message_ids: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.stub = self
        self.port = self._server.server_address[1]

    def accept(self, data: bytes) -> None:
        found = _MESSAGE_ID.search(data)
        with self._lock:
            self.message_ids.append(found.group(1).decode() if found else "")

    def start(self) -> "SmtpStub":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--quit-delay", type=float, default=0.0)
    args = parser.parse_args()
    stub = SmtpStub(args.port, args.quit_delay).start()
    print(f"SMTP stub on 127.0.0.1:{stub.port}", flush=True)
    try:
        while True:
            time.sleep(5)
            print(f"{len(stub.message_ids)} accepted", flush=True)
    except KeyboardInterrupt:
        stub.stop()
