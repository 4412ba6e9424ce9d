"""`simulator validate`: FILE:LINE:COL lines, exit 0/1, JSON output, no Docker, well under a second."""

from __future__ import annotations

import json

from simulator.cli.main import main
from tests.conftest import FIXTURES, ROOT, simulator

CASES = FIXTURES / "buildspec"


def test_valid_buildspec_prints_nothing_and_exits_0(capsys):
    assert main(["validate", str(CASES / "complete_v02" / "buildspec.yml")]) == 0
    assert capsys.readouterr().out == ""


def test_errors_of_several_files_are_all_listed(capsys):
    files = [str(CASES / "unknown_phase" / "buildspec.yml"), str(CASES / "missing_version" / "buildspec.yml")]
    assert main(["validate", *files]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": error: ")[0] for line in lines] == [f"{files[0]}:7:3", f"{files[0]}:10:3", f"{files[1]}:2:1"]


def test_json_format(capsys):
    path = str(CASES / "unknown_phase" / "buildspec.yml")
    assert main(["validate", "--format", "json", path]) == 1
    first = json.loads(capsys.readouterr().out)[0]
    assert first == {
        "file": path,
        "line": 7,
        "column": 3,
        "severity": "error",
        "message": "unknown phase 'biuld'; did you mean 'build'? Valid phases: install, pre_build, build, post_build",
    }


def test_missing_file_is_reported_as_an_error(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "nope.yml")]) == 1
    assert capsys.readouterr().out == f"{tmp_path / 'nope.yml'}:1:1: error: file not found\n"


def test_warnings_do_not_fail_validation(capsys):
    path = CASES / "unknown_keys" / "buildspec.yml"
    assert main(["validate", str(path)]) == 0
    assert all(": warning: " in line for line in capsys.readouterr().out.splitlines())


def test_validate_runs_as_a_process_without_docker():
    # The pre-push hook's path: a separate process with no engine reachable still validates.
    path = str(ROOT / "tests/fixtures/buildspec/complete_v02/buildspec.yml")
    result = simulator("validate", path, cwd=ROOT, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
