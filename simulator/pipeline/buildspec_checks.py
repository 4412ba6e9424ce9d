"""What a pipeline needs from the buildspecs its CodeBuild actions run, read from the repository (CP §1.7, CP §3).

The buildspec of an action is the one CodeBuild would read: its project's `BuildSpec` path relative to the primary
source, or the inline text. A path can only be read when the primary source is a source action's output (the
repository, as the buildspec-path check does); an action whose primary source a build makes is left alone.

- One output artifact is the buildspec's `artifacts`, several are `secondary-artifacts` by identifier: one the
  buildspec does not define fails UPLOAD_ARTIFACTS (an error). A secondary artifact no output names is never passed
  on (a warning, at the buildspec).
- `#{Namespace.Key}`: checks.py knows the namespace; here the key, for producers whose variables are known before
  they run: a source provider's (CP §1.4) and a CodeBuild action's `env.exported-variables`. Lambda, CloudFormation
  and the rest export what they return, which only a run shows.
- An inline buildspec's own errors are reported at the project's `BuildSpec`, with the line inside the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.buildspec import BuildspecError, LoadedBuildspec, load_buildspec, parse_buildspec
from simulator.diagnostics import Diagnostic, Loc, Severity, quote, rules
from simulator.pipeline.actions.source import Revision, source_variables
from simulator.pipeline.errors import error_at
from simulator.pipeline.model import DEFAULT_BUILDSPEC, Action, CodeBuildProject, Pipeline
from simulator.pipeline.variables import references


@dataclass(frozen=True)
class UsedBuildspec:
    """A buildspec a CodeBuild action runs: `path` in the repository (None when inline), `loaded` when valid."""

    action: Action
    project: CodeBuildProject
    path: Path | None
    loaded: LoadedBuildspec | None


def used_buildspecs(pipeline: Pipeline, repository: Path) -> tuple[list[UsedBuildspec], list[Diagnostic]]:
    """The buildspecs the pipeline's CodeBuild actions run from the repository, and an inline one's errors."""
    sources = {name for _stage, action in pipeline.actions() if action.is_source for name in action.output_artifacts}
    used: list[UsedBuildspec] = []
    found: list[Diagnostic] = []
    for _stage, action in pipeline.actions():
        project = action.project
        if not action.is_codebuild or project is None or action.primary_source not in sources:
            continue
        if project.buildspec is not None and project.buildspec_is_inline:
            loaded, problems = _inline(project)
            used.append(UsedBuildspec(action, project, None, loaded))
            found += problems
            continue
        path = repository / (project.buildspec or DEFAULT_BUILDSPEC)
        used.append(UsedBuildspec(action, project, path, _from_file(path)))
    return used, found


def check_buildspecs(pipeline: Pipeline, used: list[UsedBuildspec]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for one in used:
        if one.loaded is not None:
            found += _outputs(one, one.loaded)
    return found + _exported_keys(pipeline, used)


def _from_file(path: Path) -> LoadedBuildspec | None:
    # A missing file is the buildspec-path check's; an invalid one is reported when validate reads it as a buildspec.
    if not path.is_file():
        return None
    try:
        return load_buildspec(path)
    except BuildspecError:
        return None


def _inline(project: CodeBuildProject) -> tuple[LoadedBuildspec | None, list[Diagnostic]]:
    text = project.buildspec or ""
    try:
        loaded = parse_buildspec(text, Path(f"{project.name}.buildspec.yml"))
    except BuildspecError as error:
        problems = sorted((*error.diagnostics, *error.warnings), key=lambda d: (d.line, d.column))
        return None, [inline_problem(project, problem) for problem in problems]
    return loaded, [inline_problem(project, problem) for problem in loaded.warnings]


def inline_problem(project: CodeBuildProject, problem: Diagnostic) -> Diagnostic:
    """A problem of the project's inline buildspec, at its `BuildSpec` in the pipeline file."""
    where = project.buildspec_where or project.where
    message = f"the inline buildspec of {quote(project.name)}, its line {problem.line}: {problem.message}"
    return Diagnostic(
        where.path, where.line, where.column, problem.severity, message, problem.rule or rules.INLINE_BUILDSPEC
    )


def _outputs(one: UsedBuildspec, loaded: LoadedBuildspec) -> list[Diagnostic]:
    action, artifacts = one.action, loaded.buildspec.artifacts
    outputs = action.output_artifacts
    secondary = dict(artifacts.secondary_artifacts) if artifacts is not None else {}
    name = _name(one)
    found: list[Diagnostic] = []
    if len(outputs) == 1 and artifacts is None:
        message = (
            f"the output artifact {quote(outputs[0])} is the buildspec's artifacts, which {name} does not define"
            "; the build would fail in UPLOAD_ARTIFACTS"
        )
        found.append(error_at(action.at("OutputArtifacts", 0), message, rules.BUILD_OUTPUTS))
    if len(outputs) > 1:
        for index, output in enumerate(outputs):
            if output not in secondary:
                have = f" (it has {', '.join(map(quote, secondary))})" if secondary else ""
                message = (
                    f"the output artifact {quote(output)} must be a secondary-artifacts identifier of {name}, which "
                    f"defines none by that name{have}; the build would fail in UPLOAD_ARTIFACTS"
                )
                found.append(error_at(action.at("OutputArtifacts", index), message, rules.BUILD_OUTPUTS))
    for identifier in secondary:
        if len(outputs) > 1 and identifier in outputs:
            continue
        why = (
            f"the action {quote(action.name)} declares no output artifact by that name"
            if len(outputs) > 1
            else f"the action {quote(action.name)} has {len(outputs)} output artifact{'' if len(outputs) == 1 else 's'}"
            ", so it takes no secondary artifacts"
        )
        message = f"the secondary artifact {quote(identifier)} is never passed on: {why}"
        found.append(_at_buildspec(one, ("artifacts", "secondary-artifacts", identifier), "warning", message))
    return found


def _at_buildspec(one: UsedBuildspec, loc: Loc, severity: Severity, message: str) -> Diagnostic:
    loaded = one.loaded
    if one.path is None or loaded is None or loaded.positions is None:
        where = one.project.buildspec_where or one.project.where
        return Diagnostic(where.path, where.line, where.column, severity, message, rules.SECONDARY_ARTIFACT)
    at = loaded.positions.at(loc, severity, message, at_key=True)
    return Diagnostic(at.path, at.line, at.column, severity, message, rules.SECONDARY_ARTIFACT)


def _name(one: UsedBuildspec) -> str:
    return quote(str(one.project.buildspec or DEFAULT_BUILDSPEC)) if one.path is not None else "its inline buildspec"


@dataclass(frozen=True)
class _Exports:
    producer: Action
    keys: frozenset[str]
    source: str  # what holds the list, for the message


def _exported_keys(pipeline: Pipeline, used: list[UsedBuildspec]) -> list[Diagnostic]:
    known = _known_exports(pipeline, used)
    found: list[Diagnostic] = []
    for _stage, action in pipeline.actions():
        for key, text in action.configuration.items():
            for reference in references(text):
                exports = known.get(reference.namespace)
                if exports is None or exports.producer is action or reference.key in exports.keys:
                    continue
                listed = ", ".join(sorted(exports.keys)) or "none"
                message = (
                    f"{reference} in {key} can never be resolved: {quote(exports.producer.name)} exports no variable "
                    f"{quote(reference.key)} ({exports.source} exports: {listed})"
                )
                found.append(error_at(action.at("Configuration", key), message, rules.VARIABLE_REFERENCE))
    return found


def _known_exports(pipeline: Pipeline, used: list[UsedBuildspec]) -> dict[str, _Exports]:
    known: dict[str, _Exports] = {}
    builds = {id(one.action): one for one in used}
    for _stage, action in pipeline.actions():
        if action.namespace is None or action.namespace in known:
            continue  # a namespace declared twice is checks.py's error
        if action.is_source:
            keys = frozenset(source_variables(action, _NO_REVISION))
            known[action.namespace] = _Exports(action, keys, f"the {action.type.provider} source")
        elif id(action) in builds and builds[id(action)].loaded is not None:
            one = builds[id(action)]
            assert one.loaded is not None
            keys = frozenset(one.loaded.buildspec.env.exported_variables)
            known[action.namespace] = _Exports(action, keys, f"its buildspec {_name(one)}")
    return known


# Only the names of a source's variables are read here; their values need a commit.
_NO_REVISION = Revision(commit="", tree="", message="", author_date="", committer_date="", local_branch=None)
