"""`pipeline run` with bad input: one clear message and exit 2, nothing run, no state written
(CP §7 item 1; the issue's bad-input list)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from simulator.cli.main import main
from tests.conftest import FIXTURES

CASES = [
    ("template_input_never_produced", "is not produced by any action"),
    ("template_source_outside_first_stage", "source"),
    ("template_missing_parameter", "parameter"),
    ("template_import_value", "ImportValue"),
    ("template_unknown_provider", "provider"),
    ("template_unknown_namespace", "namespace"),
]


@pytest.mark.parametrize(("case", "said"), CASES, ids=[case for case, _ in CASES])
def test_a_bad_pipeline_is_refused_before_anything_runs(capsys, tmp_path, monkeypatch, case, said):
    repository = tmp_path / "repo"
    shutil.copytree(FIXTURES / "pipeline" / case, repository)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    monkeypatch.chdir(repository)
    template = "pipeline-template.yml"
    code = main(["pipeline", "run", template, "--no-input"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines and all(line.startswith(f"{template}:") for line in lines), captured.err
    assert said.lower() in captured.err.lower()
    assert not (repository / ".simulator").exists()  # no execution recorded, no state touched


def test_an_approval_named_in_advance_that_no_gate_has_is_refused(capsys, tmp_path, monkeypatch):
    # Found by the review: `--approve Gatee` was ignored and the run stopped at the gate all the same.
    repository = tmp_path / "repo"
    shutil.copytree(FIXTURES / "pipeline_chain", repository)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    monkeypatch.chdir(repository)
    code = main(["pipeline", "run", "stages/pipeline.yml", "--approve", "Gatee"])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: No approval gate is named 'Gatee' (the pipeline's gates: Approve/Gate).\n"
    )
    assert not (repository / ".simulator").exists()
