"""Plans and diffs as text (a terminal, a log) and as markdown (a pull-request comment). Pure: the command masks
what these return before printing it, as everything the simulator writes is masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from simulator.plan.diff import Change, minutes, quoted, shown, yes_no
from simulator.plan.model import SECRET, ActionPlan, BuildPlan, Files, PhasePlan, PipelinePlan, Plan, action_label

Format = Literal["text", "markdown"]
FORMATS: tuple[Format, ...] = ("text", "markdown")


def render_plan(plan: Plan, output: Format) -> str:
    lines = _build(plan) if isinstance(plan, BuildPlan) else _pipeline(plan)
    if output == "text":
        return "\n".join(lines) + "\n"
    # The text plan is laid out in columns and indents: in a comment it stays that way in a fenced block.
    return f"### Plan of {_code(plan.path)}\n\n{_fence(chr(10).join(lines[1:]).strip(chr(10)), 'text')}\n"


def render_diff(path: str, revision: str, note: str | None, changes: Sequence[Change], output: Format) -> str:
    """One file's changes against `revision`; `note` says when the file is new, deleted or unreadable there."""
    count = f"{len(changes)} change{'' if len(changes) == 1 else 's'}" if changes else "no changes"
    if output == "text":
        head = f"{path}: {count} against {revision}" + (f" ({note})" if note else "")
        return "\n".join([head, *(f"  {line}" for change in changes for line in _text_change(change))]) + "\n"
    head = f"### {_code(path)}: {count} against {_code(revision)}" + (f" ({note})" if note else "")
    return "\n".join([head, *([""] if changes else []), *(_markdown_change(change) for change in changes)]) + "\n"


def _text_change(change: Change) -> list[str]:
    prefix = f"{change.scope}: {change.what}" if change.scope else change.what
    tail = f" {change.tail}" if change.tail else ""
    if any("\n" in value for value in change.values):
        # A multi-line command keeps its lines, each under the sentence.
        lines = [f"{prefix}:{tail}"]
        for index, value in enumerate(change.values):
            if index:
                lines.append("  ->")
            lines += [f"    {line}" for line in value.splitlines()]
        return lines
    values = f": {' -> '.join(change.values)}" if change.values else ""
    return [f"{prefix}{values}{tail}"]


def _markdown_change(change: Change) -> str:
    prefix = f"{change.scope}: {change.what}" if change.scope else change.what
    tail = f" {change.tail}" if change.tail else ""
    if any("\n" in value for value in change.values):
        blocks = "\n".join(_indent(_fence(value.rstrip("\n"), "sh")) for value in change.values)
        return f"- {prefix}:{tail}\n{blocks}"
    values = f": {' -> '.join(_code(value) for value in change.values)}" if change.values else ""
    return f"- {prefix}{values}{tail}"


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def _code(text: str) -> str:
    """An inline code span that holds any text: more backticks around it than it has in a row (CommonMark)."""
    longest = run = 0
    for character in text:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    ticks = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{padded}{ticks}"


def _fence(text: str, language: str) -> str:
    longest = max((len(line) - len(line.lstrip("`")) for line in text.splitlines()), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


# A buildspec's plan.


def _build(plan: BuildPlan) -> list[str]:
    local = f" (runs here as {plan.local_image})" if plan.local_image != plan.image else ""
    lines = [
        f"Plan of {plan.path} (buildspec version {plan.version}; nothing runs)",
        "",
        f"Image: {plan.image}{local}",
        f"Project: {plan.project}, timeout {minutes(plan.timeout_minutes)}, privileged {yes_no(plan.privileged)}",
    ]
    if plan.shell or plan.run_as:
        lines.append(f"Shell: {plan.shell or 'the image default'}, run as: {plan.run_as or 'root'}")
    lines += ["", "Environment at the start of the build (later phases see what earlier commands set):"]
    width = max((len(v.name) for v in plan.environment), default=0)
    lines += [f"  {v.name:<{width}}  {_value(v.value)}  ({v.origin})" for v in plan.environment]
    lines.append("  (<...>: chosen when the build starts; the image's own ENV comes first and is not shown)")
    lines += ["", "Phases (DOWNLOAD_SOURCE first, UPLOAD_ARTIFACTS and FINALIZING after):"]
    lines += [line for phase in plan.phases for line in _phase(phase)] or ["  (none)"]
    lines += ["", "Exported variables (their values at the end of POST_BUILD):"]
    lines += [f"  {', '.join(plan.exported_variables)}"] if plan.exported_variables else ["  (none)"]
    lines += ["", "Reports:"]
    reports = [
        line
        for report in plan.reports
        for line in [f"  {report.group} ({report.file_format}){_where(report.files)}", *_paths(report.files)]
    ]
    lines += reports or ["  (none)"]
    lines += ["", "Artifacts:"]
    artifacts = [*_artifact("primary", plan.artifacts)] if plan.artifacts else []
    for identifier, files in plan.secondary_artifacts:
        artifacts += _artifact(identifier, files)
    lines += artifacts or ["  (none)"]
    if plan.cache_paths:
        lines += ["", "Cache (not simulated locally):", *(f"  {path}" for path in plan.cache_paths)]
    if plan.notes:
        lines += ["", "Notes:", *(f"  {note}" for note in plan.notes)]
    return lines


def _value(value: str) -> str:
    return value if value == SECRET else quoted(value)


def _phase(phase: PhasePlan) -> list[str]:
    details = [f"run-as {phase.run_as}"] if phase.run_as else []
    details += [f"on-failure {phase.on_failure}"] if phase.on_failure else []
    lines = [f"  {phase.name.upper()}" + (f"  ({', '.join(details)})" if details else "")]
    if phase.assigned_before:
        lines.append(
            f"    also set by earlier commands (values known when it runs): {', '.join(phase.assigned_before)}"
        )
    if phase.runtime_versions:
        lines.append(f"    runtime-versions: {', '.join(f'{name} {v}' for name, v in phase.runtime_versions)}")
    lines += _numbered(phase.commands, "    ")
    if phase.finally_:
        lines += ["    finally:", *_numbered(phase.finally_, "      ")]
    return lines


def _numbered(commands: Sequence[str], indent: str) -> list[str]:
    lines = []
    for number, command in enumerate(commands, start=1):
        first, *rest = command.rstrip("\n").splitlines() or [""]
        label = f"{number}. "
        lines.append(f"{indent}{label}{first}")
        lines += [f"{indent}{' ' * len(label)}{line}" for line in rest]
    return lines


def _where(files: Files) -> str:
    parts = [f"in {files.base_directory}"] if files.base_directory else []
    parts += ["discard paths"] if files.discard_paths else []
    return f", {', '.join(parts)}" if parts else ""


def _paths(files: Files) -> list[str]:
    return [f"    {path}" for path in files.paths] + [f"    not {path}" for path in files.exclude_paths]


def _artifact(identifier: str, files: Files) -> list[str]:
    name = f", name {files.name}" if files.name else ""
    return [f"  {identifier}{name}{_where(files)}", *_paths(files)]


# A pipeline's plan.


def _pipeline(plan: PipelinePlan) -> list[str]:
    lines = [
        f"Plan of {plan.path}: pipeline {plan.name} ({plan.pipeline_type}, {plan.execution_mode}; nothing runs)",
        "",
    ]
    if plan.variables:
        lines.append("Variables:")
        lines += [
            f"  {name} = {quoted(default) if default is not None else '(no default)'}"
            for name, default in plan.variables
        ]
        lines.append("")
    lines.append("Stages:")
    for index, stage in enumerate(plan.stages, start=1):
        lines.append(f"  {index}. {stage.name}")
        for action in stage.actions:
            lines += [f"       {line}" for line in _action(action)]
    lines += ["", "Artifacts:"]
    lines += _flow(plan) or ["  (none)"]
    lines += ["", "Gates:"]
    gates = [
        f"  {action_label(stage.name, action.name)}: times out after {_duration(action.gate.timeout_minutes)}"
        for stage in plan.stages
        for action in stage.actions
        if action.gate
    ]
    lines += gates or ["  (none)"]
    return lines


def _action(action: ActionPlan) -> list[str]:
    flow = f"  {', '.join(action.inputs) or '-'} -> {', '.join(action.outputs) or '-'}"
    namespace = f"  namespace {action.namespace}" if action.namespace else ""
    skipped = "  (skipped locally: no local equivalent)" if action.skipped else ""
    lines = [f"[run order {action.run_order}] {action.name}  {action.type}{flow}{namespace}{skipped}"]
    project = action.project
    if project is not None:
        primary = f", primary source {action.primary_source}" if action.primary_source else ""
        privileged = ", privileged" if project.privileged else ""
        lines.append(
            f"    project {project.name}: buildspec {project.buildspec}, image {project.image}, "
            f"timeout {minutes(project.timeout_minutes)}{privileged}{primary}"
        )
    lines += [f"    env {variable.name} = {shown(variable, origin=True)}" for variable in action.environment]
    gate = action.gate
    if gate is not None:
        lines.append(f"    gate: manual approval, times out after {_duration(gate.timeout_minutes)}")
        for label, value in (("custom data", gate.custom_data), ("link", gate.link), ("notifies", gate.notification)):
            if value is not None:
                lines.append(f"    {label}: {value}")
    lines += [f"    {key} = {quoted(value)}" for key, value in action.configuration]
    return lines


def _flow(plan: PipelinePlan) -> list[str]:
    actions = [(stage.name, action) for stage in plan.stages for action in stage.actions]
    lines = []
    for stage, action in actions:
        for name in action.outputs:
            consumers = [
                action_label(consumer_stage, consumer.name) + (" (primary)" if consumer.primary_source == name else "")
                for consumer_stage, consumer in actions
                if name in consumer.inputs
            ]
            lines.append(
                f"  {name}: from {action_label(stage, action.name)} to {', '.join(consumers) or '(no action)'}"
            )
    return lines


def _duration(minutes_: int) -> str:
    for unit, size in (("day", 24 * 60), ("hour", 60)):
        if minutes_ % size == 0:
            count = minutes_ // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes_} minutes"
