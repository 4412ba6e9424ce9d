"""Every wrong file, flag or environment: one clear sentence and the documented exit code, never a traceback."""

from __future__ import annotations

import os

import pytest

from simulator.cli.main import main
from simulator.reporting.masking import Masker
from tests.conftest import FIXTURES, simulator

BUILDSPEC_FIXTURES = FIXTURES / "buildspec"


@pytest.fixture
def good_source(tmp_path):
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    return tmp_path


def run_on(capsys, source, *flags):
    """`simulator run` of the good buildspec in `source`, with extra flags."""
    return run_main(capsys, "run", str(source / "buildspec.yml"), "--source", str(source), *flags)


def run_main(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("case", "first_diagnostic"),
    [
        ("malformed_yaml", "8:1: error: invalid YAML: found unexpected end of stream"),
        ("list_root", "1:1: error: the buildspec must be a mapping of keys such as 'version' and 'phases', not a list"),
        ("unknown_phase", "7:3: error: unknown phase 'biuld'; did you mean 'build'?"),
        ("missing_commands", "8:5: error: phases.build.commands is required when the phase is present"),
    ],
)
def test_invalid_buildspec_exits_2_with_file_line_and_column(capsys, tmp_path, case, first_diagnostic):
    path = BUILDSPEC_FIXTURES / case / "buildspec.yml"
    code, out, err = run_main(capsys, "run", str(path), "--source", str(tmp_path))
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(f"{path}:{first_diagnostic}")
    assert err.splitlines()[-1].startswith(f"error: {path} has ")
    assert "Traceback" not in err


def test_missing_buildspec(capsys, tmp_path):
    code, _, err = run_main(capsys, "run", str(tmp_path / "nope.yml"))
    assert (code, err) == (
        2,
        f"error: The buildspec {tmp_path / 'nope.yml'} does not exist: pass the path of a buildspec file.\n",
    )


def test_missing_source(capsys, good_source):
    code, _, err = run_main(capsys, "run", str(good_source / "buildspec.yml"), "--source", "/nonexistent/src")
    assert (code, err) == (
        2,
        "error: The source folder /nonexistent/src does not exist: pass an existing folder to --source.\n",
    )


def test_codebuild_prefixed_override_is_refused(capsys, good_source):
    code, _, err = run_on(capsys, good_source, "--env", "CODEBUILD_BUILD_ID=mine")
    assert (code, err) == (
        2,
        "error: --env/--env-file sets CODEBUILD_BUILD_ID: names starting with CODEBUILD_ are "
        "reserved for CodeBuild itself; rename the variable.\n",
    )


def test_bad_env_assignment(capsys, good_source):
    code, _, err = run_main(capsys, "run", str(good_source / "buildspec.yml"), "--env", "no-equals")
    assert (code, err) == (
        2,
        "error: --env: there is no '=' (the text is not shown, it may be a secret): write NAME=VALUE.\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "b.yml", "--timeout", "abc"],
            "error: simulator run: argument --timeout: 'abc' is not a number of minutes (see --help).\n",
        ),
        (
            ["run", "b.yml", "--timeout", "inf"],
            "error: simulator run: argument --timeout: the timeout must be more than 0 and at most 2160 minutes "
            "(CodeBuild's limit) (see --help).\n",
        ),
        (
            ["run", "b.yml", "--timeout", "0"],
            "error: simulator run: argument --timeout: the timeout must be more than 0 and at most 2160 minutes "
            "(CodeBuild's limit) (see --help).\n",
        ),
        (
            # Past CodeBuild's 2160 minutes; 1.5e8 and more once crashed the deadline arithmetic.
            ["run", "b.yml", "--timeout", "2e8"],
            "error: simulator run: argument --timeout: the timeout must be more than 0 and at most 2160 minutes "
            "(CodeBuild's limit) (see --help).\n",
        ),
        (
            ["run", "b.yml", "--git-clone-depth", "-1"],
            "error: simulator run: argument --git-clone-depth: '-1' is not a number of commits (0 for the whole "
            "history) (see --help).\n",
        ),
        (
            ["run", "b.yml", "--log-format", "xml"],
            "error: simulator run: argument --log-format: invalid choice: "
            "'xml' (choose from 'text', 'json') (see --help).\n",
        ),
        (
            ["frob"],
            "error: simulator: argument command: invalid choice: 'frob' (choose from 'run', 'validate', "
            "'plan', 'pipeline', 'image', 'prune', 'completion', 'hook', 'config') (see --help).\n",
        ),
    ],
)
def test_bad_flags_exit_2(capsys, argv, message):
    assert run_main(capsys, *argv)[::2] == (2, message)


def test_missing_parameters_file(capsys, good_source):
    code, _, err = run_on(capsys, good_source, "--parameters", str(good_source / "missing.yml"))
    assert (code, err) == (
        2,
        f"error: The parameters file {good_source / 'missing.yml'} does not exist: pass an existing file.\n",
    )


def test_no_docker_engine_exits_3_with_what_to_do(good_source):
    result = simulator(
        "run",
        "buildspec.yml",
        "--source",
        str(good_source),
        cwd=good_source,
        env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
    )
    assert result.code == 3
    assert result.stderr.startswith("error: No Docker engine answers (")
    assert result.stderr.endswith(
        "): start one, e.g. run `sudo scripts/ensure-docker` or `sudo systemctl start docker`, then try again.\n"
    )
    assert result.stderr.count("\n") == 1


def test_summary_path_that_is_a_folder_is_refused_before_the_build(capsys, good_source):
    code, _, err = run_on(capsys, good_source, "--summary-json", str(good_source))
    assert (code, err) == (2, f"error: --summary-json {good_source} is a folder: pass the path of a file to write.\n")


def test_secondary_source_identifier_with_a_hyphen_is_refused(capsys, good_source):
    # CB §4.1: the identifier becomes CODEBUILD_SRC_DIR_<identifier>, a shell variable name.
    code, out, err = run_on(capsys, good_source, "--source", f"my-lib={good_source}")
    assert (code, out, err) == (
        2,
        "",
        "error: The source identifier 'my-lib' is not valid: use letters, digits and underscores only "
        "(it becomes the variable CODEBUILD_SRC_DIR_<identifier>).\n",
    )


def test_missing_secondary_source_folder(capsys, good_source):
    code, _, err = run_on(capsys, good_source, "--source", "lib=/nonexistent/lib")
    assert (code, err) == (
        2,
        "error: The source folder /nonexistent/lib does not exist: pass an existing folder to --source lib=.\n",
    )


@pytest.mark.parametrize("project", ["../../x", "/abs/name", "a", "with space"])
def test_project_names_that_could_escape_the_build_records_are_refused(capsys, good_source, project):
    code, _, err = run_on(capsys, good_source, "--project", project)
    assert (code, err) == (
        2,
        f"error: The project name {project!r} is not valid: use 2 to 255 letters, digits, - or _, starting with a "
        "letter or digit (as CodeBuild does).\n",
    )
    assert not (good_source / ".simulator").exists()


def test_artifacts_folder_that_is_a_file_is_refused_before_the_build(capsys, good_source):
    existing = good_source / "taken"
    existing.write_text("")
    code, _, err = run_on(capsys, good_source, "--artifacts", str(existing / "sub"))
    assert (code, err) == (
        2,
        f"error: --artifacts {existing / 'sub'} is, or is below, the file {existing}: pass a folder.\n",
    )


def test_a_nul_in_a_variable_is_refused_before_docker(capsys, tmp_path):
    # Docker would refuse the container with an error quoting every variable, secrets included.
    (tmp_path / "buildspec.yml").write_text(
        'version: 0.2\nenv:\n  variables:\n    GREETING: "hi\\0there"\nphases:\n  build:\n    commands: [make]\n'
    )
    code, out, err = run_on(capsys, tmp_path)
    assert (code, out) == (2, "")
    assert err == "error: The variable GREETING holds a NUL character, which no environment can carry: remove it.\n"


@pytest.mark.parametrize("given", ["extra=", ""])
def test_a_source_that_names_no_folder_is_refused_not_taken_as_the_current_one(capsys, good_source, given):
    code, out, err = run_on(capsys, good_source, "--source", given)
    assert (code, out) == (2, "")
    assert err == f"error: --source {given!r} names no folder: pass DIR or ID=DIR with a folder.\n"


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--image", "", "argument --image: '' is not an image name such as aws/codebuild/standard:7.0"),
        ("--image", "my image", "argument --image: 'my image' is not an image name such as aws/codebuild/standard:7.0"),
        (
            "--map-image",
            "aws/codebuild/standard:7.0",
            "argument --map-image: 'aws/codebuild/standard:7.0' is not NAME=IMAGE, e.g. "
            "aws/codebuild/standard:7.0=my-image",
        ),
        (
            "--map-image",
            "aws/codebuild/standard:7.0=",
            "argument --map-image: '' is not an image name such as aws/codebuild/standard:7.0",
        ),
    ],
)
def test_bad_image_names_are_refused_in_one_line(capsys, good_source, flag, value, message):
    code, out, err = run_on(capsys, good_source, flag, value)
    assert (code, out) == (2, "")
    assert err == f"error: simulator run: {message} (see --help).\n"


def test_a_curated_image_name_can_be_mapped(good_source):
    # Once found: the mapping went through the variable-name parser, which refuses `/` and `:`.
    from simulator.cli.commands import run as run_command
    from simulator.cli.main import build_parser

    args = build_parser().parse_args(
        [
            "run",
            str(good_source / "buildspec.yml"),
            "--source",
            str(good_source),
            "--map-image",
            "aws/codebuild/standard:7.0=my/image:1",
        ]
    )
    request, _ = run_command._request(args, Masker())
    assert request.image_map == {"aws/codebuild/standard:7.0": "my/image:1"}


def test_an_env_file_that_is_a_fifo_exits_2_without_waiting(capsys, good_source):
    fifo = good_source / "build.env"
    os.mkfifo(fifo)
    code, _, err = run_on(capsys, good_source, "--env-file", str(fifo))
    assert (code, err) == (
        2,
        f"error: Cannot read the env file {fifo}: it is not a regular file (a pipe, device or socket cannot be "
        "read as one).\n",
    )


def test_an_env_file_of_dev_zero_exits_2(capsys, good_source):
    code, _, err = run_on(capsys, good_source, "--env-file", "/dev/zero")
    assert (code, err) == (
        2,
        "error: Cannot read the env file /dev/zero: it is not a regular file (a pipe, device or socket cannot be "
        "read as one).\n",
    )


def test_a_buildspec_name_too_long_exits_2(capsys, tmp_path):
    path = tmp_path / ("b" * 256)
    code, _, err = run_main(capsys, "run", str(path))
    assert (code, err) == (2, f"error: {path} has a name too long for the file system: shorten it.\n")


def test_a_broken_parameters_file_exits_2_without_its_content(capsys, good_source):
    values = good_source / "parameters.yml"
    values.write_text("parameter-store:\n  /db/password: 's3cr3t\n")
    code, _, err = run_on(capsys, good_source, "--parameters", str(values))
    assert (code, err) == (
        2,
        f"error: The parameters file is not valid YAML at {values}:3:1: found unexpected end of stream "
        "(while scanning a quoted scalar at line 2, column 17).\n",
    )


def test_a_parameters_file_that_is_a_fifo_says_so_without_waiting(capsys, good_source):
    fifo = good_source / "values.yml"
    os.mkfifo(fifo)
    code, _, err = run_on(capsys, good_source, "--parameters", str(fifo))
    assert (code, err) == (
        2,
        f"error: Cannot read the parameters file {fifo}: it is not a regular file (a pipe, device or socket cannot "
        "be read as one).\n",
    )


def test_a_batch_only_buildspec_says_run_needs_batch_mode(capsys, tmp_path):
    # Real-world pass: s2n-tls and amplify-codegen run buildspecs with only a batch section.
    path = FIXTURES / "buildspec" / "batch_only" / "buildspec.yml"
    code, out, err = run_main(capsys, "run", str(path), "--source", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"error: The buildspec {path} has only a batch section: it needs batch mode, which the simulator does not "
        "run yet; run the buildspec each batch task names instead.\n"
    )


def test_of_several_wrong_flags_run_names_them_in_its_order_source_outputs_project_env(capsys, good_source):
    """One sentence for the first wrong flag, in the order `run` has always checked them: the source folder, the
    output paths (--summary-json, --artifacts), the project's name, the variables, where values come from."""
    summary = ("--summary-json", str(good_source))
    project, env = ("--project", "../x"), ("--env", "CODEBUILD_X=1")
    missing = ("--parameters", str(good_source / "missing.yml"))
    given = [("--source", "/nonexistent/src"), summary, project, env, missing]
    said = []
    for first in range(len(given)):
        flags = [flag for pair in given[first:] for flag in pair]
        said.append(run_main(capsys, "run", str(good_source / "buildspec.yml"), *flags)[::2])
    assert said == [
        (2, "error: The source folder /nonexistent/src does not exist: pass an existing folder to --source.\n"),
        (2, f"error: --summary-json {good_source} is a folder: pass the path of a file to write.\n"),
        (
            2,
            "error: The project name '../x' is not valid: use 2 to 255 letters, digits, - or _, starting with a "
            "letter or digit (as CodeBuild does).\n",
        ),
        (
            2,
            "error: --env/--env-file sets CODEBUILD_X: names starting with CODEBUILD_ are reserved for CodeBuild "
            "itself; rename the variable.\n",
        ),
        (2, f"error: The parameters file {good_source / 'missing.yml'} does not exist: pass an existing file.\n"),
    ]
