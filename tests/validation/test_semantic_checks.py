"""`validate` with no file, on a repository per case: each check beyond the buildspec's or the pipeline's schema
(issue 7 item 2), with a file that passes the schema and fails the check, its exact lines and its rule id. Where
the schema itself holds a check (report formats, AWS_ exports, on-failure, a phase's commands), the case shows it.
Sections: codebuild-semantics (CB) and codepipeline-semantics (CP)."""

from __future__ import annotations

import json

import pytest

from simulator.cli.main import main
from tests.conftest import copy_fixture

IMAGE = "simulator/codebuild-standard:7.0-local"
RUNTIME = "the build would fail in DOWNLOAD_SOURCE with YAML_FILE_ERROR"
NOT_IN_IMAGE = f"which the image {IMAGE} does not have (it has root, codebuild-user); the build would fail"
UNDOCUMENTED = "is not a shell CodeBuild documents for Linux (bash, /bin/sh); it may not work in the cloud"

CASES = [
    pytest.param(  # CB §1.8: file-format is one of ten, case-insensitive (the schema holds it)
        "report_file_format",
        [
            "buildspec.yml:9:18: error: reports.unit.file-format must be one of CUCUMBERJSON, JUNITXML, NUNITXML, "
            "NUNIT3XML, TESTNGXML, VISUALSTUDIOTRX, CLOVERXML, COBERTURAXML, JACOCOXML, SIMPLECOV, got 'JUNIT5'"
        ],
        ["buildspec/report-file-format"],
        id="report_file_format",
    ),
    pytest.param(  # CB §1.4: names starting with AWS_ cannot be exported (the schema holds it)
        "exported_aws_variable",
        [
            "buildspec.yml:5:7: error: env.exported-variables[1] names 'AWS_ACCOUNT', which cannot be exported: "
            "names starting with AWS_ are not exportable"
        ],
        ["buildspec/exported-variable"],
        id="exported_aws_variable",
    ),
    pytest.param(  # CB §2: RETRY-<count> is 0 to 100 (the schema holds it)
        "on_failure_out_of_range",
        [
            "buildspec.yml:4:17: error: phases.build.on-failure 'RETRY-101' is not valid: the retry count must be "
            "between 0 and 100, got 101"
        ],
        ["buildspec/on-failure"],
        id="on_failure_out_of_range",
    ),
    pytest.param(  # CB §1.7: commands is required in a present pre_build, build or post_build (the schema holds it)
        "phase_without_commands",
        ["buildspec.yml:7:5: error: phases.post_build.commands is required when the phase is present"],
        ["buildspec/phase-commands"],
        id="phase_without_commands",
    ),
    pytest.param(  # CB §6.1, CB §6.2: the 2023 standard:7.0 has one version per runtime and no default installer
        "runtime_version",
        [
            "buildspec.yml:5:15: error: Unknown runtime version named '3.12' of python. This build image has the "
            f"following versions: 3.11 ({IMAGE}); {RUNTIME}",
            "buildspec.yml:6:7: error: Unknown runtime named 'golang'. This build image has the following runtimes: "
            f"java, nodejs, python ({IMAGE}); {RUNTIME}",
        ],
        ["buildspec/runtime-version", "buildspec/runtime-version"],
        id="runtime_version",
    ),
    pytest.param(  # CB §1.3: run-as names a Linux user of the image, at the top or per phase
        "run_as_user",
        [
            f"buildspec.yml:2:9: error: run-as names the user 'builder', {NOT_IN_IMAGE}",
            f"buildspec.yml:9:13: error: run-as names the user 'deployer', {NOT_IN_IMAGE}",
        ],
        ["buildspec/run-as-user", "buildspec/run-as-user"],
        id="run_as_user",
    ),
    pytest.param(  # CB §1.4: Linux shells documented are bash and /bin/sh; the image has /bin/bash
        "shell_undocumented",
        [f"buildspec.yml:3:10: warning: env.shell '/bin/bash' {UNDOCUMENTED}"],
        ["buildspec/shell-undocumented"],
        id="shell_undocumented",
    ),
    pytest.param(  # CB §1.4: a shell the image lacks
        "shell_missing",
        [
            f"buildspec.yml:3:10: warning: env.shell 'zsh' {UNDOCUMENTED}",
            f"buildspec.yml:3:10: warning: env.shell 'zsh' is not in the image {IMAGE}; the build could not start "
            "its shell",
        ],
        ["buildspec/shell-undocumented", "buildspec/shell-missing"],
        id="shell_missing",
    ),
    pytest.param(  # CP §3 outputs 2-4: one output is `artifacts`, several are secondary-artifacts by identifier
        "secondary_artifacts",
        [
            "build.yml:11:5: warning: the secondary artifact 'Docs' is never passed on: the action 'Build' declares "
            "no output artifact by that name",
            "stages/pipeline.yml:10:88: error: the output artifact 'Site' must be a secondary-artifacts identifier of "
            "'build.yml', which defines none by that name (it has 'App', 'Docs'); the build would fail in "
            "UPLOAD_ARTIFACTS",
            "stages/pipeline.yml:11:81: error: the output artifact 'LintReport' is the buildspec's artifacts, which "
            "'lint.yml' does not define; the build would fail in UPLOAD_ARTIFACTS",
        ],
        ["buildspec/secondary-artifact", "pipeline/build-outputs", "pipeline/build-outputs"],
        id="secondary_artifacts",
    ),
    pytest.param(  # CP §1.7, CP §3 outputs 5, CP §1.4: a key the producer never exports
        "exported_variable_reference",
        [
            "stages/pipeline.yml:17:11: error: #{BuildVariables.VERSION} in EnvironmentVariables can never be "
            "resolved: 'Build' exports no variable 'VERSION' (its buildspec 'build.yml' exports: TAG)",
            "stages/pipeline.yml:17:11: error: #{SourceVariables.CommitID} in EnvironmentVariables can never be "
            "resolved: 'Source' exports no variable 'CommitID' (the CodeCommit source exports: AuthorDate, "
            "BranchName, CommitId, CommitMessage, CommitterDate, RepositoryName)",
        ],
        ["pipeline/variable-reference", "pipeline/variable-reference"],
        id="exported_variable_reference",
    ),
    pytest.param(  # CB §1.1, CP §1.8: the buildspec path is relative to the primary source (a warning: --strict)
        "buildspec_path",
        [
            "stages/pipeline.yml:8:47: warning: the buildspec 'ci/buildspec.yml' is not in the repository ({repo}); "
            "the build will fail in DOWNLOAD_SOURCE unless something creates it"
        ],
        ["pipeline/buildspec-path"],
        id="buildspec_path",
    ),
    pytest.param(  # CP §1.2: a manual approval cannot sit in the source stage
        "approval_in_source_stage",
        [
            "stages/pipeline.yml:6:31: error: 'Approve' is an approval in the first stage, which holds only source "
            "actions"
        ],
        ["pipeline/approval-in-source-stage"],
        id="approval_in_source_stage",
    ),
    pytest.param(  # CB §1.1: an inline buildspec is checked too, reported at the project's BuildSpec
        "inline_buildspec",
        [
            "pipeline-template.yml:9:20: error: the inline buildspec of 'app-build', its line 2: run-as names the "
            f"user 'builder', {NOT_IN_IMAGE}",
            "pipeline-template.yml:37:40: error: the output artifact 'App' is the buildspec's artifacts, which its "
            "inline buildspec does not define; the build would fail in UPLOAD_ARTIFACTS",
        ],
        ["buildspec/run-as-user", "pipeline/build-outputs"],
        id="inline_buildspec",
    ),
]


@pytest.fixture
def repository(tmp_path, monkeypatch):
    def made(case: str):
        folder = copy_fixture(f"validate/{case}", tmp_path)
        monkeypatch.chdir(folder)
        return folder

    return made


@pytest.mark.parametrize(("case", "lines", "rules"), CASES)
def test_each_check_reports_its_problem(case, lines, rules, repository, capsys):
    folder = repository(case)
    errors = any(": error: " in line for line in lines)
    assert main(["validate"]) == (1 if errors else 0)
    assert capsys.readouterr().out.splitlines() == [line.replace("{repo}", str(folder)) for line in lines]
    assert main(["validate", "--format", "json"]) == (1 if errors else 0)
    assert [entry["rule"] for entry in json.loads(capsys.readouterr().out)] == rules


def test_a_consistent_repository_is_clean_in_every_format(repository, capsys):
    # Its buildspecs run as codebuild-user in bash, with python 3.x, nodejs latest and java from a variable; its
    # pipeline's outputs are the buildspec's secondary artifacts and its references what the actions export.
    repository("clean")
    assert main(["validate", "--strict"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["validate", "--format", "json"]) == 0
    assert capsys.readouterr().out == "[]\n"
    assert main(["validate", "--format", "github"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["validate", "--format", "sarif"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["results"] == []


def test_strict_makes_warnings_errors(repository, capsys):
    repository("shell_missing")
    assert main(["validate"]) == 0
    capsys.readouterr()
    assert main(["validate", "--strict"]) == 1
    assert [line.split(": ")[1] for line in capsys.readouterr().out.splitlines()] == ["error", "error"]
