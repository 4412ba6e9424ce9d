"""What the project's defaults hold once read, and the error they raise: light, so that applying them costs a
command nothing when no settings file is there (pydantic and the YAML reader load with the file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.config.settings import Setting
from simulator.diagnostics.diagnostic import Diagnostic
from simulator.errors import InputError


class ConfigError(InputError):
    """The project's defaults are invalid; `diagnostics` holds every error, which is what gets printed."""

    prefix = ""  # each line is a diagnostic already: `.simulator.yml:3:10: error: ...`

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))


@dataclass(frozen=True)
class ConfigValue:
    setting: Setting
    texts: tuple[str, ...]  # one text, or a mapping's NAME=IMAGE items
    origin: str  # `.simulator.yml:3`, `SIMULATOR_TIMEOUT`
    place: Diagnostic | None = None  # where a file's value was written, to point a later refusal at it


@dataclass(frozen=True)
class ProjectConfig:
    file: Path | None
    values: dict[str, ConfigValue]
    warnings: tuple[Diagnostic, ...] = ()
