"""The phase machine against a fake session: CB §1.7, CB §2, CB §3, CB §5 (pure logic, no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.buildspec import parse_buildspec
from simulator.cancellation import CancelToken
from simulator.codebuild import upload
from simulator.codebuild.artifacts import HostDiskFull
from simulator.codebuild.environment import BuildIdentity
from simulator.codebuild.machine import BuildMachine, BuildPlan
from simulator.codebuild.phases import Status
from simulator.codebuild.result import PhaseContext, SavedArtifact
from simulator.codebuild.scripts import LIST_FILES_BODY
from simulator.codebuild.upload import RequiredArtifacts
from simulator.container.session import StopRequested
from tests.codebuild.fake_session import FakeSession


class EventLog:
    def __init__(self):
        self.events = []

    def info(self, event, **fields):
        self.events.append((event, fields))

    def named(self, name):
        return [fields for event, fields in self.events if event == name]


IDENTITY = BuildIdentity(
    "shop",
    "uuid-1",
    1,
    1_000_000_000_000,
    "/codebuild/output/src1/src",
    "img",
    "me",
    "us-east-1",
    "000000000000",
    None,
)


LAST_MACHINE: list[BuildMachine] = []


def run(buildspec_text, session, tmp_path, cancel=None, artifacts_dir_override=None, **plan_fields):
    loaded = parse_buildspec(buildspec_text, Path("buildspec.yml"))
    plan = BuildPlan(
        buildspec=loaded.buildspec,
        identity=IDENTITY,
        yaml_location="/src/buildspec.yml",
        runtime_selections=(),
        download_failure=plan_fields.pop("download_failure", None),
        artifacts_dir=artifacts_dir_override or tmp_path / "artifacts",
        secondary_artifacts_dir=tmp_path / "secondary",
        reports_dir=tmp_path / "reports",
        timeout_minutes=60.0,
        **plan_fields,
    )
    log = EventLog()
    clock = iter(range(1_000_000_000, 1_000_010_000)).__next__
    machine = BuildMachine(plan, session, log, clock=lambda: float(clock()), cancel=cancel)
    LAST_MACHINE[:] = [machine]
    result = machine.run()
    return result, log


def phases(result):
    return [(p.phase_type.value, p.status.value if p.status else None) for p in result.phases]


FOUR_PHASES = """
version: 0.2
phases:
  install:
    commands: [install-cmd]
  pre_build:
    commands: [pre-cmd]
  build:
    commands: [build-1, build-2]
    finally: [build-finally]
  post_build:
    commands: [post-cmd]
"""


def test_happy_path_runs_every_phase_in_order(tmp_path):
    session = FakeSession()
    result, _ = run(FOUR_PHASES, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-2", "build-finally", "post-cmd"]
    assert phases(result) == [
        ("SUBMITTED", "SUCCEEDED"),
        ("QUEUED", "SUCCEEDED"),
        ("PROVISIONING", "SUCCEEDED"),
        ("DOWNLOAD_SOURCE", "SUCCEEDED"),
        ("INSTALL", "SUCCEEDED"),
        ("PRE_BUILD", "SUCCEEDED"),
        ("BUILD", "SUCCEEDED"),
        ("POST_BUILD", "SUCCEEDED"),
        ("UPLOAD_ARTIFACTS", "SUCCEEDED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert result.status is Status.SUCCEEDED


def test_build_failure_skips_rest_runs_finally_and_post_build(tmp_path):
    # CB §1.7 finally, CB §3.2 BUILD -> POST_BUILD, CB §3.3 CODEBUILD_BUILD_SUCCEEDING flips to 0 and stays 0
    session = FakeSession(exit_statuses={"build-1": 2})
    result, log = run(FOUR_PHASES, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-finally", "post-cmd"]
    assert session.succeeding_flags == ["1", "1", "1", "0", "0"]
    assert ("BUILD", "FAILED") in phases(result) and ("POST_BUILD", "SUCCEEDED") in phases(result)
    assert result.status is Status.FAILED
    assert log.named("command_failed") == [{"command": "build-1", "exit_status": 2}]
    assert log.named("phase_context")[3] == {
        "phase": "BUILD",
        "code": "COMMAND_EXECUTION_ERROR",
        "message": "Error while executing command: build-1. Reason: exit status 2",
    }


def test_pre_build_failure_skips_to_finalizing(tmp_path):
    session = FakeSession(exit_statuses={"pre-cmd": 1})
    result, _ = run(FOUR_PHASES, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd"]
    assert [p for p, _ in phases(result)][-3:] == ["PRE_BUILD", "FINALIZING", "COMPLETED"]


def test_failing_finally_fails_the_phase(tmp_path):
    session = FakeSession(exit_statuses={"build-finally": 1})
    result, _ = run(FOUR_PHASES, session, tmp_path)
    assert ("BUILD", "FAILED") in phases(result)
    assert session.commands[-1] == "post-cmd"


def test_continue_goes_on_but_the_build_still_fails(tmp_path):
    text = FOUR_PHASES.replace("  pre_build:\n", "  pre_build:\n    on-failure: CONTINUE\n")
    session = FakeSession(exit_statuses={"pre-cmd": 1})
    result, _ = run(text, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-2", "build-finally", "post-cmd"]
    assert session.succeeding_flags[2:] == ["0", "0", "0", "0"]
    assert result.status is Status.FAILED


def test_abort_skips_post_build_and_artifacts(tmp_path):
    text = FOUR_PHASES.replace("  build:\n", "  build:\n    on-failure: ABORT\n")
    session = FakeSession(exit_statuses={"build-2": 1})
    result, _ = run(text, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-2", "build-finally"]
    assert [p for p, _ in phases(result)][-3:] == ["BUILD", "FINALIZING", "COMPLETED"]


def test_download_source_failure_runs_nothing(tmp_path):
    session = FakeSession()
    failure = PhaseContext("Decrypted Variables Error", "parameter does not exist: /x")
    result, log = run(FOUR_PHASES, session, tmp_path, download_failure=failure)
    assert session.commands == []
    assert phases(result)[3:] == [
        ("DOWNLOAD_SOURCE", "FAILED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert log.named("phase_context")[0]["code"] == "Decrypted Variables Error"


def test_timeout_ends_the_build_timed_out(tmp_path):
    session = FakeSession(times_out_on="build-1")
    result, _ = run(FOUR_PHASES, session, tmp_path)
    assert ("BUILD", "TIMED_OUT") in phases(result)
    assert session.commands == ["install-cmd", "pre-cmd"]
    assert result.status is Status.TIMED_OUT


def test_interrupt_ends_the_build_stopped(tmp_path):
    session = FakeSession(interrupted_on="pre-cmd")
    result, _ = run(FOUR_PHASES, session, tmp_path)
    assert ("PRE_BUILD", "STOPPED") in phases(result)
    assert result.status is Status.STOPPED


def test_giving_up_waiting_still_leaves_a_stopped_record(tmp_path):
    # A third Ctrl-C raises KeyboardInterrupt through the machine; the summary must still say where it ended.
    session = FakeSession(gives_up_on="build-1")
    with pytest.raises(KeyboardInterrupt):
        run(FOUR_PHASES, session, tmp_path)
    result = LAST_MACHINE[0].result
    assert phases(result)[-3:] == [("PRE_BUILD", "SUCCEEDED"), ("BUILD", "STOPPED"), ("COMPLETED", None)]
    assert result.phases[-2].contexts == [PhaseContext("BUILD_STOPPED", "Build was stopped by the user")]
    assert result.status is Status.STOPPED
    assert result.ended is not None


@pytest.mark.parametrize(
    ("artifacts", "required", "context"),
    [
        ("", RequiredArtifacts(primary=True), "no definition for primary artifacts in buildspec"),
        (
            "artifacts:\n  files: [a]\n",
            RequiredArtifacts(secondary=("web", "api")),
            "no definition for secondary artifact web in buildspec",
        ),
        (
            "artifacts:\n  files: [a]\n  secondary-artifacts:\n    web:\n      files: [a]\n",
            RequiredArtifacts(secondary=("web", "api")),
            "no definition for secondary artifact api in buildspec",
        ),
    ],
)
def test_an_output_the_caller_needs_but_the_buildspec_lacks_fails_upload(tmp_path, artifacts, required, context):
    # CP §3 outputs 2-4: a declared output with no matching definition fails UPLOAD_ARTIFACTS.
    text = "version: 0.2\nphases:\n  build:\n    commands: [make]\n" + artifacts
    result, _ = run(text, FakeSession(files={"a": b"x"}), tmp_path, required_artifacts=required)
    assert ("UPLOAD_ARTIFACTS", "FAILED") in phases(result)
    upload = next(p for p in result.phases if p.phase_type.value == "UPLOAD_ARTIFACTS")
    assert upload.contexts == [PhaseContext("CLIENT_ERROR", context)]
    assert result.status is Status.FAILED


def test_required_outputs_that_are_defined_upload_as_usual(tmp_path):
    text = "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: [a]\n"
    result, _ = run(text, FakeSession(files={"a": b"x"}), tmp_path, required_artifacts=RequiredArtifacts(primary=True))
    assert result.status is Status.SUCCEEDED
    assert (tmp_path / "artifacts" / "a").read_bytes() == b"x"


def test_run_as_phase_overrides_top_level(tmp_path):
    text = (
        "version: 0.2\nrun-as: codebuild-user\nphases:\n  pre_build:\n    commands: [a]\n"
        "  build:\n    run-as: root\n    commands: [b]\n"
    )
    session = FakeSession()
    run(text, session, tmp_path)
    assert session.users == ["codebuild-user", "root"]


ARTIFACTS = """
version: 0.2
env:
  exported-variables: [IMAGE_TAG, MISSING]
phases:
  build:
    commands: [make]
artifacts:
  files: ['**/*']
  base-directory: dist
  name: app-$TAG
"""


def test_artifacts_are_copied_and_exports_frozen(tmp_path):
    session = FakeSession(
        files={"dist/app.js": b"js", "dist/css/a.css": b"css", "src/x.py": b"py"},
        variables={"IMAGE_TAG": "abc123"},
    )
    result, log = run(ARTIFACTS, session, tmp_path)
    out = tmp_path / "artifacts"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "app.js",
        "css/a.css",
    ]
    assert result.exported_variables == {"IMAGE_TAG": "abc123", "MISSING": ""}
    assert result.artifacts == SavedArtifact(str(out), "app-$TAG")  # the fake session does not expand
    assert log.named("found_files") == [{"count": 2}]


def test_no_matching_artifacts_fail_upload_with_client_error(tmp_path):
    session = FakeSession(files={"src/x.py": b"py"})
    result, log = run(ARTIFACTS, session, tmp_path)
    assert ("UPLOAD_ARTIFACTS", "FAILED") in phases(result)
    assert log.named("phase_context")[-1] == {
        "phase": "UPLOAD_ARTIFACTS",
        "code": "CLIENT_ERROR",
        "message": "no matching artifact paths found",
    }
    assert result.status is Status.FAILED


@pytest.mark.parametrize("version", ["0.1", "0.2"])
def test_absent_phases_are_still_entered_and_succeed(tmp_path, version):
    _, log = run(f"version: {version}\nphases:\n  build:\n    commands: [b]\n", FakeSession(), tmp_path)
    assert [f["phase"] for f in log.named("entering_phase")] == [
        "INSTALL",
        "PRE_BUILD",
        "BUILD",
        "POST_BUILD",
    ]
    assert log.named("no_commands") == [{"name": "install"}, {"name": "pre_build"}, {"name": "post_build"}]


def test_timed_out_build_still_hands_back_its_artifacts(tmp_path):
    session = FakeSession(files={"dist/app.js": b"js"}, times_out_on="make")
    result, log = run(ARTIFACTS, session, tmp_path)
    assert result.status is Status.TIMED_OUT
    assert ("UPLOAD_ARTIFACTS", "SUCCEEDED") not in phases(result)  # as in the cloud: no UPLOAD_ARTIFACTS phase
    assert (tmp_path / "artifacts" / "app.js").read_bytes() == b"js"
    assert log.named("saving_artifacts") == [{"status": "TIMED_OUT", "path": str(tmp_path / "artifacts")}]
    assert result.exported_variables == {}


def test_timed_out_build_still_hands_back_secondary_artifacts_and_reports(tmp_path):
    # Found by the review: only the primary artifact was saved; a pipeline lost its other outputs.
    text = (
        "version: 0.2\nphases:\n  build:\n    commands: [make]\nreports:\n  unit:\n    files: [junit.xml]\n"
        "artifacts:\n  files: [web.js]\n  secondary-artifacts:\n    api:\n      files: [api.jar]\n"
    )
    files = {"web.js": b"w", "api.jar": b"a", "junit.xml": b"<testsuite/>"}
    result, _ = run(text, FakeSession(files=files, times_out_on="make"), tmp_path)
    assert result.status is Status.TIMED_OUT
    assert (tmp_path / "artifacts" / "web.js").read_bytes() == b"w"
    assert (tmp_path / "secondary" / "api" / "api.jar").read_bytes() == b"a"
    assert (tmp_path / "reports" / "unit" / "junit.xml").read_bytes() == b"<testsuite/>"
    assert sorted(result.secondary_artifacts) == ["api"]
    assert sorted(result.reports) == ["unit"]


def test_a_report_group_arn_is_kept_in_a_folder_named_after_the_group(tmp_path):
    arn = "arn:aws:codebuild:us-east-1:123456789012:report-group/shop-unit"
    text = f"version: 0.2\nphases:\n  build:\n    commands: [make]\nreports:\n  {arn}:\n    files: [junit.xml]\n"
    result, _ = run(text, FakeSession(files={"junit.xml": b"<testsuite/>"}), tmp_path)
    assert result.status is Status.SUCCEEDED
    assert (tmp_path / "reports" / "shop-unit" / "junit.xml").read_bytes() == b"<testsuite/>"


def test_interrupt_while_saving_artifacts_gives_up_saving(tmp_path):
    class InterruptedWhileSaving(FakeSession):
        def run(self, request, on_output, deadline, stop=None):
            if request.script.split("\n")[4:5] == [LIST_FILES_BODY[0]]:
                raise StopRequested()
            return super().run(request, on_output, deadline, stop)

    session = InterruptedWhileSaving(files={"dist/app.js": b"js"}, interrupted_on="make")
    result, log = run(ARTIFACTS, session, tmp_path)
    assert result.status is Status.STOPPED
    assert phases(result)[-2:] == [("FINALIZING", "STOPPED"), ("COMPLETED", None)]
    assert not (tmp_path / "artifacts").exists()
    assert log.named("saving_abandoned") == [{}]


REPORTS = """
version: 0.2
phases:
  build:
    commands: [test]
reports:
  unit:
    base-directory: build/reports
    files: ['*.xml']
  missing:
    files: ['nothing/*.xml']
"""


def test_report_files_are_saved_per_group_and_a_missing_group_only_warns(tmp_path):
    session = FakeSession(files={"build/reports/a.xml": b"<a/>", "build/reports/b.txt": b"x"})
    result, log = run(REPORTS, session, tmp_path)
    assert result.status is Status.SUCCEEDED
    assert result.reports == {"unit": str(tmp_path / "reports" / "unit")}
    assert (tmp_path / "reports" / "unit" / "a.xml").read_bytes() == b"<a/>"
    assert log.named("report_files_missing") == [{"group": "missing"}]


def test_cache_and_batch_sections_are_announced_as_not_simulated(tmp_path):
    text = (
        "version: 0.2\nbatch:\n  build-list:\n    - identifier: a\ncache:\n  paths: ['/root/.m2/**/*']\n"
        "phases:\n  build:\n    commands: [b]\n"
    )
    result, log = run(text, FakeSession(), tmp_path)
    assert result.status is Status.SUCCEEDED
    assert (log.named("cache_not_simulated"), log.named("batch_not_simulated")) == ([{}], [{}])


def test_a_dead_container_ends_the_build_at_once(tmp_path):
    session = FakeSession(dies_on="build-1")
    result, log = run(FOUR_PHASES, session, tmp_path)
    assert session.commands == ["install-cmd", "pre-cmd"]
    assert phases(result)[-3:] == [("BUILD", "FAILED"), ("FINALIZING", "SUCCEEDED"), ("COMPLETED", None)]
    assert result.status is Status.FAILED
    assert log.named("phase_context")[-1]["message"].startswith("Build container found dead before completing")


class StoppingSession(FakeSession):
    """Sets the build's cancel token while `make` runs, as a Ctrl-C or a failing sibling action would, and
    then behaves as the Docker session does: the wait notices the token and gives up on the command."""

    def __init__(self, token, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def run(self, request, on_output, deadline, stop=None):
        if request.script.split("\n")[3:4] == ["make"]:
            self.token.cancel("test")
            assert stop is not None and stop()
            raise StopRequested()
        return super().run(request, on_output, deadline, stop)


def test_a_cancel_token_set_while_a_command_runs_stops_the_build_and_saves_its_artifacts(tmp_path):
    token = CancelToken()
    session = StoppingSession(token, files={"dist/app.js": b"js"})
    result, log = run(ARTIFACTS, session, tmp_path, cancel=token)
    assert result.status is Status.STOPPED
    assert phases(result)[-3:] == [("BUILD", "STOPPED"), ("FINALIZING", "SUCCEEDED"), ("COMPLETED", None)]
    assert session.recovered is True
    assert (tmp_path / "artifacts" / "app.js").read_bytes() == b"js"  # base-directory: dist
    assert log.named("build_stopped") == [{}]


def test_a_cancel_token_set_before_the_build_starts_runs_no_command(tmp_path):
    token = CancelToken()
    token.cancel("test")
    session = FakeSession()
    result, _ = run(ARTIFACTS, session, tmp_path, cancel=token)
    assert result.status is Status.STOPPED
    assert phases(result)[3:] == [("DOWNLOAD_SOURCE", "STOPPED"), ("FINALIZING", "SUCCEEDED"), ("COMPLETED", None)]
    assert session.commands == []


def test_artifacts_folder_under_a_file_fails_upload_with_a_client_error_not_a_crash(tmp_path):
    # Once found: `--artifacts` naming an existing file crashed the build after it ran (exit 3, no summary).
    (tmp_path / "taken").write_text("")
    session = FakeSession(files={"dist/app.js": b"js"})
    result, _ = run(ARTIFACTS, session, tmp_path, artifacts_dir_override=tmp_path / "taken" / "sub")
    upload = next(p for p in result.phases if p.phase_type.value == "UPLOAD_ARTIFACTS")
    assert (upload.status, upload.contexts) == (
        Status.FAILED,
        [
            PhaseContext(
                "CLIENT_ERROR",
                f"the artifacts folder '{tmp_path / 'taken' / 'sub'}' cannot be created: "
                f"'{tmp_path / 'taken'}' is a file",
            )
        ],
    )
    assert result.status is Status.FAILED


def test_a_full_host_disk_fails_upload_and_is_reported_as_a_host_problem(tmp_path, monkeypatch):
    def disk_full(*_args, **_kwargs):
        raise HostDiskFull(f"the host disk is full: the artifact file 'app.js' could not be written to '{tmp_path}'")

    monkeypatch.setattr(upload.artifact_files, "extract_selected", disk_full)
    session = FakeSession(files={"dist/app.js": b"js"})
    machine_result, log = run(ARTIFACTS, session, tmp_path)
    assert machine_result.status is Status.FAILED
    assert log.named("phase_context")[-1] == {
        "phase": "UPLOAD_ARTIFACTS",
        "code": "CLIENT_ERROR",
        "message": f"the host disk is full: the artifact file 'app.js' could not be written to '{tmp_path}'",
    }
    assert LAST_MACHINE[0].host_problems == [
        f"The host disk is full: the artifact file 'app.js' could not be written to '{tmp_path}'."
    ]
