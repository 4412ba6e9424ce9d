"""One way in for a pipeline file: a CloudFormation template (it has `Resources`) or the native format (`stages`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from simulator.diagnostics import Diagnostic, UnreadableFile, YamlSourceError, compose, read_text, to_document
from simulator.pipeline.cloudformation import template_pipeline
from simulator.pipeline.cloudformation.source import document_of, is_template
from simulator.pipeline.errors import PipelineFileError
from simulator.pipeline.model import Pipeline
from simulator.pipeline.native import is_native, native_from_document

FileKind = Literal["template", "native", "other"]


def load_pipeline(path: Path, parameters: Mapping[str, str] | None = None, pipeline: str | None = None) -> Pipeline:
    """The pipeline `path` defines; `parameters` and `pipeline` apply to templates only (a native file has neither
    template parameters nor several pipelines, so giving them is an error, not silently ignored)."""
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise PipelineFileError(path, [Diagnostic(path, exc.line, 1, "error", exc.problem)]) from exc
    return parse_pipeline(text, path, parameters, pipeline)


def parse_pipeline(
    text: str, path: Path, parameters: Mapping[str, str] | None = None, pipeline: str | None = None
) -> Pipeline:
    """Like load_pipeline, from text already in hand (a file as it was at a git revision); `path` names it."""
    document = document_of(text, path)
    if is_template(document.data):
        return template_pipeline(document, path, parameters, pipeline)
    if not is_native(document.data):
        message = "not a pipeline file: a CloudFormation template has Resources, a native pipeline has stages"
        raise PipelineFileError(path, [Diagnostic(path, 1, 1, "error", message)])
    misplaced = [flag for flag, given in (("--parameter", parameters), ("--pipeline", pipeline)) if given]
    if misplaced:
        message = f"{' and '.join(misplaced)} apply to CloudFormation templates; this is a native pipeline file"
        raise PipelineFileError(path, [Diagnostic(path, 1, 1, "error", message)])
    return native_from_document(document, path)


def file_kind(path: Path) -> FileKind:
    """What a file holds, by its content, for commands that take buildspecs and pipelines alike (`validate`).

    A file that cannot be read or parsed is "other": the buildspec loader then says why, as it always has.
    """
    try:
        text = read_text(path)
    except (UnreadableFile, OSError):
        return "other"
    return text_kind(text)


def text_kind(text: str) -> FileKind:
    """file_kind of a file's text."""
    try:
        root = compose(text)
    except YamlSourceError:
        return "other"
    if root is None:
        return "other"
    data = to_document(root).data
    if is_template(data):
        return "template"
    return "native" if is_native(data) else "other"
