"""`validate --format github`: GitHub Actions workflow commands, one annotation per diagnostic, escaped as the
Actions toolkit escapes them (`%`, CR, LF in the message; also `:` and `,` in a property)."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.diagnostics import Diagnostic, render

ROOT = Path("/repo")
# ::error file=F,line=L,col=C,title=T::message, with no raw CR, LF, or unescaped ':' ',' inside a property.
ANNOTATION = re.compile(r"::(error|warning) file=([^,:\r\n]*),line=(\d+),col=(\d+),title=([^,:\r\n]*)::([^\r\n]*)")


def test_one_annotation_per_diagnostic_relative_to_the_repository():
    diagnostics = [
        Diagnostic(ROOT / "ci/buildspec.yml", 7, 5, "error", "phases.build.commands is required", "buildspec/schema"),
        Diagnostic(ROOT / "stages/p.yml", 2, 1, "warning", "unknown key 'x' ignored", "pipeline/schema"),
    ]
    assert render(diagnostics, "github", ROOT) == (
        "::error file=ci/buildspec.yml,line=7,col=5,title=buildspec/schema::phases.build.commands is required\n"
        "::warning file=stages/p.yml,line=2,col=1,title=pipeline/schema::unknown key 'x' ignored\n"
    )


def test_messages_and_properties_are_escaped():
    odd = Diagnostic(ROOT / "a,b:c%.yml", 1, 2, "error", "100% sure\r\nline 2: a, b", "r:1,2")
    line = render([odd], "github", ROOT)
    assert line == "::error file=a%2Cb%3Ac%25.yml,line=1,col=2,title=r%3A1%2C2::100%25 sure%0D%0Aline 2: a, b\n"
    assert ANNOTATION.fullmatch(line.removesuffix("\n"))


def test_a_file_outside_the_repository_keeps_its_path():
    outside = Diagnostic(Path("/tmp/buildspec.yml"), 3, 4, "warning", "w", "buildspec/shell-missing")
    assert render([outside], "github", ROOT) == (
        "::warning file=/tmp/buildspec.yml,line=3,col=4,title=buildspec/shell-missing::w\n"
    )


def test_every_line_follows_the_annotation_syntax():
    tricky = [
        Diagnostic(ROOT / "x.yml", n, 1, "error", text, "buildspec/schema")
        for n, text in enumerate(["::error::forged", "a\nb", "%0A", "::warning file=y::z"], start=1)
    ]
    lines = render(tricky, "github", ROOT).splitlines()
    assert len(lines) == 4
    assert all(ANNOTATION.fullmatch(line) for line in lines)
    assert lines[1].endswith("::a%0Ab")
    assert lines[2].endswith("::%250A")
