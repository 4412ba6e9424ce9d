"""The hook's run: each pushed ref tested in a throwaway checkout of its tip, never in the working tree.

Passed at once, and said so: a deletion, a tip already tested in this push (two refs, one commit), a push of
commits the remote already has, and (validate mode) a push whose changed files cannot be build files, which is
known from `git diff` alone. Otherwise the tip is checked out, what the push touches is validated, and with
`--run dev` or `--run pipeline` the build or the pipeline runs when validation passed (SKIPPED otherwise). With a
run mode every changed file counts: the build reads the whole source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from simulator.hook.checkout import throwaway_checkout
from simulator.hook.pushed import PushedRef, changed_paths
from simulator.hook.report import Line, Report
from simulator.reporting.masking import Masker

# A changed file with none of these endings is no build file (discovery reads YAML, JSON and .template files;
# a pipeline names its buildspecs freely, but a buildspec is YAML): such a push passes without a checkout, and
# without loading the loaders (a third of a validating hook's time).
BUILD_FILE_SUFFIXES = (".yml", ".yaml", ".json", ".template")


@dataclass(frozen=True)
class Push:
    repository: Path
    remote: str
    refs: list[PushedRef]
    mode: str  # validate, dev, pipeline
    file: str | None  # the dev buildspec or the pipeline file, from the repository's root


def check_push(push: Push, report: Report, masker: Masker) -> None:
    if not push.refs:
        report.heading("nothing is pushed, nothing to test.")
    tested: set[str] = set()
    for ref in push.refs:
        where = f"{ref.name} {ref.local_sha[:12]}"
        if ref.is_deletion:
            report.heading(f"{ref.name}: deleted on the remote, nothing to test.")
            continue
        if ref.local_sha in tested:
            report.heading(f"{where}: tested above (the same commit).")
            continue
        tested.add(ref.local_sha)
        changed = changed_paths(push.repository, ref, push.remote)
        if changed == ():
            report.heading(f"{where}: no change the remote does not have, nothing to test.")
            continue
        if push.mode == "validate" and changed is not None and not may_hold_build_files(changed):
            report.heading(f"{where}: touches no build input (no buildspec, pipeline file or template), passed.")
            continue
        scope = "a new history: everything" if changed is None else f"{len(changed)} changed file(s)"
        report.heading(f"{where} ({scope}), mode {push.mode}:")
        with throwaway_checkout(push.repository, ref.local_sha) as tree:
            _check_tip(push, tree, changed, report, masker)


def may_hold_build_files(changed: Iterable[str]) -> bool:
    return any(PurePosixPath(name).suffix.lower() in BUILD_FILE_SUFFIXES for name in changed)


def _check_tip(push: Push, tree: Path, changed: tuple[str, ...] | None, report: Report, masker: Masker) -> None:
    from simulator.hook.push_builds import dev_build, dev_buildspec, pipeline_file, run_pipeline
    from simulator.hook.validating import validate_tip

    lines = validate_tip(tree, changed, masker)
    for line in lines:
        report.line(line)
    if push.mode == "validate":
        if not lines:
            report.heading("  no buildspec, pipeline file or template changed, passed.")
        return
    failed = any(line.verdict == "FAIL" for line in lines)
    if push.mode == "dev":
        buildspec = dev_buildspec(tree, push.file)
        if buildspec is None:
            missing = "no buildspec-dev.yml or buildspec.yml: install the hook with --file"
            report.line(Line("FAIL", "dev build", missing))
        elif failed:
            report.line(Line("SKIPPED", f"dev build {buildspec}", "validation failed"))
        else:
            report.say(f"  ...      dev build {buildspec}: running (Ctrl-C stops it)")
            report.line(dev_build(push.repository, tree, buildspec))
        return
    chosen = pipeline_file(tree, push.file)
    if isinstance(chosen, list):
        names = ", ".join(chosen) or "none"
        report.line(Line("FAIL", "pipeline", f"which one? found: {names}; install the hook with --file"))
    elif failed:
        report.line(Line("SKIPPED", f"pipeline {chosen}", "validation failed"))
    else:
        report.say(f"  ...      pipeline {chosen}: running up to its first gate (Ctrl-C stops it)")
        for line in run_pipeline(push.repository, tree, chosen, masker):
            report.line(line)
