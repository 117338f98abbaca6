"""A scripted OpenAI-compatible model server on loopback, standing in for a department's vLLM/Ollama.

It speaks the real protocol over real HTTP: POST /v1/chat/completions answers JSON, or
server-sent events (`data: {...}` chunks, then `data: [DONE]`) when the request says
`"stream": true`. Each request takes the next scripted reply: a text, an HTTP status, a delay.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import free_port

PIECE_CHARS = 4  # a streamed reply arrives in pieces this long


@dataclass(frozen=True)
class Reply:
    """What the fake model server does with one request."""

    text: str = ""
    status: int = 200
    delay_s: float = 0.0  # sleep before answering, to run past the client's timeout


class FakeOpenAI:
    """The server: script replies with `script(...)`, read what it was sent in `requests`."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: Reply | str) -> None:
        """Replace the queue: each request takes the next reply; a bare string is a 200 with that text."""
        self.replies = deque(Reply(r) if isinstance(r, str) else r for r in replies)
        self.requests.clear()

    def next_reply(self, body: dict[str, Any]) -> Reply:
        self.requests.append(body)
        return self.replies.popleft() if self.replies else Reply("no scripted reply", status=500)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    self.send_json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply = fake.next_reply(body)
                time.sleep(reply.delay_s)
                if reply.status != 200:
                    self.send_json(reply.status, {"error": {"message": reply.text, "type": "server_error"}})
                elif body.get("stream"):
                    self.send_events(body["model"], reply.text)
                else:
                    self.send_json(200, completion(body["model"], reply.text))

            def send_json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def send_events(self, model: str, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                pieces = [text[i : i + PIECE_CHARS] for i in range(0, len(text), PIECE_CHARS)]
                for delta in [{"role": "assistant", "content": ""}, *({"content": p} for p in pieces)]:
                    self.send_event(chunk(model, delta, None))
                self.send_event(chunk(model, {}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def send_event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, *_: Any) -> None:  # keep the test output quiet
                pass

        return Handler


def completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
