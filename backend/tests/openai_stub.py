"""A local OpenAI-compatible server on 127.0.0.1 for the tests: both API flavours, streamed as OpenAI does.

Each conversation goes the same way: the first request is answered with one tool call,
add_task {"title": TITLE}; the request that carries the tool's output is answered with FINAL_TEXT (in two
deltas). Requests are recorded so that tests can look at what the backend sent.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TITLE = "Buy oat milk"
FINAL_TEXT = 'Added "Buy oat milk" to your list.'
CALL_ID = "call_stub_1"


@dataclass
class OpenAIStub:
    url: str = ""  # the base URL, ending in /v1
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this HTTP status instead


def _sse(payloads: list[dict[str, Any] | str], named: bool) -> bytes:
    lines = []
    for payload in payloads:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        event = f"event: {payload['type']}\n" if named and isinstance(payload, dict) else ""
        lines.append(f"{event}data: {data}\n\n")
    return "".join(lines).encode()


# ---- the Responses API -------------------------------------------------------------------------------------


def _response(output: list[dict[str, Any]], model: str) -> dict[str, Any]:
    return {
        "id": "resp_stub",
        "object": "response",
        "created_at": int(time.time()),
        "model": model,
        "status": "completed",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 5,
            "total_tokens": 15,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def responses_events(body: dict[str, Any]) -> list[dict[str, Any] | str]:
    model = body.get("model", "stub")
    answered = any(
        isinstance(item, dict) and item.get("type") == "function_call_output" for item in body["input"]
    )
    if not answered:
        call = {
            "type": "function_call",
            "id": "fc_stub_1",
            "call_id": CALL_ID,
            "name": "add_task",
            "arguments": json.dumps({"title": TITLE}),
            "status": "completed",
        }
        return [
            {"type": "response.created", "sequence_number": 0, "response": _response([], model)},
            {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": call},
            {"type": "response.output_item.done", "sequence_number": 2, "output_index": 0, "item": call},
            {"type": "response.completed", "sequence_number": 3, "response": _response([call], model)},
        ]
    half = len(FINAL_TEXT) // 2
    text = {"type": "output_text", "text": FINAL_TEXT, "annotations": []}
    message = {
        "type": "message",
        "id": "msg_stub_1",
        "role": "assistant",
        "status": "completed",
        "content": [text],
    }
    delta = {
        "type": "response.output_text.delta",
        "item_id": "msg_stub_1",
        "output_index": 0,
        "content_index": 0,
    }
    return [
        {"type": "response.created", "sequence_number": 0, "response": _response([], model)},
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {**delta, "sequence_number": 2, "delta": FINAL_TEXT[:half], "logprobs": []},
        {**delta, "sequence_number": 3, "delta": FINAL_TEXT[half:], "logprobs": []},
        {"type": "response.output_item.done", "sequence_number": 4, "output_index": 0, "item": message},
        {"type": "response.completed", "sequence_number": 5, "response": _response([message], model)},
    ]


# ---- the Chat Completions API ------------------------------------------------------------------------------


def _chunk(delta: dict[str, Any], finish: str | None, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl_stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def chat_completions_events(body: dict[str, Any]) -> list[dict[str, Any] | str]:
    model = body.get("model", "stub")
    answered = any(message.get("role") == "tool" for message in body["messages"])
    if not answered:
        function = {"name": "add_task", "arguments": json.dumps({"title": TITLE})}
        call = {"index": 0, "id": CALL_ID, "type": "function", "function": function}
        return [
            _chunk({"role": "assistant", "tool_calls": [call]}, None, model),
            _chunk({}, "tool_calls", model),
            "[DONE]",
        ]
    half = len(FINAL_TEXT) // 2
    return [
        _chunk({"role": "assistant", "content": FINAL_TEXT[:half]}, None, model),
        _chunk({"content": FINAL_TEXT[half:]}, None, model),
        _chunk({}, "stop", model),
        "[DONE]",
    ]


# ---- the server --------------------------------------------------------------------------------------------


def _handler(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            stub.requests.append((self.path, body))
            if stub.fail_with is not None:
                return self._send(
                    stub.fail_with, b'{"error": {"message": "stub failure"}}', "application/json"
                )
            if self.path.endswith("/responses"):
                return self._send(200, _sse(responses_events(body), named=True), "text/event-stream")
            if self.path.endswith("/chat/completions"):
                return self._send(200, _sse(chat_completions_events(body), named=False), "text/event-stream")
            return self._send(404, b'{"error": {"message": "not here"}}', "application/json")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_openai_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        httpd.shutdown()
        httpd.server_close()
