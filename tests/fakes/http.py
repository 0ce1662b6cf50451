"""A tiny threaded HTTP server on 127.0.0.1 that records requests; base for the fake APIs."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: Dict[str, str]
    params: Dict[str, Any]
    status: Optional[int] = None  # what the fake answered; None when it dropped the connection


Handler = Callable[[Recorded], Tuple[int, Dict[str, Any]]]


def _decode_params(content_type: str, body: bytes, query: str) -> Dict[str, Any]:
    params: Dict[str, Any] = {k: v[0] for k, v in parse_qs(query).items()}
    if not body:
        return params
    if "json" in content_type:
        params.update(json.loads(body))
        return params
    if "multipart/form-data" in content_type:
        boundary = content_type.split("boundary=")[1].encode()
        for part in body.split(b"--" + boundary):
            if b"\r\n\r\n" not in part:
                continue
            head, value = part.split(b"\r\n\r\n", 1)
            name = head.split(b'name="')[1].split(b'"')[0].decode()
            params[name] = value.rstrip(b"\r\n").decode()
    else:
        params.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
    for key, value in list(params.items()):
        if isinstance(value, str) and value[:1] in "[{":
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params


@dataclass
class FakeServer:
    """Serves ``handler`` on a free loopback port until ``stop``.

    With ``unreachable`` set, requests are recorded but the connection is closed without an answer.
    """

    handler: Handler
    requests: List[Recorded] = field(default_factory=list)
    unreachable: bool = False

    def start(self) -> "FakeServer":
        fake = self

        class _RequestHandler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(
                    self.command,
                    url.path,
                    dict(self.headers.items()),
                    _decode_params(self.headers.get("Content-Type", ""), body, url.query),
                )
                fake.requests.append(recorded)
                if fake.unreachable:
                    self.close_connection = True
                    return
                status, payload = fake.handler(recorded)
                recorded.status = status
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
