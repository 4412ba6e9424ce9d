"""Deploy and invoke actions, locally (issue: deploys with no local equivalent are SKIPPED, never succeeded).

An S3 deploy is the one with a faithful local meaning: its input artifact, extracted (`Extract: 'true'`) or kept
as one object (`ObjectKey`), lands in a local folder standing for the bucket. Every other provider (CodeDeploy,
CloudFormation, ECS, Lambda invoke, Elastic Beanstalk, ...) would change cloud resources: the action is reported
Skipped with the reason, so a run never looks as if it deployed.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from simulator.pipeline.executor import ActionOutcome
from simulator.pipeline.model import Action
from simulator.pipeline.statuses import ActionStatus


def deploy(
    action: Action, configuration: Mapping[str, str], artifacts: Mapping[str, Path], buckets: Path
) -> ActionOutcome:
    if action.type.provider != "S3":
        return ActionOutcome(
            ActionStatus.SKIPPED,
            f"{action.type} has no local equivalent: nothing was deployed (the cloud run would deploy here).",
        )
    return _s3_deploy(action, configuration, artifacts, buckets)


def _s3_deploy(
    action: Action, configuration: Mapping[str, str], artifacts: Mapping[str, Path], buckets: Path
) -> ActionOutcome:
    bucket = configuration.get("BucketName", "")
    if not bucket or "/" in bucket or bucket in (".", ".."):
        return ActionOutcome(ActionStatus.FAILED, f"The S3 deploy needs a BucketName, not {bucket!r}.")
    if len(action.input_artifacts) != 1 or action.input_artifacts[0] not in artifacts:
        return ActionOutcome(ActionStatus.FAILED, "An S3 deploy takes exactly one input artifact.")
    source = artifacts[action.input_artifacts[0]]
    target = buckets / bucket
    extract = configuration.get("Extract", "").lower() == "true"
    key = configuration.get("ObjectKey", "").strip("/")
    if not extract and not key:
        return ActionOutcome(ActionStatus.FAILED, "An S3 deploy with Extract 'false' needs an ObjectKey.")
    destination = target / key if key else target
    if not destination.resolve().is_relative_to(target.resolve()):
        return ActionOutcome(ActionStatus.FAILED, f"The ObjectKey {key!r} leaves the bucket.")
    if extract:
        shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.make_archive(str(destination), "zip", source)
        Path(f"{destination}.zip").replace(destination)
    return ActionOutcome(ActionStatus.SUCCEEDED, f"Deployed to {destination} (the local stand-in for s3://{bucket}).")
