"""Two plans compared structurally, one Change per difference, each a sentence a reviewer reads at a glance:
`build: command added: npm test`, `env: IMAGE_TAG changed: "a" -> "b"`, `artifacts: path dropped: dist/**/*`,
`gate removed: ApproveProd`, `stage moved: BuildProd from 4 to 3`.

A plan that does not exist on one side (the file is new, or was deleted) is compared with an empty one, so
everything shows as added or removed. Plans hold no secret values, so neither can a change.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from simulator.buildspec import PHASE_NAMES
from simulator.plan.model import (
    SECRET,
    ActionPlan,
    BuildPlan,
    Files,
    GatePlan,
    PhasePlan,
    PipelinePlan,
    Plan,
    ReportPlan,
    StagePlan,
    Variable,
    action_label,
)

T = TypeVar("T")
NONE = "(none)"


@dataclass(frozen=True)
class Change:
    """`scope: what: value` or `scope: what: before -> after`, then `tail`; values are shown as code."""

    scope: str | None
    what: str
    values: tuple[str, ...] = ()
    tail: str = ""


def diff_plans(old: Plan | None, new: Plan | None) -> tuple[Change, ...]:
    if old is None and new is None:
        return ()
    if old is not None and new is not None and type(old) is not type(new):
        return (*diff_plans(old, None), *diff_plans(None, new))
    if isinstance(old, BuildPlan) or isinstance(new, BuildPlan):
        assert not isinstance(old, PipelinePlan) and not isinstance(new, PipelinePlan)
        return tuple(_build(old or _empty_build(new), new or _empty_build(old)))
    assert not isinstance(old, BuildPlan) and not isinstance(new, BuildPlan)
    return tuple(_pipeline(old or _empty_pipeline(new), new or _empty_pipeline(old)))


def quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def minutes(value: float) -> str:
    return f"{value:g} min"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _empty_build(other: BuildPlan | None) -> BuildPlan:
    assert other is not None
    # The same options as the other side: a new file's plan lists what it runs, not that its image "changed".
    return replace(
        other,
        environment=tuple(v for v in other.environment if not v.declared),
        exported_variables=(),
        phases=(),
        reports=(),
        artifacts=None,
        secondary_artifacts=(),
        cache_paths=(),
        shell=None,
        run_as=None,
    )


def _empty_pipeline(other: PipelinePlan | None) -> PipelinePlan:
    assert other is not None
    return replace(other, variables=(), stages=())


def _field(scope: str | None, what: str, before: str, after: str) -> list[Change]:
    return [] if before == after else [Change(scope, f"{what} changed", (before, after))]


def _listed(
    scope: str | None, noun: str, old: Sequence[str], new: Sequence[str], gone: str = "removed"
) -> list[Change]:
    """Items added or gone, in their order; an item that only moved within the list is no change here."""
    changes = [Change(scope, f"{noun} {gone}", (item,)) for item in old if item not in new]
    return changes + [Change(scope, f"{noun} added", (item,)) for item in new if item not in old]


def _keyed(old: Iterable[T], new: Iterable[T], key: Callable[[T], str]) -> tuple[list[T], list[T], list[tuple[T, T]]]:
    """Removed, added, and the pairs present on both sides (in the new order)."""
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    removed = [item for name, item in before.items() if name not in after]
    added = [item for name, item in after.items() if name not in before]
    both = [(before[name], item) for name, item in after.items() if name in before]
    return removed, added, both


# A buildspec's plan.


def _build(old: BuildPlan, new: BuildPlan) -> list[Change]:
    changes = _field(None, "version", old.version, new.version)
    changes += _field(None, "image", old.image, new.image)
    changes += _field(None, "project", old.project, new.project)
    changes += _field(None, "privileged", yes_no(old.privileged), yes_no(new.privileged))
    changes += _field(None, "timeout", minutes(old.timeout_minutes), minutes(new.timeout_minutes))
    changes += _field(None, "shell", old.shell or NONE, new.shell or NONE)
    changes += _field(None, "run-as", old.run_as or NONE, new.run_as or NONE)
    changes += _variables("env", old.environment, new.environment)
    changes += _listed(None, "exported variable", old.exported_variables, new.exported_variables)
    changes += _phases(old.phases, new.phases)
    changes += _reports(old.reports, new.reports)
    changes += _artifacts(old, new)
    changes += _listed("cache", "path", old.cache_paths, new.cache_paths, gone="dropped")
    return changes


def shown(variable: Variable, *, origin: bool = False) -> str:
    if variable.value == SECRET or origin:
        return f"{variable.value if variable.value == SECRET else quoted(variable.value)} ({variable.origin})"
    return quoted(variable.value)


def _variables(scope: str, old: Sequence[Variable], new: Sequence[Variable]) -> list[Change]:
    removed, added, both = _keyed(
        (v for v in old if v.declared), (v for v in new if v.declared), lambda variable: variable.name
    )
    changes = [Change(scope, f"{v.name} removed", (shown(v),)) for v in removed]
    for before, after in both:
        if (before.value, before.origin) != (after.value, after.origin):
            # Only the origin tells two secrets apart, and it tells a value that moved from the buildspec to --env.
            by_origin = before.value == after.value or SECRET in (before.value, after.value)
            changes.append(
                Change(
                    scope, f"{after.name} changed", (shown(before, origin=by_origin), shown(after, origin=by_origin))
                )
            )
    return changes + [Change(scope, f"{v.name} added", (shown(v),)) for v in added]


def _phases(old: Sequence[PhasePlan], new: Sequence[PhasePlan]) -> list[Change]:
    """Phase by phase in the order they run (their names are fixed, CB §3.1)."""
    before, after = {p.name: p for p in old}, {p.name: p for p in new}
    changes: list[Change] = []
    for name in PHASE_NAMES:
        was, now = before.get(name), after.get(name)
        if was is not None and now is None:
            changes += [Change(None, "phase removed", (name,)), *_phase(was, PhasePlan(name, ()))]
        elif was is None and now is not None:
            changes += [Change(None, "phase added", (name,)), *_phase(PhasePlan(name, ()), now)]
        elif was is not None and now is not None:
            changes += _phase(was, now)
    return changes


def _phase(old: PhasePlan, new: PhasePlan) -> list[Change]:
    name = new.name
    changes = _field(name, "run-as", old.run_as or NONE, new.run_as or NONE)
    changes += _field(name, "on-failure", old.on_failure or NONE, new.on_failure or NONE)
    before, after = dict(old.runtime_versions), dict(new.runtime_versions)
    for runtime in dict.fromkeys([*before, *after]):
        changes += _field(name, f"runtime {runtime}", before.get(runtime, NONE), after.get(runtime, NONE))
    changes += _commands(name, old.commands, new.commands)
    return changes + _commands(f"{name} finally", old.finally_, new.finally_)


def _commands(scope: str, old: Sequence[str], new: Sequence[str]) -> list[Change]:
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        gone, came = old[old_start:old_end], new[new_start:new_end]
        if operation == "replace" and len(gone) == len(came):
            changes += [Change(scope, "command changed", pair) for pair in zip(gone, came, strict=True)]
            continue
        changes += [Change(scope, "command removed", (command,)) for command in gone]
        changes += [Change(scope, "command added", (command,)) for command in came]
    return changes


def _reports(old: Sequence[ReportPlan], new: Sequence[ReportPlan]) -> list[Change]:
    removed, added, both = _keyed(old, new, lambda report: report.group)
    empty = Files(())
    changes: list[Change] = []
    for report in removed:
        changes += [Change(None, "report group removed", (report.group,))]
        changes += _files(f"reports {report.group}", report.files, empty)
    for before, after in both:
        scope = f"reports {after.group}"
        changes += _field(scope, "file-format", before.file_format, after.file_format)
        changes += _files(scope, before.files, after.files)
    for report in added:
        changes += [Change(None, "report group added", (report.group,))]
        changes += _files(f"reports {report.group}", empty, report.files)
    return changes


def _artifacts(old: BuildPlan, new: BuildPlan) -> list[Change]:
    empty = Files(())
    changes: list[Change] = []
    if old.artifacts is None and new.artifacts is not None:
        changes.append(Change(None, "artifacts added"))
    if old.artifacts is not None and new.artifacts is None:
        changes.append(Change(None, "artifacts removed"))
    changes += _files("artifacts", old.artifacts or empty, new.artifacts or empty)
    removed, added, both = _keyed(old.secondary_artifacts, new.secondary_artifacts, lambda pair: pair[0])
    for identifier, files in removed:
        changes += [Change(None, "secondary artifact removed", (identifier,))]
        changes += _files(f"artifacts {identifier}", files, empty)
    for (_, before), (identifier, after) in both:
        changes += _files(f"artifacts {identifier}", before, after)
    for identifier, files in added:
        changes += [Change(None, "secondary artifact added", (identifier,))]
        changes += _files(f"artifacts {identifier}", empty, files)
    return changes


def _files(scope: str, old: Files, new: Files) -> list[Change]:
    changes = _field(scope, "name", old.name or NONE, new.name or NONE)
    changes += _field(scope, "base-directory", old.base_directory or NONE, new.base_directory or NONE)
    if old.paths and new.paths:  # a whole set that comes or goes says so once, above
        changes += _field(scope, "discard-paths", yes_no(old.discard_paths), yes_no(new.discard_paths))
    changes += _listed(scope, "path", old.paths, new.paths, gone="dropped")
    return changes + _listed(scope, "exclude path", old.exclude_paths, new.exclude_paths, gone="dropped")


# A pipeline's plan.


def _pipeline(old: PipelinePlan, new: PipelinePlan) -> list[Change]:
    changes = _field(None, "pipeline name", old.name, new.name)
    changes += _field(None, "pipeline type", old.pipeline_type, new.pipeline_type)
    changes += _field(None, "execution mode", old.execution_mode, new.execution_mode)
    before, after = dict(old.variables), dict(new.variables)
    changes += [Change(None, "variable removed", (name,)) for name in before if name not in after]
    for name in after:
        if name in before:
            changes += _field(None, f"variable {name} default", before[name] or NONE, after[name] or NONE)
    changes += [Change(None, "variable added", (name,)) for name in after if name not in before]
    return changes + _stages(old.stages, new.stages)


def _stages(old: Sequence[StagePlan], new: Sequence[StagePlan]) -> list[Change]:
    removed, added, both = _keyed(old, new, lambda stage: stage.name)
    changes: list[Change] = []
    for stage in removed:
        changes.append(Change(None, "stage removed", (stage.name,)))
        changes += [Change(None, "gate removed", (action_label(stage.name, a.name),)) for a in stage.actions if a.gate]
    changes += _moves([s.name for s in old], [s.name for s in new])
    for before, after in both:
        changes += _actions(after.name, before.actions, after.actions)
    for stage in added:
        changes.append(Change(None, "stage added", (stage.name,)))
        changes += _actions(stage.name, (), stage.actions)
    return changes


def _moves(old: list[str], new: list[str]) -> list[Change]:
    """The stages that left the order the others keep (the longest common run order), with their positions."""
    common_old = [name for name in old if name in new]
    common_new = [name for name in new if name in old]
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    kept = {name for block in matcher.get_matching_blocks() for name in common_new[block.b : block.b + block.size]}
    return [
        Change(None, "stage moved", (name,), f"from {old.index(name) + 1} to {new.index(name) + 1}")
        for name in common_new
        if name not in kept
    ]


def _actions(stage: str, old: Sequence[ActionPlan], new: Sequence[ActionPlan]) -> list[Change]:
    removed, added, both = _keyed(old, new, lambda action: action.name)
    changes: list[Change] = []
    for action in removed:
        label = action_label(stage, action.name)
        changes.append(
            Change(None, "gate removed", (label,))
            if action.gate
            else Change(f"stage {stage}", "action removed", (label,))
        )
    for before, after in both:
        changes += _action(action_label(stage, after.name), before, after)
    for action in added:
        label = action_label(stage, action.name)
        if action.gate:
            changes.append(Change(None, "gate added", (label,)))
        else:
            changes.append(
                Change(f"stage {stage}", "action added", (label,), f"({action.type}, run order {action.run_order})")
            )
            changes += _action(label, replace(action, inputs=(), outputs=(), environment=(), configuration=()), action)
    return changes


def _action(label: str, old: ActionPlan, new: ActionPlan) -> list[Change]:
    changes = _field(label, "type", old.type, new.type)
    changes += _field(label, "run order", str(old.run_order), str(new.run_order))
    changes += _listed(label, "input", old.inputs, new.inputs)
    changes += _listed(label, "output", old.outputs, new.outputs)
    changes += _field(label, "namespace", old.namespace or NONE, new.namespace or NONE)
    changes += _field(label, "primary source", old.primary_source or NONE, new.primary_source or NONE)
    if old.project is not None and new.project is not None:
        changes += _field(label, "project", old.project.name, new.project.name)
        changes += _field(label, "buildspec", old.project.buildspec, new.project.buildspec)
        changes += _field(label, "image", old.project.image, new.project.image)
        changes += _field(label, "timeout", minutes(old.project.timeout_minutes), minutes(new.project.timeout_minutes))
        changes += _field(label, "privileged", yes_no(old.project.privileged), yes_no(new.project.privileged))
    elif old.project != new.project:
        changes += _field(
            label, "project", old.project.name if old.project else NONE, new.project.name if new.project else NONE
        )
    changes += _variables(f"{label} env", old.environment, new.environment)
    changes += _gate(label, old.gate, new.gate)
    before, after = dict(old.configuration), dict(new.configuration)
    for key in dict.fromkeys([*before, *after]):
        was, now = before.get(key), after.get(key)
        changes += _field(
            label,
            f"configuration {key}",
            quoted(was) if was is not None else NONE,
            quoted(now) if now is not None else NONE,
        )
    return changes


def _gate(label: str, old: GatePlan | None, new: GatePlan | None) -> list[Change]:
    if old is None and new is not None:
        return [Change(None, "gate added", (label,))]
    if old is not None and new is None:
        return [Change(None, "gate removed", (label,))]
    if old is None or new is None:
        return []
    changes = _field(label, "gate timeout", minutes(old.timeout_minutes), minutes(new.timeout_minutes))
    for what, was, now in (
        ("custom data", old.custom_data, new.custom_data),
        ("link", old.link, new.link),
        ("notification", old.notification, new.notification),
    ):
        changes += _field(
            label, what, quoted(was) if was is not None else NONE, quoted(now) if now is not None else NONE
        )
    return changes
