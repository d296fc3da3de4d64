"""Public benchmark data as ``Task`` objects: SWE-bench, SWT-Bench, R2E-Gym; SWE-bench outputs."""

from harness.datasets.predictions import (
    Prediction,
    RunReport,
    export_bank,
    read_predictions,
    read_report,
    report_filename,
    write_jsonl,
    write_predictions,
    write_report,
)
from harness.datasets.r2egym import R2E_REPOS, load_r2egym, split_tests, task_from_r2e_row
from harness.datasets.swebench import (
    CLASSIC_COLUMNS,
    IGNORED_COLUMNS,
    KNOWN_COLUMNS,
    V5_COLUMNS,
    InvalidRows,
    LoadResult,
    load_swebench,
    reverse_patch,
    task_from_row,
)
from harness.datasets.swebench_spec import (
    REPO_COMMANDS,
    EvalSpec,
    RepoCommand,
    eval_script,
    instance_image_name,
    make_eval_spec,
)
from harness.datasets.swtbench import drop_filtered, load_swtbench, read_filter_ids, swt_bench

__all__ = [
    "CLASSIC_COLUMNS",
    "IGNORED_COLUMNS",
    "KNOWN_COLUMNS",
    "R2E_REPOS",
    "REPO_COMMANDS",
    "V5_COLUMNS",
    "EvalSpec",
    "InvalidRows",
    "LoadResult",
    "Prediction",
    "RepoCommand",
    "RunReport",
    "drop_filtered",
    "eval_script",
    "export_bank",
    "instance_image_name",
    "load_r2egym",
    "load_swebench",
    "load_swtbench",
    "make_eval_spec",
    "read_filter_ids",
    "read_predictions",
    "read_report",
    "report_filename",
    "reverse_patch",
    "split_tests",
    "swt_bench",
    "task_from_r2e_row",
    "task_from_row",
    "write_jsonl",
    "write_predictions",
    "write_report",
]
