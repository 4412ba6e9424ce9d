"""A pipeline from a CloudFormation template: intrinsic functions evaluated locally, positions kept."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from simulator.diagnostics import SourceDocument
from simulator.pipeline.cloudformation.builder import build, stack_name_of
from simulator.pipeline.cloudformation.intrinsics import Evaluator
from simulator.pipeline.cloudformation.source import (
    TemplateSource,
    parse_template_text,
    read_template,
    template_from_document,
)
from simulator.pipeline.errors import PipelineFileError
from simulator.pipeline.model import Pipeline

__all__ = ["PipelineFileError", "load_template", "parse_template", "template_pipeline"]


def load_template(path: Path, parameters: Mapping[str, str] | None = None, pipeline: str | None = None) -> Pipeline:
    """The pipeline of the template at `path`: `parameters` give template parameters (and may set AWS::Region,
    AWS::AccountId, AWS::StackName); `pipeline` picks a pipeline by logical id when the template has several.

    Raises PipelineFileError holding every error found, each at its file:line:col.
    """
    return _load(read_template(path), parameters or {}, pipeline)


def parse_template(
    text: str, path: Path, parameters: Mapping[str, str] | None = None, pipeline: str | None = None
) -> Pipeline:
    """Like load_template, from text already in hand; `path` names it in diagnostics."""
    return _load(parse_template_text(text, path), parameters or {}, pipeline)


def _load(source: TemplateSource, parameters: Mapping[str, str], pipeline: str | None) -> Pipeline:
    evaluator = Evaluator(source, parameters, stack_name_of(source.path))
    evaluator.check_references()
    return build(source, evaluator, pipeline)


def template_pipeline(
    document: SourceDocument, path: Path, parameters: Mapping[str, str] | None = None, pipeline: str | None = None
) -> Pipeline:
    """Like load_template, from the document already composed (the dispatcher reads each file once)."""
    return _load(template_from_document(document, path), parameters or {}, pipeline)
