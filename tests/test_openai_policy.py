"""The ``openai:`` policy against a real chat-completions server on 127.0.0.1.

``ChatServer`` is a stdlib ``ThreadingHTTPServer`` that speaks the chat-completions
shape and plays a script of replies (the last one repeats); it records every
request it sees so the tests can check what the policy sent and how often.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from harness.errors import ConfigError, PolicyError
from harness.policies import make_policy, openai_endpoint
from harness.policies.openai_endpoint import (
    Endpoint,
    EndpointOptions,
    OpenAIPolicy,
    to_openai_messages,
)
from harness.protocols import ToolSpec
from harness.rundir import RunDir
from harness.runner import RunConfig, run_case
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Message, ToolCall

FAST = "attempts=3&backoff=0.001&max_backoff=0.005&timeout=5"
CONVERSATION = [Message(role="system", content="You are an agent."),
                Message(role="user", content="Fix the bug.")]
READ_FILE = ToolSpec("read_file", "Read a file.", {
    "type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]})


# -- the server ------------------------------------------------------------------------------


@dataclass
class Reply:
    """One scripted answer: a JSON body (or raw bytes), a status, an optional delay."""

    body: Any = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]


class ChatServer:
    """A real HTTP server on 127.0.0.1 that answers from a script; the last reply repeats."""

    def __init__(self, replies: list[Reply], models: list[str]) -> None:
        self.replies, self.models = list(replies), models
        self.requests: list[Seen] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,),
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def chat_bodies(self) -> list[Any]:
        return [seen.body for seen in self.requests if seen.path == "/v1/chat/completions"]

    def close(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.answer(self)

            def do_POST(self) -> None:
                server.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _next(self, path: str) -> Reply:
        if path == "/v1/models":
            return Reply({"object": "list", "data": [{"id": m, "object": "model"}
                                                     for m in self.models]})
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self._lock:
            self.requests.append(Seen(handler.command, handler.path,
                                      json.loads(raw) if raw else None, dict(handler.headers)))
            reply = self._next(handler.path)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._stopping.wait(reply.delay)
            self._send(handler, reply)
        except OSError:
            pass  # the client gave up (a timeout test)
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


@pytest.fixture(autouse=True)
def forget_endpoints() -> Iterator[None]:
    """The policy keeps per-URL slots and model names for the process; a later test's server
    may get an earlier one's port, so each test starts with none."""
    yield
    with openai_endpoint._LOCK:
        openai_endpoint._SLOTS.clear()
        openai_endpoint._MODELS.clear()


@pytest.fixture
def serve() -> Iterator[Callable[..., ChatServer]]:
    """Start scripted servers; all are shut down after the test."""
    servers: list[ChatServer] = []

    def start(*replies: Reply, models: tuple[str, ...] = ("served-model",)) -> ChatServer:
        servers.append(ChatServer(list(replies), list(models)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def closed_url() -> Iterator[str]:
    """The URL of a port on 127.0.0.1 where nothing listens: the port stays bound (without
    listening) for the whole test, so no other server can take it meanwhile."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def completion(message: dict[str, Any], prompt: int = 11, completion: int = 7,
               finish: str = "stop") -> Reply:
    return Reply({"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
                  "choices": [{"index": 0, "message": {"role": "assistant", **message},
                               "finish_reason": finish}],
                  "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                            "total_tokens": prompt + completion}})


def tool_reply(name: str, arguments: Any, call_id: str = "call_a",
               **extra: Any) -> Reply:
    encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return completion({"content": None, "tool_calls": [
        {"id": call_id, "type": "function",
         "function": {"name": name, "arguments": encoded}}], **extra}, finish="tool_calls")


def final_reply(text: str, **extra: Any) -> Reply:
    return completion({"content": text, **extra})


def policy_for(url: str, task: Task, options: str = FAST, model: str = "#m") -> OpenAIPolicy:
    made = make_policy(f"openai:{url}?{options}{model}", task)
    assert isinstance(made, OpenAIPolicy)
    return made


# -- turns -----------------------------------------------------------------------------------


def test_a_tool_call_is_asked_for_with_the_conversation_tools_and_model(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(tool_reply("read_file", {"path": "calc/ops/arith.py"},
                              reasoning_content="Look at arith first."))
    policy = policy_for(server.url, tiny_task, f"{FAST}&temperature=0&max_tokens=256", "#my-lora")
    turn = policy.next_turn(CONVERSATION, [READ_FILE])
    assert turn.model_copy(update={"raw": ""}) == AssistantTurn(
        analysis="Look at arith first.", prompt_tokens=11, completion_tokens=7,
        tool_calls=[ToolCall(name="read_file", arguments={"path": "calc/ops/arith.py"},
                             call_id="call_a")])
    raw = json.loads(turn.raw)  # the endpoint's message, kept as it came
    assert raw["reasoning_content"] == "Look at arith first."
    assert raw["tool_calls"][0]["function"]["name"] == "read_file"
    [body] = server.chat_bodies()
    assert body == {"model": "my-lora", "temperature": 0.0, "max_tokens": 256,
                    "messages": [{"role": "system", "content": "You are an agent."},
                                 {"role": "user", "content": "Fix the bug."}],
                    "tools": [READ_FILE.openai_schema()]}
    assert policy.name == f"openai:{server.url}?{FAST}&temperature=0&max_tokens=256#my-lora"


def test_a_final_answer_and_vllms_reasoning_field(serve: Callable[..., ChatServer],
                                                  tiny_task: Task) -> None:
    server = serve(final_reply("Fixed sub().", reasoning="It added instead of subtracting."))
    turn = policy_for(server.url, tiny_task).next_turn(CONVERSATION, [READ_FILE])
    assert turn.final == "Fixed sub()." and not turn.tool_calls
    assert turn.analysis == "It added instead of subtracting."
    assert (turn.prompt_tokens, turn.completion_tokens) == (11, 7)


def test_text_beside_tool_calls_is_kept_as_analysis_not_a_final_answer(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(completion({"content": "Let me read it.", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "repo_tree", "arguments": ""}}]}))
    turn = policy_for(server.url, tiny_task).next_turn(CONVERSATION, [READ_FILE])
    assert turn.final is None and turn.analysis == "Let me read it."
    assert turn.tool_calls == [ToolCall(name="repo_tree", arguments={}, call_id="c1")]


def test_an_empty_reply_is_an_empty_turn_for_the_agent_to_flag(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(completion({"content": ""}))
    turn = policy_for(server.url, tiny_task).next_turn(CONVERSATION, [READ_FILE])
    assert turn.final is None and not turn.tool_calls and not turn.analysis
    assert turn.format_error is None


@pytest.mark.parametrize(("call", "expected"), [
    ({"name": "read_file", "arguments": '{"path": "a.py"'}, "not valid JSON"),
    ({"name": "read_file", "arguments": '["a.py"]'}, "expected a JSON object, got a JSON array"),
    ({"name": "", "arguments": "{}"}, "has no tool name"),
    ({"arguments": "{}"}, "has no tool name"),
])
def test_a_malformed_tool_call_is_the_models_format_error(
        serve: Callable[..., ChatServer], tiny_task: Task, call: dict[str, Any],
        expected: str) -> None:
    server = serve(completion({"content": None, "reasoning_content": "Read a.py.",
                               "tool_calls": [{"id": "x", "type": "function",
                                               "function": call}]}, finish="length"))
    turn = policy_for(server.url, tiny_task).next_turn(CONVERSATION, [READ_FILE])
    assert turn.format_error is not None and expected in turn.format_error
    assert "cut off at max_tokens" in turn.format_error
    assert turn.analysis == "Read a.py." and not turn.tool_calls
    assert (turn.prompt_tokens, turn.completion_tokens) == (11, 7)
    assert len(server.requests) == 1


# -- the conversation on the wire ------------------------------------------------------------


def recorded_conversation() -> list[Message]:
    """A trajectory's messages: missing and repeated call ids, a format error, a final."""
    def calls(*names: str, call_id: str = "") -> list[ToolCall]:
        return [ToolCall(name=n, arguments={"path": "a.py"} if n == "read_file" else {},
                         call_id=call_id) for n in names]

    return [
        *CONVERSATION,
        Message(role="assistant", channel="analysis", content="Think 1.", turn=1),
        Message(role="assistant", channel="commentary", tool_calls=calls("read_file", "repo_tree"),
                turn=1),
        Message(role="tool", name="read_file", content="A", turn=1),
        Message(role="tool", name="repo_tree", content="T", turn=1),
        Message(role="assistant", channel="analysis", content="Think 2.", turn=2),
        Message(role="user", content="Your last message could not be used: x.", turn=2),
        Message(role="assistant", channel="commentary", tool_calls=calls("run_tests",
                                                                         call_id="dup"), turn=3),
        Message(role="tool", name="run_tests", call_id="dup", content="ok", turn=3),
        Message(role="assistant", channel="commentary", tool_calls=calls("run_tests",
                                                                         call_id="dup"), turn=4),
        Message(role="tool", name="run_tests", call_id="dup", content="ok again", turn=4),
        Message(role="assistant", channel="analysis", content="Done.", turn=5),
        Message(role="assistant", channel="final", content="Fixed.", turn=5),
    ]


def wire_call(call_id: str, name: str, arguments: str = "{}") -> dict[str, Any]:
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": arguments}}


EXPECTED_WIRE: list[dict[str, Any]] = [
    {"role": "system", "content": "You are an agent."},
    {"role": "user", "content": "Fix the bug."},
    {"role": "assistant", "content": "", "reasoning_content": "Think 1.", "tool_calls": [
        wire_call("call_3_0", "read_file", '{"path": "a.py"}'),
        wire_call("call_3_1", "repo_tree")]},
    {"role": "tool", "tool_call_id": "call_3_0", "name": "read_file", "content": "A"},
    {"role": "tool", "tool_call_id": "call_3_1", "name": "repo_tree", "content": "T"},
    {"role": "assistant", "content": "", "reasoning_content": "Think 2."},
    {"role": "user", "content": "Your last message could not be used: x."},
    {"role": "assistant", "content": "", "tool_calls": [wire_call("dup", "run_tests")]},
    {"role": "tool", "tool_call_id": "dup", "name": "run_tests", "content": "ok"},
    {"role": "assistant", "content": "", "tool_calls": [wire_call("call_10_0", "run_tests")]},
    {"role": "tool", "tool_call_id": "call_10_0", "name": "run_tests", "content": "ok again"},
    {"role": "assistant", "content": "Fixed.", "reasoning_content": "Done."},
]


def test_the_server_receives_the_conversation_with_paired_call_ids(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(final_reply("ok"))
    policy_for(server.url, tiny_task).next_turn(recorded_conversation(), [READ_FILE])
    [body] = server.chat_bodies()
    assert body["messages"] == EXPECTED_WIRE
    calls = [c["id"] for m in body["messages"] for c in m.get("tool_calls", [])]
    answers = [m["tool_call_id"] for m in body["messages"] if m["role"] == "tool"]
    assert calls == answers and len(set(calls)) == len(calls)


def test_reasoning_can_be_dropped_for_strict_servers() -> None:
    wire = to_openai_messages(recorded_conversation(), send_reasoning=False)
    assert all("reasoning_content" not in message for message in wire)
    kept = [m for m in EXPECTED_WIRE if m != {"role": "assistant", "content": "",
                                             "reasoning_content": "Think 2."}]
    assert wire == [{k: v for k, v in m.items() if k != "reasoning_content"} for m in kept]


def test_the_model_is_asked_of_the_server_once_when_the_uri_names_none(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(final_reply("ok"), models=("base-model", "my-lora"))
    first = policy_for(server.url, tiny_task, model="")
    second = policy_for(server.url, tiny_task, model="")
    first.next_turn(CONVERSATION, [])
    assert [seen.path for seen in server.requests] == ["/v1/models", "/v1/chat/completions"]
    assert server.chat_bodies()[0]["model"] == "base-model" and "tools" not in \
        server.chat_bodies()[0]
    assert first.name == second.name == f"openai:{server.url}?{FAST}#base-model"


def test_a_bearer_token_comes_from_the_named_variable(
        serve: Callable[..., ChatServer], tiny_task: Task,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ENDPOINT_KEY", "sk-local")
    server = serve(final_reply("ok"))
    policy = policy_for(server.url, tiny_task, f"{FAST}&api_key_env=TEST_ENDPOINT_KEY")
    policy.next_turn(CONVERSATION, [])
    assert server.requests[0].headers["Authorization"] == "Bearer sk-local"
    assert "sk-local" not in policy.name


@pytest.mark.parametrize("argument", [
    "", "127.0.0.1:8000/v1", "ftp://host/v1", "http://h:port/v1", "http:///v1",
    "http://h/v1?temperature=hot",
    "http://h/v1?bogus=1", "http://h/v1?attempts=0", "http://h/v1?reasoning=keep",
    "http://h/v1?timeout=1&timeout=2", "http://h/v1?api_key_env=HARNESS_TEST_UNSET_KEY",
])
def test_bad_uris_are_config_errors(tiny_task: Task, argument: str) -> None:
    with pytest.raises(ConfigError, match="openai"):
        make_policy(f"openai:{argument}", tiny_task)


# -- infrastructure faults -------------------------------------------------------------------


def test_a_server_error_is_retried_and_the_next_answer_used(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(Reply({"object": "error", "message": "engine restarting"}, status=500),
                   Reply(b"<html>bad gateway</html>", status=502),
                   final_reply("ok"))
    turn = policy_for(server.url, tiny_task).next_turn(CONVERSATION, [])
    assert turn.final == "ok"
    assert len(server.chat_bodies()) == 3


@pytest.mark.parametrize(("reply", "fault"), [
    (Reply({"object": "error", "message": "CUDA out of memory"}, status=500),
     "HTTP 500: CUDA out of memory"),
    (Reply(b"<html>upstream</html>"), "not JSON"),
    (Reply({"id": "x", "object": "chat.completion"}), "no choices"),
    (Reply({"choices": [{"index": 0}]}), "no message"),
    (Reply({"error": {"message": "slow down"}}, status=429), "HTTP 429: slow down"),
])
def test_a_fault_that_persists_is_a_policy_error_after_the_attempts(
        serve: Callable[..., ChatServer], tiny_task: Task, reply: Reply, fault: str) -> None:
    server = serve(reply)
    with pytest.raises(PolicyError) as raised:
        policy_for(server.url, tiny_task).next_turn(CONVERSATION, [])
    assert server.url in str(raised.value) and fault in str(raised.value)
    assert "3 time(s)" in str(raised.value)
    assert len(server.chat_bodies()) == 3


def test_backoff_doubles_with_jitter_and_honours_retry_after(
        serve: Callable[..., ChatServer]) -> None:
    server = serve(Reply({"message": "busy"}, status=503))
    delays: list[float] = []
    options = EndpointOptions(attempts=5, backoff=0.01, max_backoff=0.03)
    endpoint = Endpoint(server.url, options, sleep=delays.append)
    with pytest.raises(PolicyError):
        endpoint.request("GET", "/anything", None, lambda data: data)
    assert len(delays) == 4 and len(server.requests) == 5
    for delay, step in zip(delays, [0.01, 0.02, 0.03, 0.03], strict=True):
        assert step / 2 <= delay <= step

    hinted = serve(Reply({"message": "later"}, status=429, headers={"Retry-After": "0.02"}),
                   Reply({"ok": True}))
    delays.clear()
    assert Endpoint(hinted.url, EndpointOptions(backoff=0.001), sleep=delays.append).request(
        "GET", "/x", None, lambda data: data) == {"ok": True}
    assert delays == [0.02]


def test_a_server_slower_than_the_timeout_is_a_policy_error(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    """Had the timeout not fired, the late reply would arrive and no error be raised."""
    server = serve(Reply(final_reply("late").body, delay=3.0))
    with pytest.raises(PolicyError, match=r"no answer within 0\.2s"):
        policy_for(server.url, tiny_task, "attempts=2&backoff=0.001&timeout=0.2").next_turn(
            CONVERSATION, [])
    assert len(server.chat_bodies()) == 2


def test_a_refused_connection_is_a_policy_error_naming_the_endpoint(
        closed_url: str, tiny_task: Task) -> None:
    with pytest.raises(PolicyError, match="ConnectError") as raised:
        policy_for(closed_url, tiny_task).next_turn(CONVERSATION, [])
    assert closed_url in str(raised.value)


@pytest.mark.parametrize(("reply", "message"), [
    (Reply({"object": "error", "type": "BadRequestError", "code": 400, "message":
            "This model's maximum context length is 4096 tokens."}, status=400),
     "HTTP 400: This model's maximum context length is 4096 tokens."),
    (Reply({"error": {"message": "The model `nope` does not exist.", "code": 404}}, status=404),
     "HTTP 404: The model `nope` does not exist."),
])
def test_a_client_error_is_not_retried_and_says_what_the_server_said(
        serve: Callable[..., ChatServer], tiny_task: Task, reply: Reply, message: str) -> None:
    server = serve(reply)
    with pytest.raises(PolicyError) as raised:
        policy_for(server.url, tiny_task).next_turn(CONVERSATION, [])
    assert message in str(raised.value) and server.url in str(raised.value)
    assert len(server.chat_bodies()) == 1


def test_requests_in_flight_to_one_endpoint_are_limited_per_process(
        serve: Callable[..., ChatServer], tiny_task: Task) -> None:
    server = serve(Reply(final_reply("ok").body, delay=0.3))
    policies = [policy_for(server.url, tiny_task, f"{FAST}&concurrency=2") for _ in range(4)]
    threads = [threading.Thread(target=p.next_turn, args=(CONVERSATION, [])) for p in policies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.chat_bodies()) == 4
    assert server.max_in_flight == 2


# -- end to end through the runner -----------------------------------------------------------


def test_a_served_model_resolves_a_case_through_the_runner(
        serve: Callable[..., ChatServer], tiny_task: Task, run_dir: RunDir) -> None:
    server = serve(tool_reply("apply_patch", {"patch": tiny_task.patch}, call_id="call_patch",
                              reasoning_content="sub adds; apply the fix."),
                   completion({"content": "Fixed sub."}, prompt=40, completion=3))
    result = run_case(tiny_task, 1, RunConfig(model=f"openai:{server.url}?{FAST}#m"), run_dir)
    assert result.status == "resolved" and result.attempts == 1 and result.error is None
    assert (result.prompt_tokens, result.completion_tokens) == (11 + 40, 7 + 3)
    assert result.turns == 2 and result.format_errors == 0
    assert result.exit_reason == "final_answer"
    first, second = server.chat_bodies()
    assert [t["function"]["name"] for t in first["tools"]] == list(default_tools(tiny_task))
    answer = second["messages"][-1]
    assert answer["role"] == "tool" and answer["tool_call_id"] == "call_patch"
    assert answer["content"].startswith("patch applied")
    assert second["messages"][-2]["reasoning_content"] == "sub adds; apply the fix."
    assert result.trajectory is not None and (run_dir.path / result.trajectory).is_file()


def test_a_dead_endpoint_is_an_infra_error_not_a_model_failure(
        closed_url: str, tiny_task: Task, run_dir: RunDir) -> None:
    config = RunConfig(model=f"openai:{closed_url}?attempts=2&backoff=0.001#m", infra_retries=1)
    result = run_case(tiny_task, 1, config, run_dir)
    assert result.status == "infra_error" and result.outcome is None
    assert result.attempts == 2
    assert result.error is not None and result.error.startswith("PolicyError")
    assert closed_url in result.error
    assert run_dir.results() == [result]
