"""The sandbox backends, chosen by name: ``local`` (a copy of the repository on this
machine, optionally under bubblewrap) and ``docker`` (a container of the case's
instance image, see ``harness.sandbox.docker``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from harness.protocols import Sandbox
from harness.sandbox.environments import env_spec
from harness.sandbox.limits import Limits
from harness.sandbox.local import Isolation, LocalSandbox
from harness.task import Task

if TYPE_CHECKING:
    from docker import DockerClient

SandboxKind = Literal["local", "docker"]
BACKENDS: tuple[SandboxKind, ...] = ("local", "docker")


def sandbox_opener(task: Task, kind: SandboxKind = "local", isolation: Isolation = "none",
                   limits: Limits | None = None) -> Callable[[], Sandbox]:
    """A function that opens a fresh sandbox of ``task`` at its base state.

    For ``docker``, the engine is reached now (so a missing engine fails before any
    work); the case's instance image is found, or built, at the first open and reused by
    the later ones. A task that names a prebuilt ``image`` (a SWE-bench-family row) runs in
    that image, found or pulled, with the repository where the image holds it.
    """
    if kind == "local":
        environment = env_spec(task)
        return lambda: LocalSandbox(task.repo_source, isolation=isolation,
                                    expected_commit=task.base_commit, environment=environment,
                                    limits=limits)
    if kind == "docker" and task.image:
        from harness.sandbox.docker import PREBUILT_LAYOUT, DockerSandbox
        from harness.sandbox.images import ensure_prebuilt_image, image_id

        client = shared_docker_client()

        @functools.cache
        def prebuilt() -> str:
            return image_id(ensure_prebuilt_image(client, task.image))

        return lambda: DockerSandbox(prebuilt(), client=client, expected_commit=task.base_commit,
                                     limits=limits, layout=PREBUILT_LAYOUT)
    if kind == "docker":
        from harness.sandbox.docker import DockerSandbox
        from harness.sandbox.images import ensure_instance_image, image_id

        client = shared_docker_client()

        @functools.cache
        def instance_image() -> str:  # looked up (or built) once per opener, not per sandbox
            return image_id(ensure_instance_image(client, task.repo_source, env_spec(task)))

        return lambda: DockerSandbox(instance_image(), client=client,
                                     expected_commit=task.base_commit, limits=limits)
    raise ValueError(f"unknown sandbox backend {kind!r}; choose one of {', '.join(BACKENDS)}")


@functools.cache
def shared_docker_client() -> DockerClient:
    """One client per process (it pings the engine once; threads share it)."""
    from harness.sandbox.images import docker_client

    return docker_client()
