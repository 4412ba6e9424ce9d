"""The shape of the project's defaults: which keys exist and what kind of value each takes.

What a value means (an image name, a number of minutes, a path) is judged afterwards by the flags' own
conversion functions (settings.py), so the file and the flags refuse the same values with the same words.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _number_text(value: object) -> object:
    # TOML writes `timeout = 30` as a number; YAML's scalars arrive as their text already.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class HookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    run: str | None = None


class ProjectSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    image: str | None = None
    map_image: dict[str, str] | None = Field(default=None, alias="map-image")
    parameters: str | None = None
    env_file: str | None = Field(default=None, alias="env-file")
    artifacts: str | None = None
    timeout: Annotated[str | None, BeforeValidator(_number_text)] = None
    pipeline: str | None = None
    hook: HookSettings | None = None


KEYS: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ("image", "map-image", "parameters", "env-file", "artifacts", "timeout", "pipeline", "hook"),
    ("hook",): ("run",),
}
