"""The one formatter `validate` prints through: text lines, json, GitHub annotations and SARIF, never a forged or
garbled line."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.diagnostics import FORMATS, Diagnostic, render

ERROR = Diagnostic(
    Path("ci/buildspec.yml"), 7, 5, "error", "phases.build.commands is required", "buildspec/phase-commands"
)
WARNING = Diagnostic(Path("ci/buildspec.yml"), 2, 1, "warning", "unknown key 'enviroment' ignored")


def test_text_is_file_line_column_severity_message():
    assert ERROR.format() == "ci/buildspec.yml:7:5: error: phases.build.commands is required"
    assert render([WARNING, ERROR], "text") == (
        "ci/buildspec.yml:2:1: warning: unknown key 'enviroment' ignored\n"
        "ci/buildspec.yml:7:5: error: phases.build.commands is required\n"
    )


def test_no_diagnostics_print_nothing_as_text_and_an_empty_list_as_json():
    assert (render([], "text"), render([], "json")) == ("", "[]\n")


def test_json_is_a_list_of_objects():
    assert json.loads(render([ERROR], "json")) == [
        {
            "file": "ci/buildspec.yml",
            "line": 7,
            "column": 5,
            "severity": "error",
            "message": "phases.build.commands is required",
            "rule": "buildspec/phase-commands",
        }
    ]


def test_control_characters_in_text_are_escaped_so_no_line_is_forged():
    forged = Diagnostic(Path("a\nb.yml"), 1, 1, "warning", "x\nb.yml:9:9: error: forged\x1b[31m\r")
    assert render([forged], "text") == "a\\nb.yml:1:1: warning: x\\nb.yml:9:9: error: forged\\x1b[31m\\r\n"


def test_json_keeps_the_text_exactly_and_escapes_it_itself():
    forged = Diagnostic(Path("a\nb.yml"), 1, 1, "warning", "x\x1b[31m")
    output = render([forged], "json")
    assert "\x1b" not in output
    assert json.loads(output)[0]["message"] == "x\x1b[31m"


def test_formats_are_named_for_validate():
    assert tuple(FORMATS) == ("text", "json", "github", "sarif")
