"""Project sources: turn a task's ``repo_source`` into a directory holding the source tree.

Three kinds, each cached once per machine under ``$HARNESS_CACHE/sources``:

- ``path``: a directory on disk, used as it is;
- ``git``: a repository URL at one commit; only the commit's tree is exported
  (``git archive``), so no history reaches a case;
- ``pypi``: a source distribution by name and version, found through PyPI's
  JSON simple API (PEP 691), downloaded once and refused unless its sha256
  matches the pin.

The identity of a tree (``source_identity``) keys the sandbox templates: a
pinned sdist or commit is identified by its pin, a directory by a hash of its
files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from harness.errors import SandboxError
from harness.process import run_bounded
from harness.task import GitSource, PathSource, RepoSource

DEFAULT_INDEX = "https://pypi.org/simple"
_IGNORED_DIRS = (".git", "__pycache__", ".pytest_cache")
_SDIST_SUFFIXES = (".tar.gz", ".zip")


def cache_root() -> Path:
    """Where sources, templates and workspaces live (``$HARNESS_CACHE``, else ``~/.cache``)."""
    root = os.environ.get("HARNESS_CACHE") or Path.home() / ".cache" / "agent-eval-harness"
    return Path(root)


def source_tree(source: RepoSource) -> Path:
    """The directory holding ``source``'s files (fetched and unpacked once, then reused)."""
    if isinstance(source, PathSource):
        path = Path(source.path)
        if not path.is_dir():
            raise SandboxError(f"repository source {path} is not a directory")
        return path
    if isinstance(source, GitSource):
        return _git_tree(source.url, source.commit)
    return _sdist_tree(source.name, source.version, source.sha256)


def source_identity(source: RepoSource) -> str:
    """A short name plus a digest that changes whenever the tree or the base patch does."""
    if isinstance(source, PathSource):
        name, pin = Path(source.path).name, tree_digest(source.path)
    elif isinstance(source, GitSource):
        name, pin = _repo_name(source.url), f"{source.url}@{source.commit}"
    else:
        name, pin = f"{normalise(source.name)}-{source.version}", source.sha256
    # Deleting files also takes them out of packaging file lists (scrub_file_lists, v2).
    hidden = "\0".join([*source.delete, "scrubbed-file-lists-v2"]) if source.delete else ""
    digest = hashlib.sha256(f"{pin}\0{source.base_patch}\0{hidden}".encode()).hexdigest()[:16]
    return f"{name}-{digest}"


@functools.cache
def tree_digest(directory: str) -> str:
    """sha256 over every file's relative path and bytes (caches and .git ignored)."""
    digest = hashlib.sha256()
    root = Path(directory)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not is_ignored(relative):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_ignored(relative: Path) -> bool:
    """Byte code and tool caches are not part of a source tree."""
    return relative.suffix == ".pyc" or any(part in _IGNORED_DIRS for part in relative.parts)


def normalise(name: str) -> str:
    """PEP 503 project name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def find_sdist(name: str, version: str, index_url: str | None = None) -> tuple[str, str]:
    """(download URL, sha256) of ``name``'s sdist for ``version``, from the simple index."""
    index = (index_url or os.environ.get("HARNESS_PYPI_INDEX") or DEFAULT_INDEX).rstrip("/")
    url = f"{index}/{normalise(name)}/"
    try:
        response = httpx.get(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"},
                             follow_redirects=True, timeout=60)
        response.raise_for_status()
        files = response.json()["files"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise SandboxError(f"could not read the package index at {url}: {exc}; check the "
                           "network or set HARNESS_PYPI_INDEX to a reachable index") from exc
    for entry in files:
        if _sdist_matches(entry["filename"], name, version) and "sha256" in entry["hashes"]:
            return entry["url"], entry["hashes"]["sha256"]
    raise SandboxError(f"{url} lists no source distribution of {name} {version}")


def fetch_sdist(name: str, version: str, sha256: str) -> Path:
    """The sdist file of ``name`` ``version`` in the cache, downloaded if needed and verified."""
    directory = cache_root() / "sources" / "sdists"
    directory.mkdir(parents=True, exist_ok=True)
    cached = [p for p in directory.glob(f"{sha256}-*") if p.is_file()]
    if cached:
        return cached[0]
    url, listed = find_sdist(name, version)
    if listed != sha256:
        raise SandboxError(f"the index lists sha256 {listed} for {name} {version}, but the task "
                           f"pins {sha256}: the release changed; rebuild the bank")
    data = _download(url)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise SandboxError(f"downloaded {url} has sha256 {actual}, expected {sha256}")
    target = directory / f"{sha256}-{url.rsplit('/', 1)[-1]}"
    _write_atomically(target, data)
    return target


def _download(url: str) -> bytes:
    try:
        response = httpx.get(url, follow_redirects=True, timeout=300)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SandboxError(f"could not download {url}: {exc}") from exc
    return response.content


def _sdist_tree(name: str, version: str, sha256: str) -> Path:
    target = cache_root() / "sources" / "trees" / f"{normalise(name)}-{version}-{sha256[:16]}"
    if target.is_dir():
        return target
    archive = fetch_sdist(name, version, sha256)
    with _staging(target) as staging:
        _unpack(archive, staging)
        roots = [p for p in staging.iterdir()]
        if len(roots) != 1 or not roots[0].is_dir():
            raise SandboxError(f"{archive.name} does not hold exactly one top-level directory")
        roots[0].rename(staging / "tree")
        _publish(staging / "tree", target)
    return target


def _unpack(archive: Path, destination: Path) -> None:
    """Unpack a .tar.gz or .zip, refusing members that would land outside ``destination``."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.namelist():
                if not (destination / member).resolve().is_relative_to(destination.resolve()):
                    raise SandboxError(f"{archive.name}: member {member!r} leaves the archive")
            bundle.extractall(destination)
        return
    with tarfile.open(archive) as bundle:
        bundle.extractall(destination, filter="data")


def _git_tree(url: str, commit: str) -> Path:
    target = cache_root() / "sources" / "trees" / f"{_repo_name(url)}-{commit[:16]}"
    if target.is_dir():
        return target
    mirror = cache_root() / "sources" / "git" / hashlib.sha256(url.encode()).hexdigest()[:16]
    if not mirror.is_dir():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        with _staging(mirror) as staging:
            _run_git(["clone", "-q", "--bare", url, str(staging / "mirror")], staging)
            _publish(staging / "mirror", mirror)
    present = run_bounded(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=str(mirror),
                          env=dict(os.environ), timeout=60)
    if not present.ok:
        _run_git(["fetch", "-q", "origin", commit], mirror)
    with _staging(target) as staging:
        archive = staging / "tree.tar"
        _run_git(["archive", "--format=tar", "-o", str(archive), commit], mirror)
        (staging / "tree").mkdir()
        with tarfile.open(archive) as bundle:
            bundle.extractall(staging / "tree", filter="data")
        _publish(staging / "tree", target)
    return target


def _run_git(args: list[str], cwd: Path) -> None:
    result = run_bounded(["git", *args], cwd=str(cwd), env=dict(os.environ), timeout=600)
    if not result.ok:
        raise SandboxError(f"git {' '.join(args[:2])} failed: {result.combined()[-800:]}")


def _repo_name(url: str) -> str:
    stem = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem) or "repo"


def _sdist_matches(filename: str, name: str, version: str) -> bool:
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename.removesuffix(suffix)
            project, _, release = stem.rpartition("-")
            return normalise(project) == normalise(name) and release == version
    return False


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A private directory next to ``target``, removed on exit (``_publish`` moves out of it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _publish(built: Path, target: Path) -> None:
    """Move a finished directory into place; a concurrent builder that won is fine."""
    try:
        built.rename(target)
    except OSError:
        if not target.is_dir():
            raise


def _write_atomically(target: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(data)
    Path(handle.name).replace(target)
