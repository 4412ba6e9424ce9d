"""Sentences for the pydantic errors every schema shares, each starting with the breadcrumb of what is wrong.

A loader handles the errors its own schema raises (its rules, its hints) and asks here for the rest.
"""

from __future__ import annotations

from pydantic_core import ErrorDetails

from simulator.diagnostics.yaml_source import describe

_EXPECTED_KIND = {
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def common_message(error: ErrorDetails, where: str) -> str:
    kind, value, ctx = error["type"], error["input"], error.get("ctx", {})
    if kind == "missing":
        return f"{where} is required"
    if kind in _EXPECTED_KIND:
        return f"{where} must be {_EXPECTED_KIND[kind]}, not {describe(value)}{_list_hint(kind, value)}"
    if kind == "literal_error":
        return f"{where} must be {ctx['expected']}, got {value!r}"
    if kind in ("too_short", "too_long"):
        return _length_message(where, kind, ctx)
    if kind == "int_parsing":
        return f"{where} must be a whole number, got {value!r}"
    if kind == "greater_than":
        return f"{where} must be greater than {ctx['gt']}, got {value!r}"
    return f"{where}: {error['msg']}"


def _list_hint(kind: str, value: object) -> str:
    if kind in ("tuple_type", "list_type") and isinstance(value, str):
        return "; write each item on its own line starting with '- '"
    return ""


def _length_message(where: str, kind: str, ctx: dict[str, object]) -> str:
    if kind == "too_long":
        return f"{where} may have at most {ctx['max_length']} items, not {ctx['actual_length']}"
    if ctx["min_length"] == 1:
        return f"{where} must not be empty"
    return f"{where} must have at least {ctx['min_length']} items"
