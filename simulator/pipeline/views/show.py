"""The pipeline as text for `pipeline show`: stages in order, actions with run order and type, the artifact flow,
namespaces and gates. Pure: the command prints these lines (masked) and nothing else."""

from __future__ import annotations

from simulator.pipeline.checks import KNOWN_PROVIDERS, SKIPPED
from simulator.pipeline.model import DEFAULT_APPROVAL_TIMEOUT_MINUTES, Action, Pipeline, Stage


def describe(pipeline: Pipeline) -> list[str]:
    lines = [f"Pipeline {pipeline.name} ({pipeline.pipeline_type.value}, {pipeline.execution_mode.value})", ""]
    lines.append("Stages:")
    for index, stage in enumerate(pipeline.stages, start=1):
        lines.append(f"  {index}. {stage.name}")
        for action in sorted(stage.actions, key=lambda a: a.run_order):
            lines.extend(f"       {line}" for line in _action(action))
    lines += ["", "Artifacts:"]
    lines += _artifacts(pipeline) or ["  (none)"]
    lines += ["", "Namespaces:"]
    lines += [
        f"  {action.namespace}: {_label(stage, action)}" for stage, action in pipeline.actions() if action.namespace
    ] or ["  (none)"]
    if pipeline.variables:
        lines += ["", "Variables:"]
        lines += [f"  {v.name} = {v.default if v.default is not None else '(no default)'}" for v in pipeline.variables]
    lines += ["", "Gates:"]
    lines += _gates(pipeline) or ["  (none)"]
    return lines


def _label(stage: Stage, action: Action) -> str:
    return f"{stage.name}/{action.name}"


def _action(action: Action) -> list[str]:
    flow = ""
    if action.input_artifacts or action.output_artifacts:
        flow = f"  {', '.join(action.input_artifacts) or '-'} -> {', '.join(action.output_artifacts) or '-'}"
    known = KNOWN_PROVIDERS.get(action.type.category, {}).get((action.type.owner, action.type.provider))
    skipped = "  (skipped locally: no local equivalent)" if known == SKIPPED else ""
    lines = [f"[run order {action.run_order}] {action.name}  {action.type}{flow}{skipped}"]
    project = action.project
    if project is not None:
        buildspec = (
            "inline buildspec" if project.buildspec_is_inline else f"buildspec {project.buildspec or 'buildspec.yml'}"
        )
        primary = f", primary source {action.primary_source}" if len(action.input_artifacts) > 1 else ""
        privileged = ", privileged" if project.privileged else ""
        lines.append(
            f"    project {project.name}: {buildspec}, image {project.image}, "
            f"timeout {project.timeout_minutes} min{privileged}{primary}"
        )
    return lines


def _artifacts(pipeline: Pipeline) -> list[str]:
    lines = []
    for stage, action in pipeline.actions():
        for name in action.output_artifacts:
            consumers = [
                _label(consumer_stage, consumer) + (" (primary)" if consumer.primary_source == name else "")
                for consumer_stage, consumer in pipeline.actions()
                if name in consumer.input_artifacts
            ]
            lines.append(f"  {name}: from {_label(stage, action)} to {', '.join(consumers) or '(no action)'}")
    return lines


def _gates(pipeline: Pipeline) -> list[str]:
    lines = []
    for stage, action in pipeline.actions():
        if not action.is_approval:
            continue
        timeout = action.timeout_minutes or DEFAULT_APPROVAL_TIMEOUT_MINUTES
        lines.append(f"  {_label(stage, action)}: manual approval, times out after {_duration(timeout)}")
        for key, label in (
            ("CustomData", "custom data"),
            ("ExternalEntityLink", "link"),
            ("NotificationArn", "notifies"),
        ):
            if key in action.configuration:
                lines.append(f"    {label}: {action.configuration[key]}")
    return lines


def _duration(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"
