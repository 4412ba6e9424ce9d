"""`simulator validate`: FILE:LINE:COL lines, exit 0/1, JSON output, no Docker, well under a second."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from simulator.cli.main import main
from tests.conftest import FIXTURES, ROOT, simulator

CASES = FIXTURES / "buildspec"
CLEAN = FIXTURES / "validate" / "clean" / "ci" / "buildspec-build.yml"


def test_valid_buildspec_prints_nothing_and_exits_0(capsys):
    assert main(["validate", str(CLEAN)]) == 0
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
        "rule": "buildspec/schema",
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
    path = str(CLEAN)
    result = simulator("validate", path, cwd=ROOT, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert (result.code, result.stdout, result.stderr) == (0, "", "")


def test_warnings_of_a_file_with_errors_are_shown_in_file_order(capsys):
    # Issue 5 item 9: the warnings were dropped whenever the file also had errors.
    path = CASES / "many_errors" / "buildspec.yml"
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.removeprefix(f"{path}:") for line in lines] == [
        "2:1: warning: unknown key 'enviroment' ignored",
        "10:5: error: phases.build.commands is required when the phase is present",
        "10:5: warning: unknown key 'phases.build.comands' ignored",
        "13:17: error: phases.post_build.on-failure 'SOMETIMES' is not valid: expected ABORT, CONTINUE, RETRY, "
        "RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>",
        "20:18: error: reports.unit.file-format must be one of CUCUMBERJSON, JUNITXML, NUNITXML, NUNIT3XML, "
        "TESTNGXML, VISUALSTUDIOTRX, CLOVERXML, COBERTURAXML, JACOCOXML, SIMPLECOV, got 'JUNIT'",
        "21:20: error: reports.unit.discard-paths must be yes/no or true/false, got 'maybe'",
        "25:18: error: cache.fallback-keys may have at most 5 items, not 6",
    ]


def test_a_batch_only_buildspec_validates(capsys):
    assert main(["validate", str(CASES / "batch_only" / "buildspec.yml")]) == 0
    assert capsys.readouterr().out == ""


def test_a_name_too_long_is_a_diagnostic(capsys, tmp_path):
    # Path.is_file() raises ENAMETOOLONG instead of answering: once an unexpected internal error.
    path = tmp_path / ("b" * 256)
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == f"{path}:1:1: error: cannot read the file: File name too long\n"


def test_a_folder_and_a_fifo_are_diagnostics(capsys, tmp_path):
    fifo = tmp_path / "buildspec.fifo"
    os.mkfifo(fifo)
    assert main(["validate", str(tmp_path), str(fifo)]) == 1
    assert capsys.readouterr().out == (
        f"{tmp_path}:1:1: error: it is a folder, not a file\n"
        f"{fifo}:1:1: error: it is not a regular file (a pipe, device or socket cannot be read as one)\n"
    )


def test_a_non_utf8_buildspec_is_a_diagnostic(capsys, tmp_path):
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"version: 0.2\nphases:\n  build:\n    commands: [caf\xe9]\n")
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == f"{path}:4:1: error: the file is not UTF-8 text\n"


def test_control_characters_never_forge_a_line(capsys):
    path = CASES / "control_characters_in_keys" / "buildspec.yml"
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 3
    assert all(line.startswith(f"{path}:") and line.isprintable() for line in out.splitlines())


def test_validate_loads_neither_docker_nor_the_engine_nor_structlog():
    # Start-up is most of validate's time (the pre-push hook's, CI's); and nothing it runs may log unconfigured.
    script = (
        "import sys\n"
        "from simulator.cli.main import main\n"
        "main(['validate', '--exclude', 'tests/*'])\n"
        "heavy = ('docker', 'structlog', 'simulator.codebuild.runner')\n"
        "print(sorted(name for name in heavy if name in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "[]\n")
