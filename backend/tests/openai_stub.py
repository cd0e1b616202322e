"""A local OpenAI-compatible server on 127.0.0.1 for the tests: both API flavours, streamed as OpenAI does.

Each conversation goes the same way: the first request is answered with one tool call,
add_task {"title": TITLE}; the request that carries the tool's output is answered with FINAL_TEXT (in two
deltas when streamed). Whole answers or streamed ones, as the request asks.
Requests are recorded so that tests can look at what the backend sent.
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
    # Streamed final answers stop after their first delta until this is set, as a slow model would.
    stall: threading.Event | None = None


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


def _answered(body: dict[str, Any]) -> bool:
    """The request carries the tool's output: time for the final text."""
    items = body.get("input") or body.get("messages") or []
    return any(item.get("type") == "function_call_output" or item.get("role") == "tool" for item in items)


def responses_answer(body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any] | str]]:
    """The Responses API's answer: the whole response, and the same as server-sent events."""
    model = body.get("model", "stub")
    if not _answered(body):
        call = {
            "type": "function_call",
            "id": "fc_stub_1",
            "call_id": CALL_ID,
            "name": "add_task",
            "arguments": json.dumps({"title": TITLE}),
            "status": "completed",
        }
        return _response([call], model), [
            {"type": "response.created", "sequence_number": 0, "response": _response([], model)},
            {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": call},
            {"type": "response.output_item.done", "sequence_number": 2, "output_index": 0, "item": call},
            {"type": "response.completed", "sequence_number": 3, "response": _response([call], model)},
        ]
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
    return _response([message], model), [
        {"type": "response.created", "sequence_number": 0, "response": _response([], model)},
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        *(
            {**delta, "sequence_number": 2 + n, "delta": part, "logprobs": []}
            for n, part in enumerate(_halves())
        ),
        {"type": "response.output_item.done", "sequence_number": 4, "output_index": 0, "item": message},
        {"type": "response.completed", "sequence_number": 5, "response": _response([message], model)},
    ]


def _halves() -> list[str]:
    half = len(FINAL_TEXT) // 2
    return [FINAL_TEXT[:half], FINAL_TEXT[half:]]


# ---- the Chat Completions API ------------------------------------------------------------------------------


def _chunk(delta: dict[str, Any], finish: str | None, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl_stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def chat_completions_answer(body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any] | str]]:
    """The Chat Completions API's answer: the whole completion, and the same as streamed chunks."""
    model = body.get("model", "stub")
    if not _answered(body):
        function = {"name": "add_task", "arguments": json.dumps({"title": TITLE})}
        call = {"id": CALL_ID, "type": "function", "function": function}
        message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
        chunks = [_chunk({"role": "assistant", "tool_calls": [{"index": 0, **call}]}, None, model)]
    else:
        message, finish = {"role": "assistant", "content": FINAL_TEXT}, "stop"
        chunks = [_chunk({"role": "assistant", "content": part}, None, model) for part in _halves()]
    completion = {
        "id": "chatcmpl_stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return completion, [*chunks, _chunk({}, finish, model), "[DONE]"]


# ---- the server --------------------------------------------------------------------------------------------


def _up_to_first_delta(events: list[dict[str, Any] | str]) -> list[dict[str, Any] | str]:
    words = json.dumps(_halves()[0])[1:-1]  # as it appears inside the JSON of an event
    first = next(n for n, event in enumerate(events) if words in json.dumps(event))
    return events[: first + 1]


ANSWERS = {"/responses": responses_answer, "/chat/completions": chat_completions_answer}


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
            answer = ANSWERS.get(self.path.rsplit("/v1", 1)[-1])
            if answer is None:
                return self._send(404, b'{"error": {"message": "not here"}}', "application/json")
            whole, events = answer(body)
            if not body.get("stream"):
                return self._send(200, json.dumps(whole).encode(), "application/json")
            named = self.path.endswith("/responses")  # the Responses API names its events
            if stub.stall is not None and _answered(body):
                return self._stream_then_stall(_sse(_up_to_first_delta(events), named), stub.stall)
            return self._send(200, _sse(events, named), "text/event-stream")

        def _stream_then_stall(self, first: bytes, release: threading.Event) -> None:
            # Chunked, so the client reads the first words at once; the rest never comes.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
            self.wfile.flush()
            release.wait(30)
            self.close_connection = True

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
