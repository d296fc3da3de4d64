"""Harness tasks as SWE-bench 5.x task repositories, the layout ``swebench.task.repo`` reads.

A task repository holds ``sweb.yaml`` (the datasets it publishes and their splits) and one
directory per instance, ``tasks/<instance_id>/``:

    task.yaml             instance_id, repo, version, base_commit, split, datasets, image,
                          log_parser (``parse_log_pytest``), eval_type (``pass_and_fail``)
    tests.json            FAIL_TO_PASS and PASS_TO_PASS
    problem_statement.md  hints.md (only when the task has hints)
    gold.patch            test.patch
    eval.sh               resets the hidden tests' files, applies ``test.patch``, runs the
                          files holding FAIL_TO_PASS and PASS_TO_PASS (what the harness's grader
                          runs) with ``-rA`` between the ``>>>>> Start/End Test Output`` markers
    Dockerfile            the instance image; its build context is the task directory
    base.bundle           the repository at its base state (a git bundle of the one commit
                          the harness's sandboxes hold, so ``base_commit`` is the same)
    wheels/               pip and the task's Python packages, for the base Python (only when
                          the Dockerfile builds the environment itself)

``image`` is the name the official harness derives (``swebench/sweb.eval.x86_64.<id>:latest``,
``swebench.task.checks.expected_image``), so ``swebench.harness.run_evaluation`` with
``--task_repo`` builds the image from the Dockerfile under that name and grades in it.

The Dockerfile starts ``FROM`` an image of this harness: by default the base image
(``harness images build --base-only``), then builds the environment as the harness's
environment images do (a venv at /opt/env from the bundled wheels, then the task's setup
commands); given ``base_image`` (an environment image of the task's ``EnvSpec``, say), it
starts from that image and adds only the repository. Nothing is pulled from a registry.

``task.yaml`` and ``sweb.yaml`` are written as JSON, which is YAML too (the package's
``load_yaml`` is ``yaml.safe_load``), so no YAML library is needed here.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from harness.datasets.swebench_spec import END_TEST_OUTPUT, START_TEST_OUTPUT, instance_image_name
from harness.errors import ConfigError
from harness.grading.patches import test_files_of, touched_files
from harness.sandbox.environments import EnvSpec, download_packages, env_spec
from harness.sandbox.images import BASE_PLATFORM, BASE_PYTHON, BASE_TAG, CONTAINER_PATH
from harness.sandbox.local import ensure_template
from harness.task import Task

DEFAULT_DATASET = "agent-eval-harness/tasks"
SPLIT = "test"
LOG_PARSER = "parse_log_pytest"
EVAL_TYPE = "pass_and_fail"
WORKDIR = "/testbed"
CONFIG_FILE = "sweb.yaml"
TASKS_SUBDIR = "tasks"
BUNDLE = "base.bundle"
WHEELS = "wheels"
HEREDOC = "EOF_114329324912"


def export_task_repo(task: Task, out_dir: Path, *, base_image: str | None = None,
                     dataset: str = DEFAULT_DATASET) -> Path:
    """Write ``task`` as ``tasks/<instance_id>/`` of the task repository ``out_dir`` (made,
    or its ``sweb.yaml`` extended with ``dataset``) and return that task directory.

    The repository comes from the task's base state as the sandboxes make it
    (``ensure_template``); a ``ConfigError`` says so when its commit is not the task's
    ``base_commit``. ``base_image`` is the image the Dockerfile starts from; it must hold
    the task's environment (``python`` with its packages on PATH, and git). Without it the
    Dockerfile starts from the harness's base image and builds the environment, and the
    wheels are downloaded now, with the host's pip.
    """
    root = Path(out_dir)
    _add_dataset(root, dataset)
    template = ensure_template(task.repo_source)
    head = _git(template, "rev-parse", "HEAD").strip()
    if task.base_commit and head != task.base_commit:
        raise ConfigError(f"{task.instance_id}: the base state's commit is {head}, the task "
                          f"says {task.base_commit}; regenerate the bank or its sources")
    at_base = set(_git(template, "ls-files", "-z").split("\0"))
    task_dir = root / TASKS_SUBDIR / task.instance_id
    shutil.rmtree(task_dir, ignore_errors=True)
    task_dir.mkdir(parents=True)
    meta: dict[str, Any] = {
        "instance_id": task.instance_id, "repo": task.repo, "version": task.version,
        "base_commit": head, "environment_setup_commit": task.environment_setup_commit,
        "created_at": task.created_at, "split": SPLIT, "datasets": [dataset],
        "image": instance_image_name(task.instance_id), "log_parser": LOG_PARSER,
        "eval_type": EVAL_TYPE,
    }
    files = {
        "task.yaml": json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        "tests.json": json.dumps({"FAIL_TO_PASS": task.FAIL_TO_PASS,
                                  "PASS_TO_PASS": task.PASS_TO_PASS},
                                 indent=2, ensure_ascii=False) + "\n",
        "problem_statement.md": task.problem_statement,
        "gold.patch": task.patch,
        "test.patch": task.test_patch,
        "eval.sh": eval_script(task, head, at_base),
        "Dockerfile": dockerfile(task, head, base_image),
    }
    if task.hints_text:
        files["hints.md"] = task.hints_text
    for name, text in files.items():
        with open(task_dir / name, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)  # newline="": CRLF inside a patch stays as it is
    _git(template, "bundle", "create", "--quiet", str((task_dir / BUNDLE).resolve()),
         "HEAD", "main")
    if base_image is None:
        fetch_wheels(env_spec(task), task_dir / WHEELS)
    return task_dir


def eval_script(task: Task, base_commit: str, at_base: set[str]) -> str:
    """The eval script: the official shape (``set -uxo pipefail``, the markers), running
    the files that hold the graded tests, as the harness's grader does."""
    reset = sorted(path for path in touched_files(task.test_patch) if path in at_base)
    checkout = ([f"git checkout {base_commit} -- {' '.join(map(shlex.quote, reset))}"]
                if reset else [])
    delimiter = HEREDOC
    while delimiter in task.test_patch:
        delimiter += "_"
    patch = task.test_patch if task.test_patch.endswith("\n") else task.test_patch + "\n"
    files = test_files_of([*task.FAIL_TO_PASS, *task.PASS_TO_PASS])
    lines = [
        "#!/bin/bash", "set -uxo pipefail", f"cd {WORKDIR}",
        f"git config --global --add safe.directory {WORKDIR}",
        *checkout,
        f"git apply --verbose --whitespace=nowarn - <<'{delimiter}'\n{patch}{delimiter}",
        f": '{START_TEST_OUTPUT}'",
        " ".join([task.test_command, "-rA", *map(shlex.quote, files)]),
        f": '{END_TEST_OUTPUT}'",
        *checkout,
    ]
    return "\n".join(lines) + "\n"


def dockerfile(task: Task, base_commit: str, base_image: str | None) -> str:
    """The instance image: the environment (unless ``base_image`` holds it), then the
    repository cloned from the bundle into /testbed, checked to be at ``base_commit``."""
    lines = [f"FROM {base_image or BASE_TAG}"]
    if base_image is None:
        spec = env_spec(task)
        packages = " ".join(map(shlex.quote, spec.python_packages))
        lines += [f"COPY {WHEELS} /tmp/{WHEELS}",
                  "RUN python3 -m venv --without-pip /opt/env && /opt/env/bin/python "
                  f"$(ls /tmp/{WHEELS}/pip-*.whl)/pip install --quiet --no-index "
                  f"--find-links /tmp/{WHEELS} {packages} && rm -rf /tmp/{WHEELS}",
                  *(f"RUN {command}" for command in spec.setup_commands)]
    lines += [f"ENV PATH={CONTAINER_PATH} LANG=C.UTF-8",
              f"COPY {BUNDLE} /tmp/{BUNDLE}",
              f"RUN git clone --quiet /tmp/{BUNDLE} {WORKDIR} && "
              f"git -C {WORKDIR} remote remove origin && rm /tmp/{BUNDLE} && "
              f'test "$(git -C {WORKDIR} rev-parse HEAD)" = {base_commit}',
              f"WORKDIR {WORKDIR}"]
    return "\n".join(lines) + "\n"


def fetch_wheels(spec: EnvSpec, directory: Path) -> None:
    """pip and the spec's packages as wheels for the base image's Python (host's pip)."""
    directory.mkdir(parents=True, exist_ok=True)
    download_packages(["pip", *spec.python_packages], directory, "--only-binary=:all:",
                      "--python-version", BASE_PYTHON, "--implementation", "cp",
                      "--platform", BASE_PLATFORM)


def _add_dataset(root: Path, dataset: str) -> None:
    """Create ``sweb.yaml``, or add ``dataset`` to the datasets it publishes."""
    path = root / CONFIG_FILE
    config: dict[str, Any] = {"datasets": [], "splits": [SPLIT]}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            loaded = None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: not a task repository's config written by this module")
        config.update(loaded)
    if dataset not in config["datasets"]:
        config["datasets"] = [*config["datasets"], dataset]
    root.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise ConfigError(f"git {args[0]} failed in {repo}: {done.stderr.strip()[-500:]}")
    return done.stdout
