"""`pipeline show` and `validate` on pipeline files: the model printed, bad files as FILE:LINE:COL with exit 2
(validate: 1), secrets masked (CP §7 item 1)."""

from __future__ import annotations

from simulator.cli.main import main
from tests.conftest import FIXTURES, ROOT, simulator

CASES = FIXTURES / "pipeline"


def test_show_prints_stages_artifact_flow_namespaces_and_gates(capsys):
    path = CASES / "template_valid" / "pipeline-template.yml"
    assert main(["pipeline", "show", str(path)]) == 0
    out = capsys.readouterr()
    # Warnings go to stderr and do not stop the show: buildspec paths are looked for in the git repository.
    assert out.err == (
        f"{path}:11:47: warning: the buildspec 'buildspec.yml' is not in the repository ({ROOT}); the build will "
        "fail in DOWNLOAD_SOURCE unless something creates it\n"
    )
    assert out.out.splitlines() == [
        "Pipeline Pipeline (V1, SUPERSEDED)",
        "",
        "Stages:",
        "  1. Source",
        "       [run order 1] Source  Source/AWS/CodeStarSourceConnection/1  - -> Src",
        "  2. Build",
        "       [run order 1] Build  Build/AWS/CodeBuild/1  Src -> -",
        "           project app-build: buildspec buildspec.yml, image aws/codebuild/standard:7.0, timeout 60 min",
        "",
        "Artifacts:",
        "  Src: from Source/Source to Build/Build (primary)",
        "",
        "Namespaces:",
        "  (none)",
        "",
        "Gates:",
        "  (none)",
    ]


def test_show_of_the_platform_pipeline_lists_its_gates(capsys):
    assert main(["pipeline", "show", str(ROOT / "stages" / "pipeline.yml")]) == 0
    out = capsys.readouterr().out
    assert "  ApproveDev/ApproveDev: manual approval, times out after 1 day\n" in out
    assert "  ApproveProd/ApproveProd: manual approval, times out after 7 days\n" in out
    assert "  DevBuildOutput: from BuildDev/BuildDev to BuildProd/BuildProd\n" in out


def test_a_bad_file_exits_2_with_every_diagnostic(capsys):
    path = CASES / "native_bad_kind" / "pipeline.yml"
    assert main(["pipeline", "show", str(path)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines() == [
        f"{path}:5:9: error: stages[0].actions[0].kind must be one of 'source', 'build', 'test', 'approval', "
        "'deploy', got 'fetch'",
        f"{path}:6:9: error: stages[0].actions[1] needs a kind",
    ]


def test_a_no_echo_value_given_on_the_command_line_is_masked(capsys, tmp_path):
    text = (ROOT / "examples" / "pipeline-template.yml").read_text()
    template = tmp_path / "pipeline-template.yml"
    # Shown in the Configuration the approval prints: the secret must not reach the output.
    template.write_text(
        text.replace(
            "ExternalEntityLink: !FindInMap [Stages, dev, Url]",
            "ExternalEntityLink: !Sub 'https://x/${GitHubOAuthToken}'",
        )
    )
    assert main(["pipeline", "show", str(template), "--parameter", "GitHubOAuthToken=tok-93a7f1"]) == 0
    out = capsys.readouterr().out
    assert "tok-93a7f1" not in out
    assert "    link: https://x/***\n" in out


def test_a_missing_file_is_one_sentence_with_exit_2(capsys, tmp_path):
    assert main(["pipeline", "show", str(tmp_path / "nope.yml")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.yml'}: no such file.\n"


def test_validate_tells_pipelines_from_buildspecs_by_content(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # the buildspecs the pipelines name are shown relative to the current folder
    files = [
        str(ROOT / "stages" / "pipeline.yml"),
        str(ROOT / "examples" / "pipeline-template.yml"),
        str(CASES / "template_import_value" / "pipeline-template.yml"),
        str(FIXTURES / "validate" / "clean" / "ci" / "buildspec-build.yml"),
    ]
    assert main(["validate", *files]) == 1
    # The platform's builds take one output each, so the buildspecs' secondary artifacts (made for `run`) stay
    # behind in a pipeline (CP §3, outputs 2): a warning at each, named once per buildspec.
    dev, prod = "buildspecs/buildspec-dev.yml", "buildspecs/buildspec-prod.yml"
    left = "is never passed on: the action '{}' has 1 output artifact, so it takes no secondary artifacts"
    assert capsys.readouterr().out == (
        f"{dev}:142:5: warning: the secondary artifact 'lambdas' {left.format('BuildDev')}\n"
        f"{dev}:148:5: warning: the secondary artifact 'frontend' {left.format('BuildDev')}\n"
        f"{prod}:178:5: warning: the secondary artifact 'lambdas' {left.format('BuildProd')}\n"
        f"{prod}:185:5: warning: the secondary artifact 'frontend' {left.format('BuildProd')}\n"
        f"{files[2]}:26:29: error: !ImportValue 'shared-branch' reads another stack's export, which has no local "
        "value; use a parameter\n"
    )


def test_show_runs_as_a_process_without_docker():
    result = simulator(
        "pipeline", "show", "examples/pipeline-template.yml", cwd=ROOT, env={"DOCKER_HOST": "unix:///nonexistent.sock"}
    )
    assert (result.code, result.stderr, result.lines[0]) == (
        0,
        "",
        "Pipeline ecommerce-ai-platform-pipeline (V1, SUPERSEDED)",
    )
