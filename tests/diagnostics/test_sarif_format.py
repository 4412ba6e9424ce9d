"""`validate --format sarif`: a SARIF 2.1.0 log, checked against the official JSON schema (tests/fixtures/sarif,
offline), with one rule per kind of check and files relative to the repository's root."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from simulator import __version__
from simulator.diagnostics import Diagnostic, render
from simulator.diagnostics.rules import RULES
from tests.conftest import FIXTURES

SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-2.1.0-rtm.5.json").read_text())
ROOT = Path("/repo")
DIAGNOSTICS = [
    Diagnostic(
        ROOT / "ci/build spec.yml", 7, 5, "error", "phases.build.commands is required", "buildspec/phase-commands"
    ),
    Diagnostic(ROOT / "stages/p.yml", 6, 31, "warning", "w", "pipeline/approval-in-source-stage"),
    Diagnostic(Path("/elsewhere/buildspec.yml"), 1, 1, "error", "file not found", "file/unreadable"),
]


def sarif(diagnostics: list[Diagnostic]) -> dict:
    return json.loads(render(diagnostics, "sarif", ROOT))


@pytest.mark.parametrize("diagnostics", [DIAGNOSTICS, []], ids=["three", "clean"])
def test_the_log_is_valid_sarif_2_1_0(diagnostics):
    log = sarif(diagnostics)
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0"


def test_a_result_has_its_rule_level_message_and_place():
    run = sarif(DIAGNOSTICS)["runs"][0]
    assert run["tool"]["driver"]["name"] == "simulator"
    assert run["tool"]["driver"]["version"] == __version__
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": "file:///repo/"}}
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == list(RULES)
    first, second, third = run["results"]
    assert first == {
        "ruleId": "buildspec/phase-commands",
        "ruleIndex": rules.index("buildspec/phase-commands"),
        "level": "error",
        "message": {"text": "phases.build.commands is required"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "ci/build%20spec.yml", "uriBaseId": "SRCROOT"},
                    "region": {"startLine": 7, "startColumn": 5},
                }
            }
        ],
    }
    assert (second["ruleId"], second["level"]) == ("pipeline/approval-in-source-stage", "warning")
    assert third["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/buildspec.yml"}


def test_every_rule_has_a_description_and_a_unique_id():
    rules = sarif([])["runs"][0]["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules) == len(RULES)
    assert all(rule["shortDescription"]["text"].endswith(".") for rule in rules)


def test_the_schema_would_refuse_a_broken_log():
    # The check above can fail: a result without its message is not SARIF.
    log = sarif(DIAGNOSTICS[:1])
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)
