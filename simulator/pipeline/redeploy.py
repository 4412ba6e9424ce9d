"""What an earlier execution hands a new one that starts at a later stage (`pipeline run --from STAGE --execution
ID`): the artifacts and namespaces its earlier stages made. That is how a team redeploys a previous version.

Choices (the reference is silent; the nearest is CP §1.11's rollback, which re-runs a stage with an earlier
execution's artifacts):
- The artifacts are the ones made by actions of the stages before STAGE, and they are copied into the new
  execution's own folders, so pruning the earlier execution never takes them from the new one (or its retry).
- The variables are those namespaces' values as the earlier actions exported them.
- Every input a stage from STAGE on consumes must be made either there or by the earlier execution; a missing
  one is refused before anything runs, naming the artifact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import InputError
from simulator.pipeline.model import Pipeline
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.store import Execution

_MADE = (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)


@dataclass(frozen=True)
class RedeployInputs:
    """What an earlier execution hands the stages from `--from STAGE` on: its artifacts and exported variables."""

    artifacts: Mapping[str, tuple[str, str, Path]]  # name -> (stage, action) that made it, and its stored folder
    variables: Mapping[str, Mapping[str, str]]  # namespace -> exported values


def redeploy_inputs(pipeline: Pipeline, earlier: Execution, from_stage: str) -> RedeployInputs:
    names = [stage.name for stage in pipeline.stages]
    before = names[: names.index(from_stage)]
    if earlier.pipeline != pipeline.name:
        raise InputError(
            f"--execution {earlier.id} is an execution of {earlier.pipeline}, not of {pipeline.name}: "
            "give one of this pipeline (pipeline list shows them)."
        )
    artifacts: dict[str, tuple[str, str, Path]] = {}
    variables: dict[str, Mapping[str, str]] = {}
    for stage_name in before:
        stage = pipeline.stage(stage_name)
        for action in stage.actions:
            recorded = _recorded(earlier, stage_name, action.name)
            if recorded is None:
                continue
            for name in action.output_artifacts:
                folder = earlier.artifacts.get(name)
                if folder is not None and folder.is_dir():
                    artifacts[name] = (stage_name, action.name, folder)
            if action.namespace:
                variables[action.namespace] = dict(recorded)
    _check_inputs(pipeline, names[names.index(from_stage) :], set(artifacts), earlier.id, from_stage)
    return RedeployInputs(artifacts, variables)


def _recorded(earlier: Execution, stage: str, action: str) -> Mapping[str, str] | None:
    """The action's exported variables when it succeeded in the earlier execution; None when it did not."""
    try:
        recorded = earlier.stage(stage).action(action)
    except KeyError:
        return None
    return recorded.output_variables if recorded.status in _MADE else None


def _check_inputs(pipeline: Pipeline, stages: list[str], handed: set[str], earlier: str, from_stage: str) -> None:
    available = set(handed)
    for stage_name in stages:
        for group in pipeline.stage(stage_name).run_order_groups():
            for action in group:
                missing = [name for name in action.input_artifacts if name not in available]
                if missing:
                    raise InputError(
                        f"--from {from_stage}: {stage_name}/{action.name} takes the artifact {missing[0]}, which "
                        f"execution {earlier} did not make (or no longer keeps): pick an execution that got past "
                        "the stage making it."
                    )
            for action in group:
                available.update(action.output_artifacts)
