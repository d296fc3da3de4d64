"""What only the docker backend has: limits, layered images, a dying container, the CLI.

The behaviour shared with the local sandbox is in ``test_sandbox_contract.py``.
Every test here needs a Docker engine (skipped with the reason where there is none).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from docker.errors import NotFound
except ImportError:
    if os.environ.get("HARNESS_REQUIRE_DOCKER") == "1":
        raise
    pytest.skip("the Docker SDK is not installed (pip install -e '.[docker]')",
                allow_module_level=True)

from harness.bank import Bank
from harness.errors import SandboxError
from harness.protocols import Sandbox, SandboxFactory
from harness.run_config import RunConfig
from harness.rundir import RunDir
from harness.runner import SandboxOpener, open_sandbox, run_case
from harness.sandbox import images
from harness.sandbox.backends import sandbox_opener
from harness.sandbox.docker import DockerSandbox
from harness.sandbox.environments import EnvSpec, env_spec
from harness.sandbox.images import (
    LABEL_KEY,
    LABEL_PARENT,
    ensure_env_image,
    ensure_instance_image,
    image_id,
    list_images,
    prune_images,
)
from harness.task import Task

pytestmark = pytest.mark.docker


@pytest.fixture
def container(docker_engine: Any, tiny_task: Task) -> Iterator[DockerSandbox]:
    with sandbox_opener(tiny_task, "docker")() as box:
        assert isinstance(box, DockerSandbox)
        yield box


def test_the_container_has_no_network_and_bounded_resources(container: DockerSandbox) -> None:
    container.container.reload()
    host = container.container.attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["NanoCpus"] > 0 and host["Memory"] > 0 and host["PidsLimit"] > 0
    assert "no-new-privileges" in host["SecurityOpt"]
    assert set(host["Tmpfs"]) == {"/repo", "/tmp", "/scratch"}  # sized: disk is bounded too
    routes = container.exec(["cat", "/proc/net/route"], timeout=30)
    assert routes.ok and len(routes.stdout.strip().splitlines()) == 1  # the header only


def test_closing_removes_the_container(docker_engine: Any, tiny_task: Task) -> None:
    box = sandbox_opener(tiny_task, "docker")()
    assert isinstance(box, DockerSandbox)
    name = box.container.id
    box.close()
    with pytest.raises(NotFound):
        docker_engine.containers.get(name)
    box.close()  # closing twice is harmless


def test_a_dead_container_is_an_infrastructure_error(container: DockerSandbox) -> None:
    container.container.kill()
    with pytest.raises(SandboxError, match="could not run"):
        container.exec(["true"], timeout=30)


def killing_opener(doomed: set[int]) -> tuple[SandboxOpener, list[DockerSandbox]]:
    """Sandboxes as the runner opens them; the container of each open numbered in ``doomed``
    (1 is the first) is killed as soon as it has started."""
    opened: list[DockerSandbox] = []

    def opener(task: Task, config: RunConfig) -> SandboxFactory:
        real = open_sandbox(task, config)

        def open_one() -> Sandbox:
            box = real()
            assert isinstance(box, DockerSandbox)
            opened.append(box)
            if len(opened) in doomed:
                box.container.kill()
            return box

        return open_one

    return opener, opened


def test_the_runner_replays_an_episode_whose_container_died(docker_engine: Any, tiny_task: Task,
                                                            run_dir: RunDir) -> None:
    config = RunConfig(model="oracle", sandbox="docker", infra_retries=1)
    opener, opened = killing_opener({1})
    result = run_case(tiny_task, 1, config, run_dir, opener)
    assert (result.status, result.attempts, result.error) == ("resolved", 2, None)
    assert len(opened) == 3  # the dead episode, the episode again, its grading


def test_a_container_that_always_dies_is_never_counted_as_a_model_failure(
        docker_engine: Any, tiny_task: Task, run_dir: RunDir) -> None:
    config = RunConfig(model="oracle", sandbox="docker", infra_retries=1)
    opener, _ = killing_opener(set(range(1, 10)))
    result = run_case(tiny_task, 1, config, run_dir, opener)
    assert (result.status, result.attempts) == ("infra_error", 2)
    assert result.error is not None and "SandboxError" in result.error
    assert [row.status for row in run_dir.results()] == ["infra_error"]


def test_images_are_layered_labelled_and_reused(docker_engine: Any, tiny_task: Task,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec = env_spec(tiny_task)
    instance = ensure_instance_image(docker_engine, tiny_task.repo_source, spec)

    def no_rebuild(client: Any, tag: str, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{tag} was built again")

    # Other tests build and prune images at the same time (-n 2): watch the builder
    # rather than the engine's image list.
    with monkeypatch.context() as patched:
        patched.setattr(images, "_build", no_rebuild)
        again = ensure_instance_image(docker_engine, tiny_task.repo_source, spec)
    assert image_id(again) == image_id(instance)
    env = ensure_env_image(docker_engine, spec)
    assert image_id(env) in [layer["Id"] for layer in instance.history()]
    assert instance.labels[LABEL_PARENT] == image_id(env)
    kinds = {info.id: info.kind for info in list_images(docker_engine)}
    assert (kinds[image_id(instance)], kinds[image_id(env)]) == ("instance", "environment")
    assert "base" in kinds.values()


def test_environment_images_are_keyed_by_their_spec(docker_engine: Any) -> None:
    plain, other = EnvSpec(), EnvSpec(setup_commands=("echo extra > /opt/extra",))
    base = "sha256:0"
    assert plain.key(images.RECIPE, base) == EnvSpec().key(images.RECIPE, base)
    assert plain.key(images.RECIPE, base) != other.key(images.RECIPE, base) != plain.key(
        images.RECIPE, "sha256:1")


def test_cases_of_one_source_share_one_instance_image(docker_engine: Any,
                                                           tiny_bank: Bank) -> None:
    images = {image_id(ensure_instance_image(docker_engine, task.repo_source, env_spec(task)))
              for task in tiny_bank.tasks}
    sources = {task.repo_source.model_dump_json() for task in tiny_bank.tasks}
    assert len(images) == len(sources)


def test_the_images_command_builds_lists_and_prunes(docker_engine: Any, tiny_bank: Bank) -> None:
    def harness(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "harness.cli", "images", *args],
                              capture_output=True, text=True, timeout=900)

    sources = {task.repo_source.model_dump_json() for task in tiny_bank.tasks}
    built = harness("build", str(tiny_bank.path))
    assert built.returncode == 0, built.stderr
    assert f"{len(tiny_bank.tasks)} cases use {len(sources)} instance image(s)" in built.stdout
    tag = ensure_instance_image(docker_engine, tiny_bank.tasks[0].repo_source,
                                env_spec(tiny_bank.tasks[0])).tags[0]
    listed = harness("list")
    assert listed.returncode == 0 and tag in listed.stdout and "disk use:" in listed.stdout
    dry = harness("prune", "--dry-run")
    assert dry.returncode == 0 and "would remove" in dry.stdout
    assert tag in {t for info in list_images(docker_engine) for t in info.tags}


def test_pruning_removes_unused_images_and_keeps_those_in_use(docker_engine: Any,
                                                              tiny_task: Task) -> None:
    # An environment of its own, so no other test's images are touched.
    spec = EnvSpec(setup_commands=("echo pruned-in-a-test > /opt/marker",))
    instance = ensure_instance_image(docker_engine, tiny_task.repo_source, spec)
    key = instance.labels[LABEL_KEY]
    with DockerSandbox(image_id(instance), client=docker_engine):
        assert prune_images(docker_engine, keys=[key]) == []
    removed = prune_images(docker_engine, keys=[key])
    assert [info.id for info in removed] == [image_id(instance)]
    assert image_id(instance) not in {info.id for info in list_images(docker_engine)}
