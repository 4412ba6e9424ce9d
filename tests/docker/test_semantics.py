"""CodeBuild's rules, checked in real containers from the real image (CB §9)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, agent_lines, simulator

pytestmark = pytest.mark.docker


def run(source, *args, **kwargs):
    return simulator("run", "buildspec.yml", "--source", str(source), *args, cwd=source, **kwargs)


def output_lines(result):
    """Command output only: the lines that are not the agent's."""
    return [line for line in result.stdout.splitlines() if not line.startswith("[Container]")]


def log_between(stdout, first, last):
    """The log from the line ending in `first` to the one ending in `last`, timestamps folded to `[C]`."""
    lines = [re.sub(r"^\[Container\] \S+ \S+ ", "[C] ", line) for line in stdout.splitlines()]
    start = lines.index(f"[C] {first}")
    return lines[start : lines.index(f"[C] {last}", start) + 1]


def phase_statuses(summary_path):
    summary = json.loads(summary_path.read_text())
    return summary["buildStatus"], [(p["phaseType"], p.get("phaseStatus")) for p in summary["phases"]]


def test_v02_exports_plain_assignments_and_cd_persist_across_phases(fixture_source):
    # CB §1.2 / CB §9 item 1: version 0.2 runs every command in the same shell session
    source = fixture_source("session_v02")
    result = run(source, "--env", "HOSTNAME_PROBE=set-by-override")
    assert result.code == 0, result.stderr
    src_dir = re.search(r"CODEBUILD_SRC_DIR=(\S+)", result.stdout).group(1)
    assert f"exported=from-pre-build plain=plain-assignment pwd={src_dir}/subdir" in output_lines(result)
    assert "probe=unset" in output_lines(result)  # an `unset` persists too


def test_v01_runs_each_command_in_a_fresh_shell(fixture_source):
    # CB §1.2 / CB §9 item 1: version 0.1 keeps nothing from one command to the next
    source = fixture_source("session_v01")
    result = run(source)
    assert result.code == 0, result.stderr
    src_dir = re.search(r"CODEBUILD_SRC_DIR=(\S+)", result.stdout).group(1)
    assert f"exported=unset pwd={src_dir} stage=dev" in output_lines(result)


def test_a_failing_command_fails_only_itself_and_a_block_counts_its_last_line(fixture_source, tmp_path):
    # CB §1.2 / CB §9 item 3: exit 3 does not kill the session; a multi-line block is judged by its last line
    source = fixture_source("failing_commands")
    summary = tmp_path / "summary.json"
    result = run(source, "--summary-json", str(summary))
    assert result.code == 1
    assert log_between(result.stdout, "Entering phase PRE_BUILD", "Phase complete: POST_BUILD State: FAILED") == [
        "[C] Entering phase PRE_BUILD",
        "[C] Running command exit 3",
        "[C] Command did not exit successfully exit 3 exit status 3",
        "[C] Phase complete: PRE_BUILD State: FAILED",
        "[C] Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: exit 3. "
        "Reason: exit status 3",
        "[C] Entering phase BUILD",
        "[C] Running command false",
        "echo masked-failure",
        "",
        "masked-failure",
        "[C] Running command echo session-alive",
        "session-alive",
        "[C] Running command echo first-line",
        "false",
        "",
        "first-line",
        "[C] Command did not exit successfully echo first-line",
        "false",
        " exit status 1",
        "[C] Phase complete: BUILD State: FAILED",
        "[C] Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: echo "
        "first-line",
        "false",
        ". Reason: exit status 1",
        "[C] Entering phase POST_BUILD",
        "[C] Running command not_a_command_xyz",
        "/codebuild/output/tmp/script.sh: 4: not_a_command_xyz: not found",  # CB §1.2: dash's form, line 4
        "[C] Command did not exit successfully not_a_command_xyz exit status 127",
        "[C] Phase complete: POST_BUILD State: FAILED",
    ]
    status, phases = phase_statuses(summary)
    assert status == "FAILED"
    assert ("BUILD", "FAILED") in phases and ("POST_BUILD", "FAILED") in phases


def test_build_failure_runs_finally_post_build_and_upload(fixture_source, tmp_path):
    # CB §1.7 finally, CB §3.2 routing, CB §3.3 CODEBUILD_BUILD_SUCCEEDING, CB §5.2 log templates
    source = fixture_source("build_failure_routing")
    summary = tmp_path / "summary.json"
    artifacts = tmp_path / "out"
    result = run(source, "--summary-json", str(summary), "--artifacts", str(artifacts))
    assert result.code == 1
    assert output_lines(result)[:4] == [
        "install succeeding=1",
        "before",
        "finally succeeding=0",
        "post_build succeeding=0",
    ]
    lines = agent_lines(result.stdout)
    start = lines.index("Entering phase BUILD")
    assert lines[start : start + 9] == [
        "Entering phase BUILD",
        "Running command echo before",
        "Running command sh -c 'exit 4'",
        "Command did not exit successfully sh -c 'exit 4' exit status 4",
        'Running command echo "finally succeeding=$CODEBUILD_BUILD_SUCCEEDING"',
        "Phase complete: BUILD State: FAILED",
        "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: "
        "sh -c 'exit 4'. Reason: exit status 4",
        "Entering phase POST_BUILD",
        'Running command echo "post_build succeeding=$CODEBUILD_BUILD_SUCCEEDING"',
    ]
    assert (artifacts / "report.txt").read_text() == "report\n"
    status, phases = phase_statuses(summary)
    assert status == "FAILED"
    assert [p for p in phases if p[0] in ("BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS")] == [
        ("BUILD", "FAILED"),
        ("POST_BUILD", "SUCCEEDED"),
        ("UPLOAD_ARTIFACTS", "SUCCEEDED"),
    ]


def test_pre_build_failure_skips_build_and_post_build(fixture_source, tmp_path):
    # CB §3.2: PRE_BUILD fails -> FINALIZING
    source = fixture_source("pre_build_failure")
    summary = tmp_path / "summary.json"
    result = run(source, "--summary-json", str(summary))
    assert result.code == 1
    assert "pre-build-finally" in output_lines(result)
    assert "build-must-not-run" not in result.stdout and "post-build-must-not-run" not in result.stdout
    status, phases = phase_statuses(summary)
    assert status == "FAILED"
    assert [p for p, _ in phases] == [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "FINALIZING",
        "COMPLETED",
    ]


def test_on_failure_continue_goes_on_and_still_fails(fixture_source):
    # CB §2 CONTINUE; CB §3.3 CODEBUILD_BUILD_SUCCEEDING stays 0
    result = run(fixture_source("on_failure_continue"))
    assert result.code == 1
    assert "build runs succeeding=0" in output_lines(result)


def test_on_failure_abort_skips_post_build_and_artifacts(fixture_source, tmp_path):
    # CB §2 ABORT (inferred: POST_BUILD and UPLOAD_ARTIFACTS skipped)
    summary = tmp_path / "summary.json"
    result = run(fixture_source("on_failure_abort"), "--summary-json", str(summary))
    assert result.code == 1
    assert "post-build-must-not-run" not in result.stdout
    assert [p for p, _ in phase_statuses(summary)[1]][-3:] == ["BUILD", "FINALIZING", "COMPLETED"]


def test_environment_precedence_and_codebuild_variables(fixture_source, tmp_path):
    # CB §1.4 precedence (override > buildspec > image), YAML 1.1 numbers kept as written, CB §4.1 shapes
    source = fixture_source("environment")
    env_file = tmp_path / "build.env"
    env_file.write_text("FROM_FILE=file\nOVERRIDDEN=file\n")
    result = run(
        source,
        "--env-file",
        str(env_file),
        "--env",
        "OVERRIDDEN=flag",
        "--project",
        "shop",
        env={"AWS_REGION": "eu-west-1", "SIMULATOR_INITIATOR": "alice"},
    )
    assert result.code == 0, result.stderr
    out = output_lines(result)
    assert "FROM_BUILDSPEC=buildspec OVERRIDDEN=flag FROM_FILE=file VERSION_NUMBER=1.10" in out
    assert "PATH_LITERAL=$PATH:/extra" in out  # CB §1.4: the value is taken literally
    assert "HOME=/root AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1" in out
    assert any(re.fullmatch(r"ID=shop:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", x) for x in out)
    assert any(re.fullmatch(r"NUMBER=1 START=\d{13}", line) for line in out)
    assert any(re.fullmatch(r"SRC=(/codebuild/output/src\d+/src) PWD=\1", line) for line in out)
    commit = simulator_git_head(source)
    assert f"COMMIT={commit}" in out
    assert "INITIATOR=alice" in out
    assert "SIMULATOR=true" in out  # ours, as act's ACT=true: a buildspec can skip what only the cloud does


def simulator_git_head(source):
    import subprocess

    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()


def test_build_number_counts_up_per_project(fixture_source):
    source = fixture_source("environment")
    numbers = []
    for _ in range(2):
        result = run(source, "--project", "counted")
        numbers += [line for line in output_lines(result) if line.startswith("NUMBER=")]
    assert [n.split()[0] for n in numbers] == ["NUMBER=1", "NUMBER=2"]


def test_secrets_are_resolved_and_masked_everywhere(fixture_source, tmp_path):
    # CB §1.4 parameter-store, secrets-manager json keys, masking (exact match: a reversed secret is not masked)
    source = fixture_source("secrets")
    summary = tmp_path / "summary.json"
    result = run(source, "--parameters", str(source / "parameters.yml"), "--summary-json", str(summary))
    assert result.code == 0, result.stderr
    out = output_lines(result)
    assert "password is ***" in out
    assert "user is *** token is ***" in out
    assert "wp-terc3s" in out
    build_dir = next((source / ".simulator" / "builds").iterdir())
    for text in (result.stdout, (build_dir / "build.log").read_text(), summary.read_text()):
        assert "s3cret-pw" not in text and "admin-user" not in text and "tok-98765" not in text
    exported = json.loads(summary.read_text())["exportedEnvironmentVariables"]
    assert exported == [{"name": "DB_PASSWORD", "value": "***"}, {"name": "TAG", "value": "release-1"}]


def test_default_parameters_file_is_used(fixture_source):
    source = fixture_source("secrets")
    (source / ".simulator").mkdir()
    (source / "parameters.yml").rename(source / ".simulator" / "parameters.yml")
    assert run(source).code == 0


def test_missing_parameter_fails_download_source_before_any_command(fixture_source, tmp_path):
    # CB §1.4 / CB §5.3: DOWNLOAD_SOURCE FAILED with the local agent's context message
    summary = tmp_path / "summary.json"
    result = run(fixture_source("missing_parameter"), "--summary-json", str(summary))
    assert result.code == 1
    assert "must-not-run" not in output_lines(result)
    assert agent_lines(result.stdout)[-2:] == [
        "Phase complete: DOWNLOAD_SOURCE State: FAILED",
        "Phase context status code: Decrypted Variables Error Message: parameter does not exist: "
        "/shop/dev/does-not-exist",
    ]
    assert phase_statuses(summary)[1][3:] == [
        ("DOWNLOAD_SOURCE", "FAILED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]


def test_unknown_runtime_version_fails_like_codebuild(fixture_source):
    # CB §6.1 / CB §5.3 YAML_FILE_ERROR
    result = run(fixture_source("runtime_unknown"))
    assert result.code == 1
    assert agent_lines(result.stdout)[-1] == (
        "Phase context status code: YAML_FILE_ERROR Message: Unknown runtime version named '3.8' of python. "
        "This build image has the following versions: 3.11"
    )


def test_artifacts_base_directory_exclude_discard_and_secondary(fixture_source, tmp_path):
    # CB §1.9
    source = fixture_source("artifacts_selection")
    summary = tmp_path / "summary.json"
    artifacts = tmp_path / "artifacts"
    result = run(
        source,
        "--artifacts",
        str(artifacts),
        "--summary-json",
        str(summary),
        env={"SUDO_UID": "4321", "SUDO_GID": "4322"},
    )
    assert result.code == 0, result.stderr
    assert sorted(p.relative_to(artifacts).as_posix() for p in artifacts.rglob("*")) == [
        "app.js",
        "css",
        "css/site.css",
    ]
    record = json.loads(summary.read_text())
    assert record["artifacts"] == {"location": str(artifacts), "overrideArtifactName": True, "name": "frontend-1"}
    build_dir = next((source / ".simulator" / "builds").iterdir())
    assert record["secondaryArtifacts"] == [
        {
            "artifactIdentifier": "flat",
            "location": str(build_dir / "secondary-artifacts" / "flat"),
            "overrideArtifactName": True,
            "name": "flat-1",
        }
    ]
    assert sorted(p.name for p in (build_dir / "secondary-artifacts" / "flat").iterdir()) == ["app.js", "site.css"]
    assert record["reports"] == [{"reportGroup": "unit-tests", "location": str(build_dir / "reports" / "unit-tests")}]
    assert (build_dir / "reports" / "unit-tests" / "reports" / "junit.xml").read_text() == "<testsuite/>\n"
    # Files come out owned by the invoking user (the one sudo names when run as root), not by root.
    owners = {(p.stat().st_uid, p.stat().st_gid) for p in artifacts.rglob("*")}
    assert owners == {(4321, 4322)}


def test_no_matching_artifacts_fail_upload_with_client_error(fixture_source):
    result = run(fixture_source("artifacts_no_match"))
    assert result.code == 1
    lines = agent_lines(result.stdout)
    assert lines[lines.index("Found 0 file(s)") :] == [
        "Found 0 file(s)",
        "Skipping invalid file path imagedefinitions.json",
        "Phase complete: UPLOAD_ARTIFACTS State: FAILED",
        "Phase context status code: CLIENT_ERROR Message: no matching artifact paths found",
    ]


def test_staging_copies_what_a_clone_holds(fixture_source):
    # Only tracked and untracked-not-ignored files reach CODEBUILD_SRC_DIR; .simulator never does.
    source = fixture_source("staging_filter")
    (source / "ignored.log").write_text("x")
    (source / "node_modules").mkdir()
    (source / "node_modules" / "big.js").write_text("x")
    (source / "untracked.txt").write_text("x")
    result = run(source)
    assert result.code == 0, result.stderr
    listed = [line for line in output_lines(result) if line.startswith("./")]
    assert listed == ["./.gitignore", "./buildspec.yml", "./src/tracked.txt", "./untracked.txt"]


def test_mount_shares_the_working_tree(fixture_source):
    source = fixture_source("staging_filter")
    (source / "ignored.log").write_text("x")
    result = run(source, "--mount")
    assert result.code == 0, result.stderr
    assert "./ignored.log" in output_lines(result)


def test_run_as_switches_user_and_keeps_the_session(fixture_source):
    # CB §1.3: top-level run-as, phase-level override
    result = run(fixture_source("run_as_user"))
    assert result.code == 0, result.stderr
    out = output_lines(result)
    assert out[:3] == ["codebuild-user", "root", "FROM_USER=yes HOME=/root"]


def test_env_shell_bash(fixture_source):
    # CB §1.4 env.shell; bash's error form from CB §1.2
    result = run(fixture_source("shell_bash"))
    assert result.code == 1
    out = output_lines(result)
    assert out[:2] == ["bash=yes", "second=b"]
    assert "/codebuild/output/tmp/script.sh: line 4: not_a_command_xyz: command not found" in out


def test_host_ca_is_injected_unless_refused(fixture_source, tmp_path):
    source = fixture_source("session_v02")
    (source / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - 'echo ssl=${SSL_CERT_FILE-unset}'\n"
        '      - \'test ! -e "$SSL_CERT_FILE" || cmp -s "$SSL_CERT_FILE" /dev/null || echo bundle-present\'\n'
        "      - 'echo no_proxy=${NO_PROXY-unset}'\n"
    )
    host = {"NO_PROXY": "internal.example"}
    with_ca = output_lines(run(source, env=host))
    assert with_ca[:3] == [
        "ssl=/usr/local/share/simulator/host-ca-bundle.crt",
        "bundle-present",
        "no_proxy=internal.example",
    ]
    without = output_lines(run(source, "--no-host-ca", env=host))
    assert without[:2] == ["ssl=unset", "no_proxy=unset"]


def test_https_through_the_intercepting_proxy_works_in_a_build(fixture_source):
    source = fixture_source("session_v02")
    (source / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - curl -fsS -o /dev/null https://pypi.org/simple/pip/ && echo pypi-reachable\n"
    )
    result = run(source)
    assert result.code == 0, result.stdout
    assert "pypi-reachable" in output_lines(result)


def test_json_log_format_has_one_object_per_event_and_build_log_keeps_the_text(fixture_source):
    source = fixture_source("build_failure_routing")
    result = run(source, "--log-format", "json")
    assert result.code == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"event": "command_failed", "command": "sh -c 'exit 4'", "exit_status": 4}.items() <= events[
        [e["event"] for e in events].index("command_failed")
    ].items()
    assert events[-1]["event"] == "build_finished" and events[-1]["status"] == "FAILED"
    build_log = next((source / ".simulator" / "builds").iterdir()) / "build.log"
    assert "[Container] " in build_log.read_text()
    assert "Command did not exit successfully sh -c 'exit 4' exit status 4" in build_log.read_text()


def test_console_and_build_log_hold_the_same_lines(fixture_source):
    source = fixture_source("build_failure_routing")
    result = run(source)
    build_log = (next((source / ".simulator" / "builds").iterdir()) / "build.log").read_text()
    assert result.stdout.startswith(build_log)
    assert result.stdout[len(build_log) :].splitlines()[0] == "PHASE             STATUS      DURATION"


def test_curated_image_name_runs_the_local_image(fixture_source):
    source = fixture_source("session_v02")
    (source / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo image=$CODEBUILD_BUILD_IMAGE\n"
    )
    result = run(source, "--image", "aws/codebuild/standard:7.0")
    assert result.code == 0, result.stderr
    assert "image=aws/codebuild/standard:7.0" in output_lines(result)


def test_a_command_with_its_own_exit_trap_keeps_the_session(fixture_source):
    # CB §1.2: the session survives whatever one command does to its shell
    result = run(fixture_source("own_exit_trap"))
    assert result.code == 0, result.stderr
    assert output_lines(result)[:2] == ["own-trap-ran", "AFTER_TRAP=kept dir=subdir"]


def test_under_sudo_the_build_records_belong_to_the_invoking_user(fixture_source, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can hand files over to another user")
    source = fixture_source("artifacts_selection")
    summary = tmp_path / "summary.json"
    result = run(source, "--summary-json", str(summary), env={"SUDO_UID": "4321", "SUDO_GID": "4322"})
    assert result.code == 0, result.stderr
    state = source / ".simulator"
    written = [state, *state.rglob("*"), summary]
    assert {(p.lstat().st_uid, p.lstat().st_gid) for p in written} == {(4321, 4322)}


def test_artifact_links_to_files_are_followed_and_links_to_folders_are_not(fixture_source, tmp_path):
    # CB §1.9: local artifacts are plain files; a link to `/` must not drag the container's whole tree along.
    artifacts = tmp_path / "artifacts"
    result = run(fixture_source("artifacts_symlinks"), "--artifacts", str(artifacts), timeout=120)
    assert result.code == 0, result.stdout
    assert sorted(p.name for p in artifacts.iterdir()) == ["link.txt", "os-release", "real.txt"]
    assert not any(p.is_symlink() for p in artifacts.iterdir())
    assert (artifacts / "link.txt").read_text() == "real\n"
    assert "Debian" in (artifacts / "os-release").read_text()  # the container's file, not a link to the host's


def test_a_background_process_printing_nonstop_changes_nothing(fixture_source, tmp_path):
    # The build's own output stream is shared with whatever it leaves running: the simulator's own steps
    # (file list, exported variables) must not read it, and removing the container must not wait for it.
    summary = tmp_path / "summary.json"
    artifacts = tmp_path / "artifacts"
    result = run(fixture_source("background_noise"), "--summary-json", str(summary), "--artifacts", str(artifacts))
    assert result.code == 0, result.stderr
    record = json.loads(summary.read_text())
    assert record["exportedEnvironmentVariables"] == [{"name": "A", "value": "alpha"}]
    assert sorted(p.name for p in artifacts.iterdir()) == ["keep.txt"]


def test_artifact_file_names_and_names_with_shell_characters(fixture_source, tmp_path):
    summary = tmp_path / "summary.json"
    artifacts = tmp_path / "artifacts"
    result = run(fixture_source("artifacts_odd_names"), "--artifacts", str(artifacts), "--summary-json", str(summary))
    assert result.code == 0, result.stdout[-2000:]
    assert sorted(p.name for p in artifacts.iterdir()) == ["-dash", "SIMULATOR_END_OF_LIST", "a\\tb.txt", "new\nline"]
    assert (artifacts / "new\nline").read_text() == "2"
    # Shell syntax, as CodeBuild evaluates `name`: the trailing backslash continues onto nothing.
    assert json.loads(summary.read_text())["artifacts"]["name"] == "build-q-"


def test_a_line_is_shown_while_its_command_works_on(fixture_source, tmp_path):
    # Found running a pipeline: `echo started; sleep N` showed `started` only once the command ended.
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo first-line; sleep 3; echo second-line\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen: dict[str, float] = {}
    assert process.stdout is not None
    with process:
        for line in process.stdout:
            if line.strip() in ("first-line", "second-line"):
                seen[line.strip()] = time.monotonic()
    assert process.returncode == 0
    assert seen["second-line"] - seen["first-line"] > 2.0
