"""SARIF 2.1.0, the log code-scanning tools read: one run, the simulator as its tool, one rule per kind of check.

Files inside the repository are URIs relative to the `SRCROOT` base (the repository's root, given as a file URI
in `originalUriBaseIds`), as GitHub code scanning expects; a file outside it is an absolute file URI.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote as quote_uri

from simulator import __version__
from simulator.diagnostics.diagnostic import Diagnostic
from simulator.diagnostics.locations import relative_to_root
from simulator.diagnostics.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
ROOT_BASE = "SRCROOT"
TOOL_NAME = "simulator"
UNNAMED_RULE = "simulator/other"


def sarif_log(diagnostics: Sequence[Diagnostic], root: Path) -> dict[str, object]:
    rule_ids = _rule_ids(diagnostics)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "rules": _rules(rule_ids)}},
                "originalUriBaseIds": {ROOT_BASE: {"uri": Path(os.path.abspath(root)).as_uri().rstrip("/") + "/"}},
                "results": [_result(diagnostic, rule_ids, root) for diagnostic in diagnostics],
            }
        ],
    }


def _rule_ids(diagnostics: Sequence[Diagnostic]) -> list[str]:
    # Every known rule, so a clean log still says what was checked; then any id found without a description.
    extra = sorted({_rule(d) for d in diagnostics} - RULES.keys())
    return [*RULES, *extra]


def _rules(rule_ids: list[str]) -> list[dict[str, object]]:
    return [{"id": rule, "shortDescription": {"text": RULES.get(rule, rule)}} for rule in rule_ids]


def _rule(diagnostic: Diagnostic) -> str:
    return diagnostic.rule or UNNAMED_RULE


def _result(diagnostic: Diagnostic, rule_ids: list[str], root: Path) -> dict[str, object]:
    rule = _rule(diagnostic)
    return {
        "ruleId": rule,
        "ruleIndex": rule_ids.index(rule),
        "level": diagnostic.severity,
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(diagnostic.path, root),
                    "region": {"startLine": diagnostic.line, "startColumn": diagnostic.column},
                }
            }
        ],
    }


def _artifact(path: Path, root: Path) -> dict[str, str]:
    relative = relative_to_root(path, root)
    if relative is None:
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote_uri(str(relative)), "uriBaseId": ROOT_BASE}
