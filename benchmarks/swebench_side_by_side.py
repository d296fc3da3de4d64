"""This harness's grading beside the official swebench 5.x package's, on the same cases.

The navigation fixture bank (``suites/navigation/bank.jsonl``) is exported as a SWE-bench
task repository (``harness.datasets.task_repos``: task.yaml, tests.json, eval.sh, a
Dockerfile and the base state as a git bundle, per case). For ``--cases`` cases, spread
over the bank's projects, three patches are graded by both: the gold patch, the null
(empty) patch, and a broken one (the gold patch with a syntax error, ``$``, put at the
start of its first added line of code). The same ``--jobs`` workers run both:

* ours: the case's grader (``HiddenTests``) grades each submission in a fresh docker
  sandbox, ``--jobs`` gradings at a time (threads, as ``harness tasks validate`` runs
  cases). Its images are built first and not timed (``benchmarks/sandbox.py`` does the
  same).
* official: ``swebench.harness.run_evaluation.main`` with ``task_repo`` = the export and
  ``max_workers`` = ``--jobs``, once per patch kind (it grades one prediction per instance
  per run), as shipped: it force-rebuilds the instance images from the task repository's
  Dockerfiles under the names it derives (``swebench/sweb.eval.x86_64.<id>:latest``),
  then grades in them. Its wall time is printed whole and without the image builds (read
  from its own build logs' timestamps).

Each Dockerfile starts ``FROM`` an image built here (``--official-from env``: the case's
harness environment image, so both graders run the same Python and packages; ``base``:
``harness-base:bookworm-r2``, the environment built from bundled wheels), so nothing is
pulled. What had to be worked around, without touching the package's grading code: its
image builder runs ``docker buildx build ... --load``, and where the ``buildx`` plugin is
missing (no registry here can supply it) a ``docker`` shim put first on PATH for the
official run turns that one command into the classic ``docker build`` with the same tag,
Dockerfile and context, and passes every other ``docker`` command through unchanged. The
package writes its logs under the working directory (``logs/``), so the official run works
in a scratch directory; its own output goes to ``official.log`` there.

Prints, per case and patch kind, both verdicts and whether they agree, then the totals:
identical verdicts, each wall time and the ratio official / ours. Exits 1 if any verdict
differs.

Usage: python benchmarks/swebench_side_by_side.py [--cases 6] [--jobs 2] [--timeout 900]
       [--ids GLOBS] [--official-from env|base] [--keep-images] [--work DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import zip_longest
from pathlib import Path

from oracle_suite import ROOT  # benchmarks/, run as scripts

from harness.bank import load_bank, select_cases
from harness.capabilities import get_capability
from harness.datasets.task_repos import export_task_repo
from harness.errors import HarnessError
from harness.grading.patches import file_diffs
from harness.results import Submission
from harness.sandbox.backends import sandbox_opener, shared_docker_client
from harness.sandbox.environments import env_spec
from harness.sandbox.images import ensure_base_image, ensure_env_image, image_id
from harness.task import Task

BANK = ROOT / "suites/navigation/bank.jsonl"
KINDS = ("gold", "null", "broken")
Verdicts = dict[tuple[str, str], str]
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - ")
_SHIM = """#!/bin/bash
# `docker buildx build ... --load CONTEXT` (swebench's image builder) -> the classic builder
if [[ "$1" == buildx && "$2" == build ]]; then
  args=()
  for a in "${@:3}"; do case "$a" in --load|--progress=*) ;; *) args+=("$a") ;; esac; done
  DOCKER_BUILDKIT=0 exec REAL build "${args[@]}"
fi
exec REAL "$@"
"""


def pick_cases(tasks: list[Task], count: int) -> list[Task]:
    """``count`` cases taking each project in turn (the bank lists them project by project)."""
    by_repo: dict[str, list[Task]] = {}
    for task in tasks:
        by_repo.setdefault(task.repo, []).append(task)
    mixed = [t for row in zip_longest(*by_repo.values()) for t in row if t is not None]
    return mixed[:count]


def broken_patch(patch: str) -> str:
    """The gold patch with ``$`` (a syntax error anywhere outside a string or comment) put
    before the code of its first added line of Python that is not inside a triple-quoted
    string (as far as the hunk shows: a hunk may start inside a docstring)."""
    targets = {d.path for d in file_diffs(patch) if d.path.endswith(".py")}
    lines = patch.split("\n")
    path, in_string = "", False
    for number, line in enumerate(lines):
        if line.startswith("+++ "):
            path = line[4:].removeprefix("b/")
        elif line.startswith("@@"):
            in_string = False
        elif path in targets and line[:1] in ("+", " "):
            code = line[1:]
            if line[0] == "+" and code.strip() and not in_string \
                    and not code.lstrip().startswith(('"""', "'''")):
                indent = len(code) - len(code.lstrip())
                lines[number] = f"+{code[:indent]}${code[indent:]}"
                return "\n".join(lines)
            in_string = _string_after(code.strip(), in_string)
    raise ValueError("the gold patch adds no line of Python code to break")


def _string_after(text: str, in_string: bool) -> bool:
    """Whether a triple-quoted string is open after a line (``text``, stripped): a line with
    an odd number of triple quotes opens one if it starts with them and says more (a
    docstring's first line), closes one if it ends with them, else flips the state."""
    quotes = ('"""', "'''")
    if (text.count(quotes[0]) + text.count(quotes[1])) % 2 == 0:
        return in_string
    if text.startswith(quotes) and text not in quotes:
        return True
    return False if text.endswith(quotes) else not in_string


# ----------------------------------------------------------------------------- ours

def grade_ours(tasks: list[Task], patches: dict[tuple[str, str], str], jobs: int,
               timeout: float) -> tuple[Verdicts, float]:
    """Each patch graded by the case's own grader in the docker sandbox, ``jobs`` at once;
    (verdicts, wall seconds of the gradings)."""
    openers = {task.instance_id: sandbox_opener(task, "docker") for task in tasks}
    for opener in openers.values():
        opener().close()  # builds (or finds) the instance image: not timed
    by_id = {task.instance_id: task for task in tasks}

    def grade(key: tuple[str, str]) -> str:
        task = by_id[key[0]]
        grader = get_capability(task.capability).grader_for(task)
        try:
            outcome = grader.grade(task, Submission(patch=patches[key]), openers[key[0]],
                                   timeout)
        except HarnessError as exc:
            return f"error ({type(exc).__name__})"
        return "resolved" if outcome.resolved else "unresolved"

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        verdicts = dict(zip(patches, pool.map(grade, patches), strict=True))
    return verdicts, time.perf_counter() - started


# ----------------------------------------------------------------------------- official

def buildx_available() -> bool:
    done = subprocess.run(["docker", "buildx", "version"], capture_output=True)
    return done.returncode == 0


@contextlib.contextmanager
def official_environment(work: Path) -> Iterator[bool]:
    """The official run's surroundings: its working directory (it logs under ``logs/``),
    its output in ``official.log``, and the buildx shim on PATH where buildx is missing;
    yields whether the shim is in use. Everything is put back afterwards."""
    shim = not buildx_available()
    saved_path, saved_cwd = os.environ.get("PATH", ""), Path.cwd()
    if shim:
        real = shutil.which("docker")
        if real is None:
            sys.exit("no docker command on PATH")
        (work / "bin").mkdir(parents=True, exist_ok=True)
        script = work / "bin" / "docker"
        script.write_text(_SHIM.replace("REAL", real))
        script.chmod(0o755)
        os.environ["PATH"] = f"{work / 'bin'}:{saved_path}"
    os.chdir(work)
    try:
        with open(work / "official.log", "a") as log, contextlib.redirect_stdout(log), \
                contextlib.redirect_stderr(log):
            yield shim
    finally:
        os.chdir(saved_cwd)
        os.environ["PATH"] = saved_path


def build_seconds(log_dir: Path) -> float:
    """Wall time of the image builds whose logs are under ``log_dir`` (first line of the
    first to start, to last line of the last to end), 0 when there are none."""
    starts, ends = [], []
    for log in log_dir.rglob("build_image.log"):
        stamps = _stamps(log)
        if stamps:
            starts.append(stamps[0])
            ends.append(stamps[-1])
    return (max(ends) - min(starts)).total_seconds() if starts else 0.0


def stop_seconds(log_dir: Path) -> tuple[float, int]:
    """Seconds the official run spent stopping its containers (``docker stop --time=15``),
    added up over the containers (they overlap), and how many there were."""
    total, count = 0.0, 0
    for log in log_dir.rglob("run_instance.log"):
        stamps = _stamps(log, "Attempting to stop container")
        stopped = _stamps(log, "stopped successfully")
        if stamps and stopped:
            total += (stopped[-1] - stamps[0]).total_seconds()
            count += 1
    return total, count


def _stamps(log: Path, containing: str = "") -> list[datetime]:
    """The times of the log's lines (those holding ``containing``)."""
    return [datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
            for line in log.read_text(errors="replace").splitlines()
            if containing in line and (m := _STAMP.match(line))]


def grade_official(repo_dir: Path, tasks: list[Task], patches: dict[tuple[str, str], str],
                   jobs: int, timeout: int, work: Path) -> tuple[Verdicts, float, float, bool]:
    """One ``run_evaluation.main`` per patch kind on the task repository; (verdicts, wall
    seconds, of which its image builds, whether the buildx shim was used)."""
    from swebench.harness import run_evaluation  # type: ignore[import-untyped]

    ids = [task.instance_id for task in tasks]
    verdicts: Verdicts = {}
    wall = builds = 0.0
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    with official_environment(work) as shim:
        for kind in KINDS:
            predictions = work / f"predictions-{kind}.jsonl"
            predictions.write_text("".join(json.dumps({
                "instance_id": i, "model_name_or_path": f"side-by-side-{kind}",
                "model_patch": patches[(i, kind)]}) + "\n" for i in ids))
            shutil.rmtree(work / "logs" / "image_builder", ignore_errors=True)
            started = time.perf_counter()
            report = run_evaluation.main(
                dataset_name=str(repo_dir), split="test", instance_ids=ids,
                predictions_path=str(predictions), max_workers=jobs, open_file_limit=files,
                run_id=f"side-by-side-{kind}", timeout=timeout, rewrite_reports=False,
                modal=False, report_dir=str(work / "reports"), task_repo=str(repo_dir))
            wall += time.perf_counter() - started
            builds += build_seconds(work / "logs" / "image_builder")
            summary = json.loads(Path(report).read_text())
            for i in ids:
                verdicts[(i, kind)] = (
                    "resolved" if i in summary["resolved_ids"] else
                    "unresolved" if i in summary["unresolved_ids"] + summary["empty_patch_ids"]
                    else "error")
    return verdicts, wall, builds, shim


def remove_official_images(tasks: list[Task], repo_dir: Path) -> None:
    """The images the official run built (named in each task.yaml)."""
    from docker.errors import ImageNotFound

    client = shared_docker_client()
    for task in tasks:
        meta = json.loads((repo_dir / "tasks" / task.instance_id / "task.yaml").read_text())
        with contextlib.suppress(ImageNotFound):
            client.images.remove(meta["image"], force=True)


# ----------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python benchmarks/swebench_side_by_side.py --cases 6 --jobs 2")
    parser.add_argument("--cases", type=int, default=6, help="how many cases (default 6)")
    parser.add_argument("--ids", help="choose among these instance ids or globs only")
    parser.add_argument("--jobs", type=int, default=2, help="workers, both harnesses")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per grading")
    parser.add_argument("--official-from", choices=["env", "base"], default="env",
                        help="what the exported Dockerfiles start from (see above)")
    parser.add_argument("--keep-images", action="store_true",
                        help="keep the images the official run built")
    parser.add_argument("--work", type=Path, help="scratch directory (default: a new one)")
    args = parser.parse_args()

    tasks = pick_cases(select_cases(load_bank(BANK).tasks, args.ids), args.cases)
    patches = {(t.instance_id, kind): {"gold": t.patch, "null": "",
                                       "broken": broken_patch(t.patch)}[kind]
               for t in tasks for kind in KINDS}
    work = (args.work or Path(tempfile.mkdtemp(prefix="side-by-side-"))).resolve()
    repo_dir = work / "task-repo"
    client = shared_docker_client()
    base = ensure_base_image(client)
    for task in tasks:
        start = None
        if args.official_from == "env":
            env = ensure_env_image(client, env_spec(task))
            start = env.tags[0] if env.tags else image_id(env)
        export_task_repo(task, repo_dir, base_image=start)
    print(f"{len(tasks)} cases x {len(KINDS)} patches, --jobs {args.jobs}; task repository "
          f"{repo_dir} (Dockerfiles FROM the harness's "
          f"{'environment images' if args.official_from == 'env' else base.tags[0]})")

    ours, ours_wall = grade_ours(tasks, patches, args.jobs, float(args.timeout))
    official, official_wall, builds, shim = grade_official(
        repo_dir, tasks, patches, args.jobs, args.timeout, work)
    if not args.keep_images:
        remove_official_images(tasks, repo_dir)

    print(f"\n{'case':<15} {'patch':<7} {'ours':<12} {'official':<12} agree")
    for key in patches:
        print(f"{key[0]:<15} {key[1]:<7} {ours[key]:<12} {official[key]:<12} "
              f"{'yes' if ours[key] == official[key] else 'NO'}")
    same = sum(ours[key] == official[key] for key in patches)
    grading = official_wall - builds
    print(f"\nidentical verdicts          {same}/{len(patches)}")
    print(f"ours, docker sandbox        {ours_wall:8.1f} s  ({len(patches)} gradings, "
          f"{args.jobs} at a time; images built beforehand, not counted)")
    print(f"official run_evaluation     {official_wall:8.1f} s  ({len(KINDS)} runs, one per "
          f"patch kind, max_workers {args.jobs}; {builds:.1f} s of it its forced image "
          f"rebuild from the task repository{', classic builder via the buildx shim' * shim})")
    stops, containers = stop_seconds(work / "logs" / "run_evaluation")
    print(f"official, grading only      {grading:8.1f} s  (its {containers} containers took "
          f"{stops:.1f} s to stop, added up: `docker stop --time=15` of `tail -f /dev/null`)")
    print(f"ratio official / ours       {official_wall / ours_wall:8.1f}x  "
          f"(grading only: {grading / ours_wall:.1f}x)")
    print(f"official logs and reports   {work}")
    if same != len(patches):
        sys.exit(1)


if __name__ == "__main__":
    main()
