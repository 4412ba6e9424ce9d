"""A CloudFormation template read as a position-keeping document, its sections checked for shape.

The template goes through the same YAML source as buildspecs, with `keep_tags`: the short forms (`!Ref`,
`!Sub`...) arrive as Tagged values holding their line and column. cfn-flip (the reference's CP §4 pick) was not used
because its plain dictionaries drop every line number, and every diagnostic here must point at one. JSON templates
are read by the same composer (JSON is YAML's flow style), so they keep positions too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from yaml.nodes import MappingNode

from simulator.diagnostics import (
    Diagnostic,
    Loc,
    Positions,
    SourceDocument,
    Tagged,
    UnreadableFile,
    YamlSourceError,
    compose,
    describe,
    read_text,
    to_document,
)
from simulator.pipeline.errors import PipelineFileError
from simulator.pipeline.model import Where

_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, object]
    condition: str | None


@dataclass(frozen=True)
class TemplateSource:
    path: Path
    positions: Positions
    parameters: dict[str, dict[str, object]]
    mappings: dict[str, object]
    conditions: dict[str, object]
    resources: dict[str, Resource]
    outputs: dict[str, object]

    def where(self, loc: Loc, *, at_key: bool = False) -> Where:
        diagnostic = self.positions.at(loc, "error", "", at_key=at_key)
        return Where(diagnostic.path, diagnostic.line, diagnostic.column)


def read_template(path: Path) -> TemplateSource:
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise PipelineFileError(path, [Diagnostic(path, exc.line, 1, "error", exc.problem)]) from exc
    return parse_template_text(text, path)


def document_of(text: str, path: Path) -> SourceDocument:
    """The document of a pipeline file (template or native), or a PipelineFileError saying why there is none."""
    try:
        root = compose(text)
    except YamlSourceError as exc:
        raise PipelineFileError(path, [Diagnostic(path, exc.line, exc.column, "error", exc.message)]) from exc
    if root is None:
        raise PipelineFileError(path, [Diagnostic(path, 1, 1, "error", "the file is empty")])
    if not isinstance(root, MappingNode):
        mark = root.start_mark
        message = "a pipeline file must be a mapping of keys (a template's Resources, or stages)"
        raise PipelineFileError(path, [Diagnostic(path, mark.line + 1, mark.column + 1, "error", message)])
    return to_document(root, keep_tags=True)


def parse_template_text(text: str, path: Path) -> TemplateSource:
    return template_from_document(document_of(text, path), path)


def is_template(data: object) -> bool:
    return isinstance(data, dict) and ("Resources" in data or "AWSTemplateFormatVersion" in data)


def template_from_document(document: SourceDocument, path: Path) -> TemplateSource:
    positions = Positions(path, document.nodes)
    errors = [positions.at_node(problem.node, "error", problem.message) for problem in document.problems]
    data = cast(dict[str, object], document.data)
    sections: dict[str, dict[str, object]] = {}
    for name in _SECTIONS:
        value = data.get(name, {})
        if isinstance(value, dict):
            sections[name] = value
        else:
            errors.append(positions.at((name,), "error", f"{name} must be a mapping, not {describe(value)}"))
            sections[name] = {}
    if "Resources" not in data:
        errors.append(positions.at((), "error", "a CloudFormation template needs a Resources section"))
    parameters: dict[str, dict[str, object]] = {}
    for name, declaration in sections["Parameters"].items():
        if isinstance(declaration, dict):
            parameters[name] = declaration
        else:
            message = f"Parameters.{name} must be a mapping with a Type, not {describe(declaration)}"
            errors.append(positions.at(("Parameters", name), "error", message))
    resources: dict[str, Resource] = {}
    for logical_id, declaration in sections["Resources"].items():
        resource = _resource(logical_id, declaration)
        if isinstance(resource, str):
            errors.append(positions.at(("Resources", logical_id), "error", resource))
        else:
            resources[logical_id] = resource
    if errors:
        raise PipelineFileError(path, errors)
    return TemplateSource(
        path, positions, parameters, sections["Mappings"], sections["Conditions"], resources, sections["Outputs"]
    )


def _resource(logical_id: str, declaration: object) -> Resource | str:
    """The resource, or the sentence saying why its declaration is not one."""
    where = f"Resources.{logical_id}"
    if not isinstance(declaration, dict):
        return f"{where} must be a mapping with a Type, not {describe(declaration)}"
    kind = declaration.get("Type")
    if not isinstance(kind, str):
        return f"{where} needs a Type such as AWS::CodeBuild::Project"
    properties = declaration.get("Properties", {})
    if isinstance(properties, Tagged) or not isinstance(properties, dict):
        return f"{where}.Properties must be a mapping, not {describe(properties)}"
    condition = declaration.get("Condition")
    return Resource(logical_id, kind, properties, condition if isinstance(condition, str) else None)
