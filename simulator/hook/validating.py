"""Validation of what a push touches, in the checked-out tip: `validate`'s own discovery and checks, kept to the
build files the push changed and the files that depend on them.

- a buildspec, pipeline file or template the push changed (added or modified; a deleted one is gone from the tip,
  but a pipeline naming it is re-validated);
- a pipeline one of whose CodeBuild actions' buildspecs changed (its checks read them: outputs, variables);
- every buildspec a changed pipeline names (it is judged against that pipeline's images and outputs). A pipeline
  re-validated only because one buildspec changed does not bring its other buildspecs in: nothing they are judged
  against changed.

A whole new history (`changed` None) validates everything the tip holds. Every pipeline of the tip is read
either way (that is how the buildspecs it names are known), but only those picked are reported.
"""

from __future__ import annotations

from pathlib import Path

from simulator.hook.report import Line
from simulator.reporting.masking import Masker
from simulator.validation.validator import Validation


def validate_tip(tree: Path, changed: tuple[str, ...] | None, masker: Masker) -> list[Line]:
    """One line per file picked, pipelines and buildspecs in path order, with each file's diagnostics."""
    validation = Validation(masker)
    picked: list[Path] = []

    def relative(path: Path) -> str:
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            return absolute.relative_to(tree).as_posix()
        except ValueError:
            return path.as_posix()

    def touched(path: Path) -> bool:
        return changed is None or relative(path) in changed

    def pick(pipelines: list[Path], buildspecs: list[Path]) -> list[Path]:
        named_by_changed: set[Path] = set()
        for pipeline in pipelines:
            named = validation.named.get(pipeline, set())
            if touched(pipeline):
                picked.append(pipeline)
                named_by_changed |= named
            elif any(touched(one) for one in named):
                picked.append(pipeline)
        kept = [path for path in buildspecs if touched(path) or path in named_by_changed]
        picked.extend(kept)
        return kept

    validation.repository(tree, (), pick)
    lines = []
    for path in sorted(picked, key=relative):
        name = relative(path)
        diagnostics = sorted(validation.found.get(path, []), key=lambda d: (d.line, d.column))
        errors = [d for d in diagnostics if d.severity == "error"]
        warnings = len(diagnostics) - len(errors)
        note = f"{warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        shown = tuple(f"{name}:{d.line}:{d.column}: {d.severity}: {d.message}" for d in diagnostics)
        lines.append(Line("FAIL" if errors else "PASS", name, note, shown))
    return lines
