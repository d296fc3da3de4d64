"""``harness images build | standin | list | prune``: the Docker sandbox's layered images."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from harness.cli_common import Subparsers, add_group
from harness.sandbox.environments import DEFAULT_PACKAGES, EnvSpec, env_spec
from harness.sandbox.images import (
    ImageInfo,
    build_standin_image,
    docker_client,
    ensure_base_image,
    ensure_instance_image,
    image_id,
    list_images,
    own_sizes,
    prune_images,
)

EXAMPLES = """examples:
  harness images build                        # base, environment and instance images of every
                                              # committed bank's cases (reused when present)
  harness images build suites/navigation/pypi.jsonl --cases 'toolz-*'
  harness images build --base-only            # just the debootstrap base image (about 90 s)
  harness images standin swebench/sweb.eval.x86_64.psf__requests-1142:latest ~/src/requests \
      --package 'requests==2.0.1'             # a stand-in for an image no registry here serves
  harness images list                         # kind, tag, size; disk use per kind
  harness images prune --dry-run              # what would go
  harness images prune                        # remove instance images (rebuilt on demand)
  harness images prune --kind all             # environments and the base image too
"""
KINDS = ("instance", "stand-in", "environment", "base")


def add_parser(commands: Subparsers) -> None:
    """Register ``images`` and its subcommands on the top-level parser."""
    sub = add_group(commands, "images", "build, list and prune the docker sandbox's images",
                    EXAMPLES)
    build = sub("build", "build the base, environment and instance images of cases")
    build.add_argument("banks", type=Path, nargs="*", help="bank files (default: suites/*/)")
    build.add_argument("--cases", help="instance ids or globs, comma-separated")
    build.add_argument("--base-only", action="store_true", help="only the base image")
    build.set_defaults(handler=run_build)

    standin = sub("standin", "build a stand-in for a prebuilt SWE-bench-family image: the "
                  "checkout at /testbed, a venv where the conda env 'testbed' is")
    standin.add_argument("name", help="the image's name, as the rows' image column spells it")
    standin.add_argument("repo", type=Path, help="a git checkout of the repository at the "
                         "row's base commit (cloned into the image, so the commit ids match)")
    standin.add_argument("--package", action="append", default=[], metavar="REQ",
                         help=f"a Python package for the env, repeatable (always: "
                              f"{', '.join(DEFAULT_PACKAGES)})")
    standin.set_defaults(handler=run_standin)

    listing = sub("list", "list the harness's images with their sizes")
    listing.set_defaults(handler=run_list)

    prune = sub("prune", "remove harness images (instances unless --kind says more)")
    prune.add_argument("--kind", default="instance", choices=[*KINDS, "all"],
                       help="what to remove: instance (default), environment, base, or all")
    prune.add_argument("--dry-run", action="store_true", help="only say what would go")
    prune.set_defaults(handler=run_prune)


def run_build(args: argparse.Namespace) -> int:
    from harness.cli_tasks import selected_cases

    client = docker_client()
    base = ensure_base_image(client, progress=tqdm.write)
    print(f"base image: {', '.join(base.tags)}")
    if args.base_only:
        return 0
    _, tasks = selected_cases(args.banks, args.cases)
    built: set[str] = set()
    with tqdm(total=len(tasks), desc="instance images", unit="case") as bar:
        for task in tasks:
            built.add(image_id(ensure_instance_image(client, task.repo_source, env_spec(task),
                                                     progress=tqdm.write)))
            bar.update()
    print(f"{len(tasks)} cases use {len(built)} instance image(s)")
    print(disk_use(list_images(client)))
    return 0


def run_standin(args: argparse.Namespace) -> int:
    if not args.repo.is_dir():
        raise SystemExit(f"harness images standin: {args.repo} is not a directory")
    spec = EnvSpec(python_packages=tuple(dict.fromkeys([*DEFAULT_PACKAGES, *args.package])))
    image = build_standin_image(docker_client(), args.name, args.repo, spec,
                                progress=tqdm.write)
    print(f"stand-in image: {args.name} ({image_id(image)[:19]})")
    return 0


def run_list(args: argparse.Namespace) -> int:

    client = docker_client()
    for info in list_images(client):
        tags = ", ".join(info.tags) or info.id[:19]
        print(f"{info.kind:<12} {tags:<40} {human_size(info.size):>9}  {info.name}")
    print(disk_use(list_images(client)))
    return 0


def run_prune(args: argparse.Namespace) -> int:

    client = docker_client()
    kinds = KINDS if args.kind == "all" else (args.kind,)
    removed = prune_images(client, kinds, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for info in removed:
        print(f"{verb} {info.kind} {', '.join(info.tags) or info.id[:19]}")
    print(f"{verb} {len(removed)} image(s) (images a container uses are kept); "
          f"{disk_use(list_images(client))}")
    return 0


def disk_use(images: Sequence[ImageInfo]) -> str:
    """Disk used per kind of harness image, each image counted for the layers it adds."""
    own = own_sizes(images)
    totals: dict[str, tuple[int, int]] = {}
    for info in images:
        count, size = totals.get(info.kind, (0, 0))
        totals[info.kind] = (count + 1, size + own[info.id])
    if not totals:
        return "disk use: no harness images"
    parts = [f"{kind} {count} ({human_size(size)})" for kind, (count, size) in totals.items()]
    total = human_size(sum(own.values()))
    return f"disk use: {', '.join(parts)}; {total} in all"


def human_size(size: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
