"""The buildspec as frozen data (CB §1, CB §2, CB §6.1).

The loader feeds these models the YAML scalars' source text (None for an empty scalar), so the field types
below decide how text becomes a bool or an integer; strings are never routed through YAML's float or bool
resolution. Python attribute names are snake_case; the aliases are the buildspec's own key names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from simulator.buildspec.on_failure import OnFailure, OnFailureError, parse_on_failure
from simulator.diagnostics.yaml_source import describe

# The loader prints errors of this type as "<breadcrumb> <message>", so their messages start with a verb.
RULE_ERROR = "buildspec_rule"

PHASE_NAMES: tuple[str, ...] = ("install", "pre_build", "build", "post_build")

# CB §1.8: test and coverage report formats.
REPORT_FORMATS: tuple[str, ...] = (
    "CUCUMBERJSON",
    "JUNITXML",
    "NUNITXML",
    "NUNIT3XML",
    "TESTNGXML",
    "VISUALSTUDIOTRX",
    "CLOVERXML",
    "COBERTURAXML",
    "JACOCOXML",
    "SIMPLECOV",
)

# YAML 1.1 booleans, which is how CodeBuild reads `discard-paths: yes` and friends.
_TRUE_WORDS = frozenset({"y", "yes", "true", "on"})
_FALSE_WORDS = frozenset({"n", "no", "false", "off"})
_RESERVED_PREFIX = "CODEBUILD_"
_UNEXPORTABLE_PREFIX = "AWS_"
_BATCH_TYPES = ("build-list", "build-graph", "build-matrix", "build-fanout")


def rule_error(message: str) -> PydanticCustomError:
    # No context: pydantic then leaves the message alone, so braces in user text (`awk '{ print }'`) survive.
    return PydanticCustomError(RULE_ERROR, message)


def _kebab(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def _yaml_bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    # An empty value (`discard-paths:`) means the default, false; CodeBuild's tolerance here is not documented.
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    got = repr(value) if isinstance(value, str) else describe(value)
    raise rule_error(f"must be yes/no or true/false, got {got}")


def _empty_text(value: object) -> object:
    # `EMPTY:` in env.variables sets the variable to the empty string (CB §1.4).
    return "" if value is None else value


def _empty_mapping(value: object) -> object:
    return {} if value is None else value


def _one_item_list(value: object) -> object:
    # AWS's own samples write `files: imagedefinitions.json`; a single glob stands for a one-item list.
    return (value,) if isinstance(value, str) else value


def _command(value: object) -> object:
    if isinstance(value, dict):
        raise _command_mapping_error(value)
    if value is None:
        raise rule_error("is empty; write a command after the '-' or remove the item")
    return value


def _command_mapping_error(value: dict[object, object]) -> PydanticCustomError:
    # CB §1.7: an unquoted `- echo a: b` is read by YAML as the mapping {"echo a": "b"}.
    if len(value) == 1:
        ((key, item),) = value.items()
        if item is None or isinstance(item, str):
            text = f"{key}: {item}" if item else f"{key}:"
            return rule_error(
                f"is a mapping, not a command: YAML read {text!r} as a key: value pair; put the whole command in quotes"
            )
    return rule_error("is a mapping, not a command; put commands that contain ': ' in quotes")


def _on_failure(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return parse_on_failure(value)
    except OnFailureError as exc:
        raise rule_error(f"{exc.text!r} is not valid: {exc.reason}") from exc


def _not_reserved(name: str) -> str:
    # CB §1.4, CB §4.2: the CODEBUILD_ prefix belongs to CodeBuild.
    if name.startswith(_RESERVED_PREFIX):
        raise rule_error("uses the reserved prefix CODEBUILD_; choose another variable name")
    return name


def _one_word(what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip() or any(c.isspace() for c in value):
            raise rule_error(f"must be a single {what}, without spaces")
        return value

    return check


UserName = Annotated[str, AfterValidator(_one_word("Linux user name"))]
ShellName = Annotated[str, AfterValidator(_one_word("shell name or path (bash, /bin/sh)"))]


def _exportable(name: str) -> str:
    # CB §1.4: names starting with AWS_ cannot be exported.
    if name.startswith(_UNEXPORTABLE_PREFIX):
        raise rule_error(f"names {name!r}, which cannot be exported: names starting with AWS_ are not exportable")
    return name


def _required_text(hint: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if value is None or value == "":
            raise rule_error(f"needs a value, e.g. {hint}")
        return value

    return check


def _runtimes_listed(value: object) -> object:
    # CB §6.1: if runtime-versions is present it must name at least one runtime.
    if value is None or value == {}:
        raise rule_error("must list at least one runtime (e.g. python: 3.12) when present")
    return value


def _report_format(value: str) -> str:
    upper = value.upper()
    if upper not in REPORT_FORMATS:
        raise rule_error(f"must be one of {', '.join(REPORT_FORMATS)}, got {value!r}")
    return upper


YamlBool = Annotated[bool, BeforeValidator(_yaml_bool)]
Command = Annotated[str, BeforeValidator(_command)]
Commands = tuple[Command, ...]


def _named_like(pattern: str, what: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(name: str) -> str:
        if not compiled.fullmatch(name):
            raise rule_error(f"names {name!r}, which is not a valid {what}")
        return name

    return check


# A secondary artifact's identifier and a report group's name become folder names on the host: they must be names,
# never paths. CP §1.2: a pipeline's output artifact names (which secondary artifact
# identifiers equal) are [A-Za-z0-9_-]{1,100}; report groups are named [A-Za-z0-9_-]{2,128} or by an ARN.
ArtifactIdentifier = Annotated[
    str, AfterValidator(_named_like(r"[A-Za-z0-9_-]{1,128}", "artifact identifier (letters, digits, _ and -)"))
]
ReportGroupName = Annotated[
    str,
    AfterValidator(
        _named_like(
            r"[A-Za-z0-9_-]{2,128}|arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:report-group/[A-Za-z0-9_-]{2,128}",
            "report group name (2 to 128 letters, digits, _ and -) or report group ARN",
        )
    ),
]
VariableName = Annotated[str, AfterValidator(_not_reserved)]
VariableValue = Annotated[str, BeforeValidator(_empty_text)]
Variables = Annotated[dict[VariableName, VariableValue], BeforeValidator(_empty_mapping)]
RuntimeVersion = Annotated[str, BeforeValidator(_required_text("3.12, 3.x or latest"))]
Globs = Annotated[tuple[str, ...], BeforeValidator(_one_item_list), Field(min_length=1)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)


class Phase(_Section):
    run_as: UserName | None = None
    on_failure: Annotated[OnFailure | None, BeforeValidator(_on_failure)] = None
    # CB §1.7: required in pre_build, build and post_build whenever the phase is present.
    commands: Commands
    finally_: Commands = Field(default=(), alias="finally")


class InstallPhase(Phase):
    # CB §1.7: install may hold only runtime-versions.
    commands: Commands = ()
    runtime_versions: Annotated[dict[str, RuntimeVersion], BeforeValidator(_runtimes_listed)] = {}


# A phase written as `build:` with nothing under it is validated as an empty phase, so it reports the missing
# commands instead of silently disappearing.
_PresentPhase = BeforeValidator(_empty_mapping)


class Phases(_Section):
    install: Annotated[InstallPhase | None, _PresentPhase] = None
    pre_build: Annotated[Phase | None, _PresentPhase] = Field(default=None, alias="pre_build")
    build: Annotated[Phase | None, _PresentPhase] = None
    post_build: Annotated[Phase | None, _PresentPhase] = Field(default=None, alias="post_build")

    def ordered(self) -> list[tuple[str, Phase]]:
        """The present phases in the order CodeBuild runs them (CB §3.1)."""
        phases = (self.install, self.pre_build, self.build, self.post_build)
        return [(name, phase) for name, phase in zip(PHASE_NAMES, phases, strict=True) if phase is not None]


class EnvSection(_Section):
    shell: ShellName | None = None
    variables: Variables = {}
    parameter_store: Variables = {}
    secrets_manager: Variables = {}
    exported_variables: tuple[Annotated[str, AfterValidator(_exportable)], ...] = ()
    git_credential_helper: YamlBool = False


class ProxySection(_Section):
    upload_artifacts: YamlBool = False
    logs: YamlBool = False


class BatchTaskEnv(_Section):
    compute_type: str | None = None
    fleet: str | None = None
    image: str | None = None
    privileged_mode: YamlBool = False
    type: str | None = None
    variables: Variables = {}

    @model_validator(mode="after")
    def _fleet_or_compute_type(self) -> BatchTaskEnv:
        # CB §1.6: a task names a fleet or a compute type, not both.
        if self.fleet is not None and self.compute_type is not None:
            raise rule_error("sets both fleet and compute-type; keep only one")
        return self


class BatchTask(_Section):
    identifier: str
    buildspec: str | None = None
    debug_session: YamlBool = False
    depend_on: tuple[str, ...] = ()
    ignore_failure: YamlBool = False
    env: BatchTaskEnv | None = None


class MatrixStatic(_Section):
    ignore_failure: YamlBool = False
    env: BatchTaskEnv | None = None


class MatrixDynamicEnv(_Section):
    compute_type: tuple[str, ...] = ()
    image: tuple[str, ...] = ()
    variables: dict[VariableName, tuple[str, ...]] = {}


class MatrixDynamic(_Section):
    buildspec: tuple[str, ...] = ()
    env: MatrixDynamicEnv | None = None


class BuildMatrix(_Section):
    static: MatrixStatic | None = None
    dynamic: MatrixDynamic


class BuildFanout(_Section):
    parallelism: Annotated[int, Field(gt=0)]
    ignore_failure: YamlBool = False


def _unique_identifiers(tasks: tuple[BatchTask, ...]) -> tuple[BatchTask, ...]:
    seen: set[str] = set()
    for task in tasks:
        if task.identifier in seen:
            raise rule_error(f"uses the identifier {task.identifier!r} twice; identifiers must be unique")
        seen.add(task.identifier)
    return tasks


def _list_tasks(tasks: tuple[BatchTask, ...]) -> tuple[BatchTask, ...]:
    # CB §1.6: build-list tasks all run in parallel; only build-graph orders them.
    for task in tasks:
        if task.depend_on:
            raise rule_error(f"task {task.identifier!r} has depend-on, which only build-graph supports")
    return _unique_identifiers(tasks)


def _graph_tasks(tasks: tuple[BatchTask, ...]) -> tuple[BatchTask, ...]:
    known = {task.identifier for task in _unique_identifiers(tasks)}
    for task in tasks:
        for needed in task.depend_on:
            if needed not in known:
                raise rule_error(f"task {task.identifier!r} depends on {needed!r}, which is no task in build-graph")
    return tasks


class BatchSection(_Section):
    fast_fail: YamlBool = False
    build_list: Annotated[tuple[BatchTask, ...], AfterValidator(_list_tasks)] | None = None
    build_graph: Annotated[tuple[BatchTask, ...], AfterValidator(_graph_tasks)] | None = None
    build_matrix: BuildMatrix | None = None
    build_fanout: BuildFanout | None = None

    @model_validator(mode="after")
    def _one_batch_type(self) -> BatchSection:
        # CB §1.6: only one batch type per buildspec.
        present = [name for name in _BATCH_TYPES if getattr(self, name.replace("-", "_")) is not None]
        if len(present) > 1:
            raise rule_error(f"may use only one of {', '.join(_BATCH_TYPES)}; found {' and '.join(present)}")
        return self


class ReportGroup(_Section):
    files: Globs
    base_directory: str | None = None
    discard_paths: YamlBool = False
    # CB §1.8: optional, case-insensitive, JUNITXML by default.
    file_format: Annotated[str, AfterValidator(_report_format)] = "JUNITXML"


class ArtifactSpec(_Section):
    # CB §1.9: files is required whenever the section is present.
    files: Globs
    name: str | None = None
    discard_paths: YamlBool = False
    base_directory: str | None = None
    exclude_paths: tuple[str, ...] = ()
    enable_symlinks: YamlBool = False
    s3_prefix: str | None = None


class Artifacts(ArtifactSpec):
    secondary_artifacts: Annotated[dict[ArtifactIdentifier, ArtifactSpec], BeforeValidator(_empty_mapping)] = {}


class Cache(_Section):
    paths: Globs
    key: str | None = None
    # CB §1.10: at most five fallback keys.
    fallback_keys: Annotated[tuple[str, ...], Field(max_length=5)] = ()
    action: Literal["restore", "save"] | None = None


class Buildspec(_Section):
    """A buildspec; `phases` is required unless a `batch` section stands in for it (see has_phases)."""

    version: Literal["0.1", "0.2"]
    run_as: UserName | None = None
    env: Annotated[EnvSection, BeforeValidator(_empty_mapping)] = EnvSection()
    proxy: ProxySection | None = None
    batch: BatchSection | None = None
    phases: Phases
    reports: Annotated[dict[ReportGroupName, ReportGroup], BeforeValidator(_empty_mapping)] = {}
    artifacts: Artifacts | None = None
    cache: Cache | None = None

    @model_validator(mode="before")
    @classmethod
    def _phases_unless_batch(cls, data: object) -> object:
        # Issue 5 item 9: s2n-tls and amplify-codegen run buildspecs with a batch section and no phases, each
        # task naming its own buildspec; such a file is valid, with no phases of its own.
        if isinstance(data, dict) and "phases" not in data and data.get("batch") is not None:
            return {**data, "phases": {}}
        return data

    @property
    def has_phases(self) -> bool:
        """False for a batch-only buildspec: it has nothing to run outside batch mode."""
        return bool(self.phases.ordered())
