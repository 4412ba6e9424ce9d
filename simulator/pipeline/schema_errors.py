"""Pydantic's errors about a pipeline file as diagnostics at the value (or key) each is about."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator.diagnostics import Diagnostic, Loc, Positions, common_message, crumb, error_location, quote

RULE_ERROR = "pipeline_rule"

M = TypeVar("M", bound=BaseModel)


def all_keys(*schemas: type[BaseModel]) -> frozenset[str]:
    """Every key the schemas know, for "did you mean" hints."""
    return frozenset(info.alias or name for schema in schemas for name, info in schema.model_fields.items())


def _reported(_error: ErrorDetails) -> bool:
    return False


def _as_found(loc: Loc) -> Loc:
    return loc


@dataclass(frozen=True)
class Wording:
    """How validate words its diagnostics: `known_keys` for "did you mean" hints; `named` names a location
    (relative to the data) in messages; `skip` drops errors already reported otherwise; `translate` turns
    pydantic's location into the document's (a tagged union adds the tag to it)."""

    known_keys: Collection[str] = ()
    named: Callable[[Loc], str] = crumb
    skip: Callable[[ErrorDetails], bool] = _reported
    translate: Callable[[Loc], Loc] = _as_found


def validate(
    schema: type[M], data: object, positions: Positions, prefix: Loc = (), *, wording: Wording | None = None
) -> M | list[Diagnostic]:
    """The validated value, or the diagnostics of every error, worded as `wording` says (default: Wording()).

    `prefix` is where `data` sits in the document.
    """
    wording = wording or Wording()
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = [error for error in exc.errors() if not wording.skip(error) and not _follows(error, exc.errors())]
        found: Iterator[Diagnostic] = (
            positions.at(
                (*prefix, *loc), "error", _message(error, loc, wording.named, wording.known_keys), at_key=at_key
            )
            for error in errors
            for found_loc, at_key in [error_location(error)]
            for loc in [wording.translate(found_loc)]
        )
        return list(found)


def _follows(error: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    """A list found too short because its items failed says nothing the items' own errors do not."""
    if error["type"] != "too_short":
        return False
    loc = error["loc"]
    return any(other["loc"][: len(loc)] == loc and len(other["loc"]) > len(loc) for other in errors)


def _message(error: ErrorDetails, loc: Loc, named: Callable[[Loc], str], known_keys: Collection[str]) -> str:
    where = named(loc)
    if error["type"] == RULE_ERROR:
        return f"{where} {error['msg']}"
    if error["type"] == "extra_forbidden":
        name = str(loc[-1])
        if name in known_keys:
            return f"the key {quote(name)} does not belong in {named(loc[:-1])}"
        close = difflib.get_close_matches(name, sorted(known_keys), n=1, cutoff=0.75)
        hint = f"; did you mean {quote(close[0])}?" if close else ""
        return f"unknown key {quote(name)} in {named(loc[:-1])}{hint}"
    if error["type"] == "union_tag_not_found":
        return f"{where} needs a {str(error.get('ctx', {}).get('discriminator', 'kind')).strip(chr(39))}"
    if error["type"] == "union_tag_invalid":
        ctx = error.get("ctx", {})
        key = str(ctx.get("discriminator", "kind")).strip("'")
        return f"{where}.{key} must be one of {ctx.get('expected_tags', '')}, got {ctx.get('tag')!r}"
    if error["type"] == "enum":
        return f"{where} must be one of {error.get('ctx', {}).get('expected', '')}, got {error['input']!r}"
    return common_message(error, where)
