"""Which flags the project's defaults cover: one row per setting, with its key in `.simulator.yml`, its environment
variable and the flags (command path, argparse dest) it gives a default to.

Only these variables are read: SIMULATOR_INITIATOR, SIMULATOR_SKIP_HOOK and the build's SIMULATOR=true mean other
things, so a SIMULATOR_* name is a setting only when this table lists it. A target whose command does not exist
(yet) is skipped, so `hook install --run` takes its default from here once that command is written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from simulator.config.flag_values import image_mapping, image_name, minutes

Kind = Literal["text", "path", "mapping"]
Target = tuple[tuple[str, ...], str]

HOOK_MODES = ("validate", "dev", "pipeline")


def hook_mode(text: str) -> str:
    if text not in HOOK_MODES:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(HOOK_MODES)}")
    return text


def _path_text(text: str) -> str:
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a path")
    return text


@dataclass(frozen=True)
class Setting:
    key: str  # as written in the file; `hook.run` is `run` under `hook`
    env: str
    kind: Kind
    # The same function the flags' `type=` is (for a mapping: each NAME=IMAGE item), so a value is judged alike
    # wherever it comes from.
    convert: Callable[[str], object]
    targets: tuple[Target, ...]
    default: str  # what applies when nothing sets it, as `config` shows it


RUN, PLAN = ("run",), ("plan",)
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "image",
        "SIMULATOR_IMAGE",
        "text",
        image_name,
        ((RUN, "image"), (PLAN, "image")),
        "simulator/codebuild-standard:7.0-local",
    ),
    Setting(
        "map-image",
        "SIMULATOR_MAP_IMAGE",
        "mapping",
        image_mapping,
        ((RUN, "map_image"), (PLAN, "map_image")),
        "(none)",
    ),
    Setting(
        "parameters",
        "SIMULATOR_PARAMETERS",
        "path",
        _path_text,
        ((RUN, "parameters"), (PLAN, "parameters"), (("pipeline", "run"), "values_file")),
        ".simulator/parameters.yml (if present)",
    ),
    Setting("env-file", "SIMULATOR_ENV_FILE", "path", _path_text, ((RUN, "env_file"), (PLAN, "env_file")), "(none)"),
    Setting(
        "artifacts",
        "SIMULATOR_ARTIFACTS",
        "path",
        _path_text,
        ((RUN, "artifacts"),),
        ".simulator/builds/<id>/artifacts",
    ),
    Setting("timeout", "SIMULATOR_TIMEOUT", "text", minutes, ((RUN, "timeout"), (PLAN, "timeout")), "60"),
    # `--pipeline` is a template's logical id, so the FILE's variable is SIMULATOR_PIPELINE_FILE.
    Setting(
        "pipeline",
        "SIMULATOR_PIPELINE_FILE",
        "path",
        _path_text,
        ((("pipeline", "run"), "file"), (("pipeline", "show"), "file")),
        "(none: FILE is required)",
    ),
    Setting("hook.run", "SIMULATOR_HOOK_RUN", "text", hook_mode, ((("hook", "install"), "run"),), "validate"),
)
