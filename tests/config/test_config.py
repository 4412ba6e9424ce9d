"""The project's defaults: `.simulator.yml` / `[tool.simulator]`, SIMULATOR_<FLAG>, and `simulator config`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from simulator.cli.commands.pipeline.options import pipeline_file
from simulator.cli.main import build_parser, main
from simulator.cli.value_sources import asked_values_file, default_origin
from simulator.config.apply import apply_project_defaults
from simulator.config.loader import load_project_config
from simulator.config.values import ConfigError

KEYS = "image, map-image, parameters, env-file, artifacts, timeout, pipeline, hook"


@pytest.fixture
def project(fixture_source, monkeypatch):
    """tests/fixtures/config/<case> as a git repository, and the current folder."""

    def copy(case: str) -> Path:
        root = fixture_source(f"config/{case}")
        monkeypatch.chdir(root)
        return root

    return copy


def config_errors(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_project_config(root)
    return [d.format() for d in caught.value.diagnostics]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            "unknown_key",
            [
                f".simulator.yml:2:1: error: unknown key 'timout'; did you mean 'timeout'? Known keys: {KEYS}",
                ".simulator.yml:4:3: error: unknown key 'hook.rnu'; did you mean 'run'? Known keys: run",
            ],
            id="unknown-key",
        ),
        pytest.param(
            "wrong_type",
            [
                ".simulator.yml:1:8: error: image must be a string, not a list",
                ".simulator.yml:2:10: error: timeout: 'soon' is not a number of minutes",
                ".simulator.yml:4:31: error: map-image.aws/codebuild/standard:7.0: 'bad image' is not an image name "
                "such as aws/codebuild/standard:7.0",
                ".simulator.yml:6:8: error: hook.run: 'always' is not one of validate, dev, pipeline",
            ],
            id="wrong-type",
        ),
        pytest.param(
            "bad_path",
            [
                ".simulator.yml:1:13: error: parameters: 'values' is a folder, not a file",
                ".simulator.yml:3:12: error: artifacts: 'out.txt' is a file, not a folder",
            ],
            id="bad-path",
        ),
        pytest.param(
            "both_files",
            [
                ".simulator.yml:1:1: error: pyproject.toml also has a [tool.simulator] table: keep the project's "
                "settings in one of the two files"
            ],
            id="both-files",
        ),
        # TOML keeps no positions: the key's line and where it starts.
        pytest.param(
            "toml_errors",
            [
                "pyproject.toml:6:1: error: timeout: the timeout must be more than 0 and at most 2160 minutes "
                "(CodeBuild's limit)",
                "pyproject.toml:10:1: error: unknown key 'hook.mode'; Known keys: run",
            ],
            id="toml",
        ),
    ],
)
def test_a_bad_settings_file_is_refused_at_its_line_and_column(project, case, expected):
    assert config_errors(project(case)) == expected


def test_a_missing_file_is_a_warning_the_reading_command_repeats(project):
    root = project("bad_path")
    (root / ".simulator.yml").write_text("env-file: missing.env\n")

    assert [d.format() for d in load_project_config(root).warnings] == [
        ".simulator.yml:1:11: warning: env-file: 'missing.env' does not exist "
        "(paths are relative to the folder of .simulator.yml)"
    ]


def test_a_bad_file_stops_a_command_with_every_error_and_exit_2(project, capsys):
    project("wrong_type")

    assert main(["plan", "buildspec.yml"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == ".simulator.yml:1:8: error: image must be a string, not a list"


def parse(root: Path, argv: list[str], environ: dict[str, str]) -> argparse.Namespace:
    parser = build_parser(argv)
    apply_project_defaults(parser, lambda: root, environ)
    return parser.parse_args(argv)


def test_flags_beat_the_environment_which_beats_the_file(project):
    root = project("complete")
    file_only = parse(root, ["plan", "buildspec.yml"], {})
    env = parse(root, ["plan", "buildspec.yml"], {"SIMULATOR_TIMEOUT": "5", "SIMULATOR_IMAGE": "env/image:2"})
    flags = parse(
        root, ["plan", "buildspec.yml", "--timeout", "7", "--image", "flag/image:3"], {"SIMULATOR_TIMEOUT": "5"}
    )

    assert (file_only.timeout, file_only.image) == (30.0, "my/image:1")
    assert (env.timeout, env.image) == (5.0, "env/image:2")
    assert (flags.timeout, flags.image) == (7.0, "flag/image:3")


def test_paths_are_relative_to_the_settings_folder_and_the_mapping_takes_flags_name_by_name(project, monkeypatch):
    root = project("complete")
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    args = parse(root, ["plan", "../buildspec.yml", "--map-image", "a=b"], {})

    assert (args.parameters, args.env_file) == (root / "values.yml", root / "dev.env")
    assert args.map_image == [("aws/codebuild/standard:7.0", "my/standard:7"), ("a", "b")]
    assert {dest: default_origin(args, dest) for dest in args.config_origins} == {
        "image": ".simulator.yml:2",
        "map_image": None,  # --map-image added to it: no longer the default alone
        "parameters": ".simulator.yml:6",
        "env_file": ".simulator.yml:7",
        "timeout": ".simulator.yml:5",
    }


def test_an_empty_variable_is_unset_and_the_file_applies(project):
    assert parse(project("complete"), ["plan", "buildspec.yml"], {"SIMULATOR_TIMEOUT": ""}).timeout == 30.0


def test_a_bad_variable_is_named_with_its_value(project):
    with pytest.raises(ConfigError.__mro__[1]) as caught:
        parse(project("complete"), ["plan", "buildspec.yml"], {"SIMULATOR_TIMEOUT": "abc"})
    assert str(caught.value) == "SIMULATOR_TIMEOUT=abc: 'abc' is not a number of minutes"


def test_other_simulator_variables_are_no_settings(project):
    args = parse(project("complete"), ["plan", "buildspec.yml"], {"SIMULATOR_INITIATOR": "x", "SIMULATOR_PROJECT": "y"})
    assert args.project is None


def hook_parser() -> argparse.ArgumentParser:
    """What `hook install --run` will look like: the mechanism knows it by (command path, dest) only."""
    parser = argparse.ArgumentParser()
    hook = parser.add_subparsers(dest="command").add_parser("hook")
    install = hook.add_subparsers(dest="hook_command").add_parser("install")
    install.add_argument("--run", choices=("validate", "dev", "pipeline"), default="validate")
    return parser


def test_a_command_written_later_gets_its_default_and_its_choices_checked(project):
    root = project("complete")
    parser = hook_parser()
    apply_project_defaults(parser, lambda: root, {})
    assert parser.parse_args(["hook", "install"]).run == "dev"

    parser = hook_parser()
    with pytest.raises(ConfigError.__mro__[1]) as caught:
        apply_project_defaults(parser, lambda: root, {"SIMULATOR_HOOK_RUN": "always"})
    assert str(caught.value) == "SIMULATOR_HOOK_RUN=always: 'always' is not one of validate, dev, pipeline"


def test_the_pipeline_file_defaults_to_the_settings(project):
    root = project("complete")
    assert pipeline_file(parse(root, ["pipeline", "show"], {})) == Path("stages/pipeline.yml")
    assert pipeline_file(parse(root, ["pipeline", "show", "other.yml"], {})) == Path("other.yml")


def test_without_a_pipeline_file_anywhere_the_command_says_where_to_name_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULATOR_PIPELINE_FILE", raising=False)

    assert main(["pipeline", "show"]) == 2
    assert capsys.readouterr().err == (
        "error: Which pipeline? Pass FILE, or name it once as `pipeline: FILE` in .simulator.yml "
        "(or SIMULATOR_PIPELINE_FILE).\n"
    )


def test_aws_leaves_a_configured_values_file_aside_but_not_a_flag(project):
    root = project("complete")
    configured = parse(root, ["run", "buildspec.yml", "--aws"], {})
    flagged = parse(root, ["run", "buildspec.yml", "--aws", "--parameters", "values.yml"], {})

    assert asked_values_file(configured, "parameters") is None
    assert asked_values_file(flagged, "parameters") == Path("values.yml")


CONFIG_TEXT = """\
Settings file: .simulator.yml
KEY         VALUE                                     FROM
image       my/image:1                                .simulator.yml:2
map-image   aws/codebuild/standard:7.0=my/standard:7  .simulator.yml:4
parameters  values.yml                                .simulator.yml:6
env-file    dev.env                                   .simulator.yml:7
artifacts   out                                       .simulator.yml:8
timeout     5                                         SIMULATOR_TIMEOUT
pipeline    stages/pipeline.yml                       .simulator.yml:9
hook.run    dev                                       .simulator.yml:11
"""


def test_config_prints_each_value_and_its_origin(project, monkeypatch, capsys):
    project("complete")
    monkeypatch.setenv("SIMULATOR_TIMEOUT", "5")

    assert main(["config"]) == 0
    assert capsys.readouterr().out == CONFIG_TEXT


def test_config_of_a_command_line_says_which_values_its_flags_give(project, monkeypatch, capsys):
    project("complete")
    monkeypatch.setenv("SIMULATOR_TIMEOUT", "5")

    assert main(["config", "--format", "json", "plan", "buildspec.yml", "--image", "x:1"]) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert [(s["key"], s["value"], s["origin"]) for s in settings] == [
        ("image", "x:1", "flag"),
        ("map-image", {"aws/codebuild/standard:7.0": "my/standard:7"}, ".simulator.yml:4"),
        ("parameters", "values.yml", ".simulator.yml:6"),
        ("env-file", "dev.env", ".simulator.yml:7"),
        ("timeout", "5", "SIMULATOR_TIMEOUT"),
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            ["pipeline", "run"],
            [("parameters", "values.yml", ".simulator.yml:6"), ("pipeline", "stages/pipeline.yml", ".simulator.yml:9")],
        ),
        (
            ["pipeline", "run", "other.yml"],
            [("parameters", "values.yml", ".simulator.yml:6"), ("pipeline", "other.yml", "flag")],
        ),
        (["pipeline", "show"], [("pipeline", "stages/pipeline.yml", ".simulator.yml:9")]),
        (["pipeline", "status"], []),
        (["pipeline", "approve", "e-1"], []),
    ],
    ids=["run, FILE from the file", "run, FILE given", "show", "status (no covered flag)", "approve (no covered flag)"],
)
def test_config_of_a_pipeline_command_reads_only_that_commands_flags(project, monkeypatch, capsys, command, expected):
    """Two pipeline commands share a dest (`file`, `values_file`): each command line shows its own flags' values."""
    project("complete")
    assert main(["config", "--format", "json", *command]) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert [(s["key"], s["value"], s["origin"]) for s in settings] == expected


def test_config_without_settings_shows_the_defaults(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("SIMULATOR_TIMEOUT", "SIMULATOR_IMAGE"):
        monkeypatch.delenv(name, raising=False)

    assert main(["config"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Settings file: none (no .simulator.yml, no [tool.simulator] in pyproject.toml at {tmp_path})"
    assert lines[2] == "image       simulator/codebuild-standard:7.0-local  default"
    assert lines[7] == "timeout     60                                      default"


def test_the_defaults_config_shows_are_the_flags_own(project):
    args = parse(Path("/nonexistent"), ["plan", "buildspec.yml"], {})
    assert (args.image, args.timeout) == ("simulator/codebuild-standard:7.0-local", 60.0)


def test_validate_checks_the_settings_file(project, capsys):
    project("wrong_type")

    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == ".simulator.yml:1:8: error: image must be a string, not a list"
