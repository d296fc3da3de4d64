"""Layered Docker images for cases, built as the SWE-bench harness builds them.

    base         Debian bookworm made offline with ``debootstrap`` and imported
                 (``docker import``): python3 and git, nothing else; no registry needed.
    environment  base + a project's dependencies (Python packages in a venv at
                 /opt/env, then the setup commands), tagged by a hash of that spec
                 and of the base image, so every case of the project shares it.
    instance     environment + the task's repository at its base state, a git
                 repository at /repo holding exactly one commit (the same commit
                 the local sandbox makes, so ``task.base_commit`` holds for both).

Python packages are downloaded on the host by pip (its configured indexes and
caches) into the build context and installed in the image with ``--no-index``,
so building needs no network inside the engine. Every image carries the labels
``LABEL_KIND`` and ``LABEL_KEY``; an image whose tag exists is reused, never
rebuilt. Docker errors are translated once, here, into ``SandboxError``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shlex
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import ConfigError, SandboxError
from harness.sandbox.environments import EnvSpec, download_packages
from harness.sources import source_identity
from harness.task import RepoSource

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.images import Image

try:
    import docker
    from docker.errors import BuildError, DockerException, ImageNotFound

    HAVE_SDK = True
except ImportError:  # the optional extra is not installed; docker_client() says so
    HAVE_SDK = False

Progress = Callable[[str], None]
LABEL_KIND = "org.agent-eval-harness.kind"
LABEL_KEY = "org.agent-eval-harness.key"
LABEL_NAME = "org.agent-eval-harness.name"
LABEL_PARENT = "org.agent-eval-harness.parent"
RECIPE = "3"  # bump when the Dockerfiles change, so older images are not reused
BASE_TAG = "harness-base:bookworm-r2"  # r2: patch added (the official harness's last fallback)
ENV_REPO = "harness-env"
INSTANCE_REPO = "harness-instance"
REPO = "/repo"  # where a case's repository is (a tmpfs the container's start fills)
PREBUILT_REPO = "/testbed"  # where SWE-bench-family images hold the repository
BASE_REPO = "/opt/base-repo"  # where an instance image holds the repository at its base state
SCRATCH = "/scratch"  # commands' scratch directory (reports, logs), outside the repository
CONTROL = "/run/harness"  # the docker sandbox's own files (process-group ids, stdin)
CONTAINER_PATH = "/opt/env/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BASE_PYTHON = "3.11"
BASE_PLATFORM = "manylinux_2_36_x86_64"
_INSTALL_HINT = "the Docker SDK is not installed: pip install '.[docker]'"


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def docker_client() -> DockerClient:
    """A client of the engine named by the environment (``DOCKER_HOST``, else the local socket)."""
    if not HAVE_SDK:
        raise ConfigError(f"the docker sandbox needs it: {_INSTALL_HINT}")
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except DockerException as exc:
        raise SandboxError(f"no Docker engine is reachable ({exc}); start dockerd or set "
                           "DOCKER_HOST") from exc
    return client


# ----------------------------------------------------------------------------- base

def ensure_base_image(client: DockerClient, *, tag: str = BASE_TAG, suite: str = "bookworm",
                      mirror: str = "http://deb.debian.org/debian",
                      progress: Progress = _quiet) -> Image:
    """The base image, built with debootstrap and imported if no image has ``tag``."""
    def build() -> Image:
        with tempfile.TemporaryDirectory(prefix="harness-rootfs-") as rootfs:
            progress(f"debootstrap {suite} into {rootfs} (about a minute)")
            _debootstrap(suite, rootfs, mirror)
            progress(f"importing the root file system as {tag}")
            _import_rootfs(client, rootfs, tag)
        return client.images.get(tag)

    return _existing_or_built(client, tag, build)


def _debootstrap(suite: str, rootfs: str, mirror: str) -> None:
    argv = ["debootstrap", "--variant=minbase", "--include=python3,git,patch", suite, rootfs,
            mirror]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxError(f"could not run debootstrap (apt-get install debootstrap; it needs "
                           f"root and a Debian mirror): {exc}") from exc
    if done.returncode != 0:
        raise SandboxError(f"debootstrap failed (exit {done.returncode}): "
                           f"{(done.stderr or done.stdout)[-800:]}")


def _import_rootfs(client: DockerClient, rootfs: str, tag: str) -> None:
    """Stream ``tar -C rootfs -c .`` into the engine (``docker import``), labelled as base."""
    repository, _, version = tag.partition(":")
    changes = [f'LABEL {LABEL_KIND}="base" {LABEL_KEY}="{version}"',
               f"ENV PATH={CONTAINER_PATH} LANG=C.UTF-8", 'CMD ["/bin/bash"]']
    tar = subprocess.Popen(["tar", "-C", rootfs, "--numeric-owner", "-c", "."],
                           stdout=subprocess.PIPE)
    assert tar.stdout is not None
    chunks = iter(lambda: tar.stdout.read(1 << 20) if tar.stdout else b"", b"")
    try:
        client.api.import_image_from_stream(chunks, repository=repository, tag=version,
                                            changes=changes)
    except DockerException as exc:
        raise SandboxError(f"docker import of {rootfs} failed: {exc}") from exc
    finally:
        tar.stdout.close()
        tar.wait()


# ----------------------------------------------------------------------------- environment

def ensure_env_image(client: DockerClient, spec: EnvSpec, *, base_tag: str = BASE_TAG,
                     progress: Progress = _quiet) -> Image:
    """The environment image of ``spec`` (built from the base image if missing)."""
    base = ensure_base_image(client, tag=base_tag, progress=progress)
    key = spec.key(RECIPE, image_id(base))
    tag = f"{ENV_REPO}:{key}"
    def build() -> Image:
        with tempfile.TemporaryDirectory(prefix="harness-env-") as context:
            progress(f"downloading {len(spec.python_packages)} Python packages for {tag}")
            _download_wheels(spec.python_packages, Path(context) / "wheels")
            dockerfile = _env_dockerfile(base_tag, spec, key, image_id(base))
            (Path(context) / "Dockerfile").write_text(dockerfile)
            return _build(client, tag, progress, path=context)

    return _existing_or_built(client, tag, build)


def _download_wheels(packages: Sequence[str], directory: Path) -> None:
    """pip (and the packages) as wheels for the base image's Python, fetched by the host's pip."""
    download_packages(["pip", *packages], directory, "--only-binary=:all:", "--python-version",
                      BASE_PYTHON, "--implementation", "cp", "--platform", BASE_PLATFORM)


def _env_dockerfile(base_tag: str, spec: EnvSpec, key: str, parent: str) -> str:
    install = ("python3 -m venv --without-pip /opt/env && "
               "/opt/env/bin/python $(ls /tmp/wheels/pip-*.whl)/pip install --quiet --no-index "
               f"--find-links /tmp/wheels {' '.join(map(shlex.quote, spec.python_packages))}"
               " && rm -rf /tmp/wheels")
    lines = [f"FROM {base_tag}", "COPY wheels /tmp/wheels", f"RUN {install}",
             *(f"RUN {command}" for command in spec.setup_commands),
             f'LABEL {LABEL_KIND}="environment" {LABEL_KEY}="{key}" {LABEL_PARENT}="{parent}" '
             f"{LABEL_NAME}={json.dumps(' '.join(spec.python_packages))}"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- instance

def ensure_instance_image(client: DockerClient, source: RepoSource, spec: EnvSpec, *,
                          base_tag: str = BASE_TAG, progress: Progress = _quiet) -> Image:
    """The image of a repository at its base state, committed at /repo, on its environment."""
    from harness.sandbox.local import EXCLUDES, ensure_template

    env = ensure_env_image(client, spec, base_tag=base_tag, progress=progress)
    identity = source_identity(source)
    key = hashlib.sha256(f"{RECIPE}\0{image_id(env)}\0{identity}".encode()).hexdigest()[:16]
    tag = f"{INSTANCE_REPO}:{key}"
    def build() -> Image:
        template = ensure_template(source)
        env_tag = env.tags[0] if env.tags else image_id(env)
        excludes = " ".join(map(shlex.quote, EXCLUDES.splitlines()))
        dockerfile = (f"FROM {env_tag}\nCOPY repo {BASE_REPO}\n"
                      f"RUN printf '%s\\n' {excludes} > {BASE_REPO}/.git/info/exclude && "
                      f"mkdir -p {REPO} {SCRATCH} {CONTROL}\n"
                      f"WORKDIR {REPO}\n"
                      f'LABEL {LABEL_KIND}="instance" {LABEL_KEY}="{key}" '
                      f'{LABEL_PARENT}="{image_id(env)}" {LABEL_NAME}="{identity}"\n')
        with _context_tar(dockerfile, template) as context:
            return _build(client, tag, progress, fileobj=context, custom_context=True)

    return _existing_or_built(client, tag, build)


@contextlib.contextmanager
def _context_tar(dockerfile: str, repo: Path, files: dict[str, str] | None = None,
                 ) -> Iterator[Any]:
    """A build context holding ``Dockerfile``, ``repo/`` and ``files`` (name: text), spooled
    to disk when large."""
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as buffer:
        with tarfile.open(fileobj=buffer, mode="w") as bundle:
            for name, text in {"Dockerfile": dockerfile, **(files or {})}.items():
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                bundle.addfile(info, io.BytesIO(data))
            bundle.add(repo, arcname="repo")
        buffer.seek(0)
        yield buffer


# ----------------------------------------------------------------------------- listing

@dataclass(frozen=True)
class ImageInfo:
    """One harness image: its kind, tags, key, size in bytes (its layers and those below)
    and the harness image it was built on (``""`` for the base)."""

    id: str
    kind: str
    tags: tuple[str, ...]
    key: str
    name: str
    size: int
    parent: str = ""


def list_images(client: DockerClient) -> list[ImageInfo]:
    """Every image this harness built (base, environment and instance), base first."""
    order = {"base": 0, "environment": 1, "instance": 2, "stand-in": 3}
    try:  # summaries, not ``images.list``: it inspects each image and fails on one removed
        summaries = client.api.images(filters={"label": LABEL_KIND})
    except DockerException as exc:
        raise SandboxError(f"could not list images: {exc}") from exc
    infos = [_info(summary) for summary in summaries]
    return sorted(infos, key=lambda i: (order.get(i.kind, 3), i.tags))


def prune_images(client: DockerClient, kinds: Sequence[str] = ("instance",), *,
                 keys: Sequence[str] | None = None, dry_run: bool = False) -> list[ImageInfo]:
    """Remove the harness images of ``kinds`` (instances by default; only those whose key is
    in ``keys`` when given) that no container uses; returns what went (would go)."""
    try:
        in_use = {c.attrs.get("Image", "")
                  for c in client.containers.list(all=True, ignore_removed=True)}
    except DockerException as exc:
        raise SandboxError(f"could not list containers: {exc}") from exc
    removed = []
    for info in reversed(list_images(client)):
        if info.kind not in kinds or info.id in in_use or (keys is not None
                                                             and info.key not in keys):
            continue
        if not dry_run:
            try:
                client.images.remove(info.id, force=True)
            except ImageNotFound:
                continue
            except DockerException as exc:
                raise SandboxError(f"could not remove {info.tags or info.id}: {exc}") from exc
        removed.append(info)
    return removed


def _info(summary: dict[str, Any]) -> ImageInfo:
    """An image as the engine's image list summarises it (``GET /images/json``)."""
    labels: dict[str, str] = summary.get("Labels") or {}
    tags = tuple(tag for tag in summary.get("RepoTags") or () if tag != "<none>:<none>")
    return ImageInfo(id=summary["Id"], kind=labels.get(LABEL_KIND, ""), tags=tags,
                     key=labels.get(LABEL_KEY, ""), name=labels.get(LABEL_NAME, ""),
                     size=int(summary.get("Size", 0)), parent=labels.get(LABEL_PARENT, ""))


def own_sizes(images: Sequence[ImageInfo]) -> dict[str, int]:
    """Bytes each image adds on top of the harness image it was built on (its parent's
    layers are shared, so counting them again would overstate the disk used)."""
    sizes = {info.id: info.size for info in images}
    return {info.id: info.size - sizes.get(info.parent, 0) for info in images}


# ----------------------------------------------------------------------------- plumbing

def _existing_or_built(client: DockerClient, tag: str, build: Callable[[], Image]) -> Image:
    """The image tagged ``tag``, built by ``build`` (one builder per tag) when missing.

    The lock is taken only when the image is missing (then looked for again under it), so
    the common case, an image that exists, costs one inspection.
    """
    found = _existing(client, tag)
    if found is not None:
        return found
    with _build_lock(tag):
        found = _existing(client, tag)
        return found if found is not None else build()


def _existing(client: DockerClient, tag: str) -> Image | None:
    try:
        return client.images.get(tag)
    except ImageNotFound:
        return None
    except DockerException as exc:
        raise SandboxError(f"could not inspect image {tag}: {exc}") from exc


def _build(client: DockerClient, tag: str, progress: Progress, **context: Any) -> Image:
    """Classic builder (no buildx): stream the build log to ``progress``."""
    progress(f"building {tag}")
    try:
        image, log = client.images.build(tag=tag, rm=True, forcerm=True, **context)
    except BuildError as exc:
        tail = "".join(str(line.get("stream", line.get("error", ""))) for line in exc.build_log)
        raise SandboxError(f"building {tag} failed: {exc.msg}\n{tail[-1500:]}") from exc
    except DockerException as exc:
        raise SandboxError(f"building {tag} failed: {exc}") from exc
    for line in log:
        text = str(line.get("stream", "")).strip() if isinstance(line, dict) else ""
        if text.startswith("Step "):
            progress(text)
    return image


def ensure_prebuilt_image(client: DockerClient, name: str) -> Image:
    """A prebuilt instance image (SWE-bench's ``swebench/sweb.eval...``): on this machine, or
    pulled from its registry; a ``SandboxError`` that says what to do where neither works."""
    with _build_lock(name):
        existing = _existing(client, name)
        if existing is not None:
            return existing
        try:
            return client.images.pull(name)
        except DockerException as exc:
            raise SandboxError(
                f"image {name} is not on this machine and cannot be pulled ({exc}); pull it "
                "where a registry is reachable and `docker save`/`docker load` it here, or "
                "build a stand-in with that tag") from exc


STANDIN_ENV = "/opt/miniconda3/envs/testbed"
_PURELIB = shlex.quote("import sysconfig; print(sysconfig.get_paths()['purelib'])")
_CONDA_SHIM = r"""# stand-in for conda's activate script: 'conda activate NAME' sources NAME's venv
conda() {
  if [ "$1" = activate ]; then . "/opt/miniconda3/envs/${2:-testbed}/bin/activate"
  else echo "conda stand-in: only 'conda activate NAME' is available" >&2; return 1; fi
}
"""


def build_standin_image(client: DockerClient, name: str, checkout: Path, spec: EnvSpec, *,
                        base_tag: str = BASE_TAG, progress: Progress = _quiet) -> Image:
    """A stand-in for a prebuilt SWE-bench instance image, tagged ``name``, for machines no
    registry reaches: a clone of ``checkout`` (a git checkout at the row's base commit, so
    the commit ids match) in /testbed, importable from the project's venv (as the official
    images' editable installs make it), the venv at the path of the official conda
    environment, and an ``activate`` script whose ``conda activate testbed`` enters it, so
    the row's own eval script runs unchanged. Built when missing or made from another
    commit."""
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode != 0:
        raise ConfigError(f"{checkout}: not a git checkout ({head.stderr.strip()}); a stand-in "
                          "holds the repository at the row's base commit")
    env = ensure_env_image(client, spec, base_tag=base_tag, progress=progress)

    def build() -> Image:
        env_tag = env.tags[0] if env.tags else image_id(env)
        dockerfile = (f"FROM {env_tag}\nCOPY repo {PREBUILT_REPO}\n"
                      "COPY activate /opt/miniconda3/bin/activate\n"
                      f"RUN mkdir -p /opt/miniconda3/envs && ln -s /opt/env {STANDIN_ENV} && "
                      f'echo {PREBUILT_REPO} > "$(/opt/env/bin/python -c {_PURELIB})/testbed.pth"'
                      "\n"
                      f"WORKDIR {PREBUILT_REPO}\n"
                      f'LABEL {LABEL_KIND}="stand-in" {LABEL_KEY}="{head.stdout.strip()}" '
                      f'{LABEL_PARENT}="{image_id(env)}" {LABEL_NAME}="{checkout.resolve()}"\n')
        with tempfile.TemporaryDirectory(prefix="harness-standin-") as scratch:
            clone = Path(scratch) / "repo"
            done = subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(checkout),
                                   str(clone)], capture_output=True, text=True)
            if done.returncode != 0:
                raise SandboxError(f"could not clone {checkout}: {done.stderr[-500:]}")
            with _context_tar(dockerfile, clone, {"activate": _CONDA_SHIM}) as context:
                return _build(client, name, progress, fileobj=context, custom_context=True)

    with _build_lock(name):
        existing = _existing(client, name)
        if existing is not None and existing.labels.get(LABEL_KEY) == head.stdout.strip():
            return existing
        return build()  # missing, or a stand-in of another commit: the tag moves to the new one


def image_id(image: Image) -> str:
    """The image's id (the SDK types it optional; an image from the engine always has one)."""
    if not image.id:
        raise SandboxError(f"the engine returned an image without an id: {image.attrs}")
    return image.id


@contextlib.contextmanager
def _build_lock(tag: str) -> Iterator[None]:
    """One builder per tag on this machine (xdist workers race for the same images).

    The images live in the engine, not in ``HARNESS_CACHE``, so the locks do not either:
    two runs with different caches still build each tag once.
    """
    directory = Path(tempfile.gettempdir()) / f"harness-image-locks-{os.getuid()}"
    directory.mkdir(parents=True, exist_ok=True)
    name = tag.replace("/", "_").replace(":", "_")
    with open(directory / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
