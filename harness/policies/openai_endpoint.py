"""A policy served by an OpenAI-compatible chat-completions endpoint (``openai:`` URIs).

vLLM's server is the production path; a LoRA adapter that vLLM serves is addressed
by its adapter name as the model.

URI::

    openai:BASE_URL[?OPTION=VALUE&...][#MODEL]

    openai:http://127.0.0.1:8000/v1#my-lora
    openai:http://127.0.0.1:8000/v1?temperature=0&max_tokens=1024&concurrency=8#my-lora
    openai:http://127.0.0.1:8000/v1                   (the server's first model)

``BASE_URL`` is the API root, usually ending in ``/v1``: turns are asked of
``BASE_URL/chat/completions``. ``MODEL`` is the served model or adapter name;
without it ``GET BASE_URL/models`` is asked once per process and the first
model listed is used (vLLM lists the base model before its LoRA adapters, so
name an adapter explicitly). The URI is recorded with each result, so it must not
hold a key: name an environment variable with ``api_key_env`` instead.

Options (query string; each also checked by ``EndpointOptions``):

================  =======  =================================================
temperature       float    sampling temperature (the server's default if unset)
top_p             float    nucleus sampling (server default if unset)
max_tokens        int      completion tokens per turn (server default if unset)
seed              int      sampling seed (server default if unset)
reasoning_effort  str      ``low``, ``medium`` or ``high`` (gpt-oss on vLLM)
reasoning         str      ``send`` (default): earlier analysis goes back as the
                           assistant message's ``reasoning_content`` (vLLM's
                           field); ``drop``: it is left out (strict servers)
timeout           float    seconds per HTTP request (default 300)
attempts          int      tries per request before ``PolicyError`` (default 4)
backoff           float    seconds before the first retry (default 1), doubled
                           after each further fault
max_backoff       float    cap of one retry delay in seconds (default 30)
concurrency       int      requests in flight to one endpoint from this process
                           (default 4; the first policy made for an endpoint
                           sets the limit for the whole process)
api_key_env       str      environment variable holding a bearer token
================  =======  =================================================

Faults are sorted once, here. Transient faults of the endpoint (connection
refused or reset, a timeout, HTTP 408, 429 or 5xx, a body that is not JSON or
has no ``choices``) are retried with exponential backoff and jitter, honouring
a numeric ``Retry-After`` up to ``max_backoff``; when the attempts run out a
``PolicyError`` names the endpoint and the last fault. Any other HTTP error
(400 context too long, 401, 404 unknown model) is a ``PolicyError`` at once,
with the server's message. Both are infrastructure errors: the runner retries
the case and never counts them against the model. A malformed tool call from
the model itself (arguments that are not a JSON object, no tool name) is the
model's fault: it comes back as ``AssistantTurn.format_error``, which the agent
records and shows to the model.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import ConfigError, PolicyError
from harness.json_object import NotAJsonObject, json_object
from harness.protocols import ToolSpec
from harness.task import Task
from harness.trajectory import AssistantTurn, Message, ToolCall

T = TypeVar("T")
JSON = dict[str, Any]

_EXCERPT = 200
_TRANSIENT_STATUS = frozenset({408, 429})


class EndpointOptions(BaseModel):
    """The options of an ``openai:`` URI (its query string)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    seed: int | None = None
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    reasoning: Literal["send", "drop"] = "send"
    timeout: float = Field(default=300.0, gt=0)
    attempts: int = Field(default=4, ge=1)
    backoff: float = Field(default=1.0, ge=0)
    max_backoff: float = Field(default=30.0, ge=0)
    concurrency: int = Field(default=4, ge=1)
    api_key_env: str | None = None

    def sampling(self) -> JSON:
        """The request fields these options set (unset ones are left to the server)."""
        fields = self.model_dump(include={"temperature", "top_p", "max_tokens", "seed",
                                          "reasoning_effort"})
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Target:
    """A parsed ``openai:`` URI."""

    base_url: str
    query: str
    model: str | None
    options: EndpointOptions

    def name(self, model: str) -> str:
        """The URI with the model that is actually used (recorded in trajectories)."""
        query = f"?{self.query}" if self.query else ""
        return f"openai:{self.base_url}{query}#{model}"


def _is_base_url(url: str) -> bool:
    """An http(s) URL with a host and, if any, a numeric port."""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # .port raises on a non-numeric port
        return parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok \
            and bool(httpx.URL(url).host)
    except (ValueError, httpx.InvalidURL):
        return False


def parse_target(argument: str) -> Target:
    """``BASE_URL[?OPTIONS][#MODEL]`` -> Target; ``ConfigError`` says what is wrong."""
    example = "--model openai:http://127.0.0.1:8000/v1?temperature=0#MODEL"
    rest, _, model = argument.partition("#")
    base_url, _, query = rest.partition("?")
    base_url = base_url.rstrip("/")
    if not _is_base_url(base_url):
        raise ConfigError(f"openai needs an http(s) base URL, got {argument!r}; e.g. {example}")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise ConfigError(f"openai: cannot read the options {query!r}: {exc}") from exc
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ConfigError(f"openai: an option is given twice in {query!r}")
    try:
        options = EndpointOptions.model_validate(dict(pairs))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"openai: bad option(s) in {query!r}: {problems}; known options: "
                          f"{', '.join(EndpointOptions.model_fields)}") from exc
    return Target(base_url, query, model.strip() or None, options)


class _Transient(Exception):
    """A fault of the endpoint worth another try; ``retry_after`` is the server's hint."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_LOCK = threading.Lock()
_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_MODELS: dict[str, str] = {}
_CLIENTS: list[httpx.Client] = []


def _client() -> httpx.Client:
    """The process's HTTP client (a connection pool shared by every endpoint and thread)."""
    with _LOCK:
        if not _CLIENTS:
            _CLIENTS.append(httpx.Client(follow_redirects=False))
        return _CLIENTS[0]


@contextmanager
def _slot(base_url: str, limit: int) -> Iterator[None]:
    """Hold one of the endpoint's process-wide request slots."""
    with _LOCK:
        semaphore = _SLOTS.setdefault(base_url, threading.BoundedSemaphore(limit))
    with semaphore:
        yield


def _server_message(response: httpx.Response) -> str:
    """The error text of a response: OpenAI's ``error.message``, vLLM's ``message``, or text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if isinstance(data.get("message"), str):
            return str(data["message"])
    return response.text.strip()[:_EXCERPT] or response.reason_phrase


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _auth_headers(variable: str | None) -> dict[str, str]:
    """A bearer token from the named environment variable, if one is named."""
    if variable is None:
        return {}
    key = os.environ.get(variable)
    if not key:
        raise ConfigError(f"openai: api_key_env names {variable}, which is not set")
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Endpoint:
    """One server: JSON over HTTP, with retries and the process-wide concurrency limit."""

    base_url: str
    options: EndpointOptions
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    headers: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.headers = _auth_headers(self.options.api_key_env)

    def request(self, method: str, path: str, body: JSON | None,
                parse: Callable[[Any], T]) -> T:
        """Send until ``parse`` accepts a response; ``PolicyError`` when that cannot be."""
        url = f"{self.base_url}{path}"
        attempts = self.options.attempts
        for attempt in range(1, attempts + 1):
            try:
                return parse(self._once(method, url, body))
            except _Transient as fault:
                if attempt == attempts:
                    raise PolicyError(f"{method} {url} failed {attempts} time(s); "
                                      f"last fault: {fault}") from fault
                self.sleep(self._delay(attempt, fault.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter (half to all of the step), or the server's hint."""
        step = min(self.options.max_backoff, self.options.backoff * 2.0 ** (attempt - 1))
        delay = step * random.uniform(0.5, 1.0)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.options.max_backoff))
        return delay

    def _once(self, method: str, url: str, body: JSON | None) -> Any:
        """One request: the decoded JSON body, ``_Transient``, or ``PolicyError`` at once."""
        timeout = httpx.Timeout(self.options.timeout, connect=min(self.options.timeout, 10.0))
        try:
            with _slot(self.base_url, self.options.concurrency):
                response = _client().request(method, url, json=body, headers=self.headers,
                                             timeout=timeout)
        except httpx.TimeoutException as exc:
            raise _Transient(f"no answer within {self.options.timeout:g}s "
                             f"({type(exc).__name__})") from exc
        except httpx.RequestError as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status in _TRANSIENT_STATUS or status >= 500:
            raise _Transient(f"HTTP {status}: {_server_message(response)}",
                             _retry_after(response))
        if not 200 <= status < 300:
            raise PolicyError(f"{method} {url} answered HTTP {status}: "
                              f"{_server_message(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise _Transient(f"HTTP {status} with a body that is not JSON: "
                             f"{response.text[:_EXCERPT]!r}") from exc


# -- our conversation -> chat-completions messages ------------------------------------------


@dataclass
class _PendingCall:
    recorded_id: str
    wire_id: str


@dataclass
class _Conversation:
    """Builds the wire messages, pairing tool results with the calls they answer."""

    send_reasoning: bool
    wire: list[JSON] = field(default_factory=list)
    _reasoning: tuple[int | None, str] | None = field(default=None, init=False)
    _pending: list[_PendingCall] = field(default_factory=list, init=False)
    _used_ids: set[str] = field(default_factory=set, init=False)

    def add(self, index: int, message: Message) -> None:
        if self._reasoning is not None and (message.role != "assistant"
                                            or message.turn != self._reasoning[0]):
            self._flush_reasoning()
        if message.role == "assistant":
            self._assistant(index, message)
        elif message.role == "tool":
            self._tool(index, message)
        else:
            self.wire.append({"role": message.role, "content": message.content})

    def finish(self) -> list[JSON]:
        self._flush_reasoning()
        return self.wire

    def _assistant(self, index: int, message: Message) -> None:
        if message.channel == "analysis":
            earlier = self._reasoning[1] + "\n" if self._reasoning else ""
            self._reasoning = (message.turn, earlier + message.content)
            return
        wire: JSON = {"role": "assistant", "content": message.content}
        if message.tool_calls:
            wire["tool_calls"] = [self._call(index, number, call)
                                  for number, call in enumerate(message.tool_calls)]
        self._append_assistant(wire)

    def _call(self, index: int, number: int, call: ToolCall) -> JSON:
        wire_id = call.call_id
        if not wire_id or wire_id in self._used_ids:
            wire_id = f"call_{index}_{number}"
        self._used_ids.add(wire_id)
        self._pending.append(_PendingCall(call.call_id, wire_id))
        return {"id": wire_id, "type": "function", "function": {
            "name": call.name, "arguments": json.dumps(call.arguments)}}

    def _tool(self, index: int, message: Message) -> None:
        matches = [p for p in self._pending if message.call_id and p.recorded_id == message.call_id]
        pending = matches[0] if matches else (self._pending[0] if self._pending else None)
        if pending is not None:
            self._pending.remove(pending)
        wire_id = pending.wire_id if pending else (message.call_id or f"call_{index}")
        wire: JSON = {"role": "tool", "tool_call_id": wire_id, "content": message.content}
        if message.name:
            wire["name"] = message.name
        self.wire.append(wire)

    def _append_assistant(self, wire: JSON) -> None:
        if self._reasoning is not None:
            if self.send_reasoning:
                wire["reasoning_content"] = self._reasoning[1]
            self._reasoning = None
        self.wire.append(wire)

    def _flush_reasoning(self) -> None:
        """Analysis with no message after it in its turn goes out as a message of its own."""
        if self._reasoning is not None and self.send_reasoning:
            self._append_assistant({"role": "assistant", "content": ""})
        self._reasoning = None


def to_openai_messages(messages: Sequence[Message], *, send_reasoning: bool = True
                       ) -> list[JSON]:
    """Our conversation as chat-completions messages.

    Analysis becomes the ``reasoning_content`` of the assistant message that
    follows it in the same turn (or is dropped); tool calls get unique ids
    (generated, stable across requests, where missing or repeated) and each
    tool result carries the id of the call it answers.
    """
    conversation = _Conversation(send_reasoning)
    for index, message in enumerate(messages):
        conversation.add(index, message)
    return conversation.finish()


# -- chat-completions response -> AssistantTurn ----------------------------------------------


@dataclass(frozen=True)
class _Choice:
    message: JSON
    finish_reason: str | None
    usage: JSON


class _BadCall(Exception):
    """The model's tool call cannot be used (a format error, not an exception to raise)."""


def _completion(data: Any) -> _Choice:
    """The first choice of a chat completion; a body of another shape is a transient fault."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        raise _Transient(f"the response has no choices: {json.dumps(data)[:_EXCERPT]}")
    choice = choices[0]
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        raise _Transient(f"the first choice has no message: {json.dumps(choice)[:_EXCERPT]}")
    usage = data.get("usage")
    finish = choice.get("finish_reason")
    return _Choice(message, finish if isinstance(finish, str) else None,
                   usage if isinstance(usage, dict) else {})


def _first_model(data: Any) -> str:
    """The first model id of a ``GET /models`` answer."""
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list) or not models or not isinstance(models[0], dict) \
            or not isinstance(models[0].get("id"), str):
        raise _Transient(f"the model list names no model: {json.dumps(data)[:_EXCERPT]}")
    return str(models[0]["id"])


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _arguments(name: str, raw: Any) -> dict[str, Any]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        return json_object(raw)
    except NotAJsonObject as exc:
        raise _BadCall(f"the arguments of {name}: {exc}: {str(raw)[:_EXCERPT]!r}") from exc


def _tool_call(number: int, raw: Any) -> ToolCall:
    function = raw.get("function") if isinstance(raw, dict) else None
    if not isinstance(function, dict):
        raise _BadCall(f"tool call {number} names no function")
    name = function.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _BadCall(f"tool call {number} has no tool name")
    call_id = raw.get("id") if isinstance(raw, dict) else None
    return ToolCall(name=name.strip(), arguments=_arguments(name, function.get("arguments")),
                    call_id=call_id if isinstance(call_id, str) else "")


def _tokens(usage: JSON, key: str) -> int | None:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_turn(choice: _Choice) -> AssistantTurn:
    """The assistant's message as a turn with its token usage; a bad call is a format error."""
    turn = _turn_of(choice)
    turn.prompt_tokens = _tokens(choice.usage, "prompt_tokens")
    turn.completion_tokens = _tokens(choice.usage, "completion_tokens")
    turn.raw = json.dumps(choice.message, ensure_ascii=False, sort_keys=True)
    return turn


def _turn_of(choice: _Choice) -> AssistantTurn:
    message = choice.message
    analysis = _text(message.get("reasoning_content")) or _text(message.get("reasoning"))
    content = _text(message.get("content"))
    raw_calls = message.get("tool_calls") or []
    try:
        if not isinstance(raw_calls, list):
            raise _BadCall("tool_calls is not a list")
        calls = [_tool_call(number, raw) for number, raw in enumerate(raw_calls, start=1)]
    except _BadCall as exc:
        cut = " (the reply was cut off at max_tokens)" if choice.finish_reason == "length" else ""
        return AssistantTurn(analysis=analysis, format_error=f"{exc}{cut}")
    if calls:
        # Text beside tool calls is a preamble, not an answer: keep it with the reasoning.
        analysis = "\n\n".join(part for part in (analysis, content.strip()) if part)
        return AssistantTurn(analysis=analysis, tool_calls=calls)
    return AssistantTurn(analysis=analysis, final=content if content.strip() else None)


# -- the policy ------------------------------------------------------------------------------


def served_model(endpoint: Endpoint) -> str:
    """The endpoint's first model, asked once per process."""
    with _LOCK:
        known = _MODELS.get(endpoint.base_url)
    if known is not None:
        return known
    model = endpoint.request("GET", "/models", None, _first_model)
    with _LOCK:
        return _MODELS.setdefault(endpoint.base_url, model)


class OpenAIPolicy:
    """Asks a chat-completions endpoint for each turn."""

    def __init__(self, endpoint: Endpoint, model: str, name: str) -> None:
        self.endpoint, self.model, self.name = endpoint, model, name

    def request_body(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> JSON:
        """The chat-completions request for the conversation so far."""
        send_reasoning = self.endpoint.options.reasoning == "send"
        body: JSON = {"model": self.model,
                      "messages": to_openai_messages(messages, send_reasoning=send_reasoning),
                      **self.endpoint.options.sampling()}
        if tools:
            body["tools"] = [spec.openai_schema() for spec in tools]
        return body

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        choice = self.endpoint.request("POST", "/chat/completions",
                                       self.request_body(messages, tools), _completion)
        return parse_turn(choice)


def openai_policy(task: Task, argument: str) -> OpenAIPolicy:
    """The factory of ``openai:BASE_URL[?OPTIONS][#MODEL]`` (the task is not needed)."""
    target = parse_target(argument)
    endpoint = Endpoint(target.base_url, target.options)
    model = target.model or served_model(endpoint)
    return OpenAIPolicy(endpoint, model, target.name(model))


__all__ = ["Endpoint", "EndpointOptions", "OpenAIPolicy", "Target", "openai_policy",
           "parse_target", "parse_turn", "to_openai_messages"]
