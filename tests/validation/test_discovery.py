"""What `validate` with no file finds: buildspec*.yml/.yaml anywhere, every file in a stages/ folder, templates
holding an AWS::CodePipeline::Pipeline and the buildspecs their projects name; never `.simulator/` or ignored
files, and not other YAML or JSON (issue 7 item 2)."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from simulator.cli.main import main
from simulator.validation.discovery import discover
from tests.conftest import ROOT, copy_fixture, simulator

RUN_AS = (
    "error: run-as names the user 'nobody', which the image simulator/codebuild-standard:7.0-local does not have "
    "(it has root, codebuild-user); the build would fail"
)


def discovery_repository(tmp_path: Path) -> Path:
    """The fixture, plus a state folder and an ignored folder (which git would not keep in the fixture)."""
    folder = copy_fixture("validate/discovery", tmp_path)
    for skipped in (".simulator", "ignored"):
        (folder / skipped).mkdir()
        (folder / skipped / "buildspec.yml").write_text("version: 9\n")
    return folder


def test_the_build_files_of_a_repository(tmp_path):
    found = discover(discovery_repository(tmp_path))
    assert sorted(map(str, found.buildspecs)) == ["buildspec-dev.yml", "deep/nested/buildspec.yaml"]
    assert sorted(map(str, found.pipelines)) == ["stages/not-a-pipeline.yml", "template.json"]


def test_validate_reports_them_and_the_buildspec_a_template_names(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(discovery_repository(tmp_path))
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"buildspec-dev.yml:5:13: {RUN_AS}",
        f"deep/nested/buildspec.yaml:5:13: {RUN_AS}",
        f"named-by-the-template.yml:5:13: {RUN_AS}",
        "stages/not-a-pipeline.yml:1:1: error: not a pipeline file: a CloudFormation template has Resources, a "
        "native pipeline has stages",
    ]


def test_from_a_subfolder_the_whole_repository_is_validated(tmp_path, monkeypatch, capsys):
    folder = copy_fixture("validate/discovery", tmp_path)
    monkeypatch.chdir(folder / "deep")
    assert main(["validate", "--exclude", "stages/*", "--exclude", "*.json"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{folder}/buildspec-dev.yml:5:13: {RUN_AS}",
        f"nested/buildspec.yaml:5:13: {RUN_AS}",
    ]


def test_untracked_files_count_and_ignored_ones_do_not(tmp_path, monkeypatch, capsys):
    folder = copy_fixture("validate/clean", tmp_path)
    (folder / "buildspec-new.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    run-as: nobody\n    commands: [x]\n"
    )
    (folder / ".gitignore").write_text("buildspec-local.yml\n")
    (folder / "buildspec-local.yml").write_text("version: 9\n")
    monkeypatch.chdir(folder)
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines() == [f"buildspec-new.yml:4:13: {RUN_AS}"]


def test_a_folder_outside_git_is_walked(tmp_path, monkeypatch, capsys):
    folder = copy_fixture("validate/shell_missing", tmp_path, git=False)
    (folder / ".simulator").mkdir()
    (folder / ".simulator" / "buildspec.yml").write_text("version: 9\n")
    monkeypatch.chdir(folder)
    assert main(["validate", "--format", "json"]) == 0
    assert '"file": "buildspec.yml"' in capsys.readouterr().out
    assert discover(folder).buildspecs == (PurePosixPath("buildspec.yml"),)


def test_a_repository_without_build_files_is_clean(tmp_path, monkeypatch, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "notes.yml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == ""


def test_this_repositorys_examples_are_free_of_errors():
    # The platform's buildspecs and pipelines, as CI would validate them (the fixtures are wrong on purpose).
    result = simulator("validate", "--exclude", "tests/*", cwd=ROOT, env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert (result.code, result.stderr) == (0, "")
    assert [line.split(": warning: ")[0] for line in result.lines] == [
        "buildspecs/buildspec-dev.yml:142:5",
        "buildspecs/buildspec-dev.yml:148:5",
        "buildspecs/buildspec-prod.yml:178:5",
        "buildspecs/buildspec-prod.yml:185:5",
    ]
