"""`plan FILE`: what would run, without a container (CB §1.4 and CB §4.1 for the environment, CB §1.2 for
what later phases see, CB §3.1 for the order; CP §1.3-§1.12 for a pipeline)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator.cli.main import COMMANDS, build_parser, main
from tests.conftest import ROOT

BUILDSPEC = """\
version: 0.2
env:
  variables:
    STAGE: dev
  parameter-store:
    DB_PASSWORD: /shop/db
  secrets-manager:
    API_KEY: shop/api:key
  exported-variables: [TAG]
phases:
  install:
    runtime-versions:
      python: 3.11
  pre_build:
    commands:
      - TAG=$(date +%s)
      - export REGION=eu
  build:
    on-failure: CONTINUE
    commands:
      - echo "password is s3cret" && make
    finally:
      - echo done
reports:
  unit:
    base-directory: reports
    files: ['*.xml']
artifacts:
  files: [dist/**/*]
  exclude-paths: ['**/*.map']
  secondary-artifacts:
    site:
      name: site-$TAG
      base-directory: public
      files: ['**/*']
      discard-paths: yes
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    source = tmp_path / "shop"
    source.mkdir()
    (source / "buildspec.yml").write_text(BUILDSPEC)
    (tmp_path / "values.yml").write_text("parameter-store:\n  /shop/db: s3cret\n")
    monkeypatch.setenv("SIMULATOR_INITIATOR", "tester")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return source


FLAGS = ["--source", "shop", "--project", "shop-dev", "--no-host-ca", "--parameters", "values.yml"]


def test_a_buildspec_plan_lists_everything_that_would_run(project, capsys):
    assert main(["plan", "shop/buildspec.yml", *FLAGS, "--env", "STAGE=test"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.splitlines() == [
        "Plan of shop/buildspec.yml (buildspec version 0.2; nothing runs)",
        "",
        "Image: simulator/codebuild-standard:7.0-local",
        "Project: shop-dev, timeout 60 min, privileged no",
        "",
        "Environment at the start of the build (later phases see what earlier commands set):",
        "  API_KEY                     ***  (secrets-manager shop/api:key; not in the local values file)",
        '  AWS_DEFAULT_REGION          "us-east-1"  (CodeBuild)',
        '  AWS_REGION                  "us-east-1"  (CodeBuild)',
        '  CODEBUILD_BUILD_ARN         "arn:aws:codebuild:us-east-1:000000000000:build/shop-dev:<build uuid>"  '
        "(CodeBuild)",
        '  CODEBUILD_BUILD_ID          "shop-dev:<build uuid>"  (CodeBuild)',
        '  CODEBUILD_BUILD_IMAGE       "simulator/codebuild-standard:7.0-local"  (CodeBuild)',
        '  CODEBUILD_BUILD_NUMBER      "<next build number>"  (CodeBuild)',
        '  CODEBUILD_BUILD_SUCCEEDING  "1"  (CodeBuild)',
        '  CODEBUILD_INITIATOR         "tester"  (CodeBuild)',
        '  CODEBUILD_KMS_KEY_ID        "arn:aws:kms:us-east-1:000000000000:alias/aws/s3"  (CodeBuild)',
        '  CODEBUILD_LOG_PATH          "<build uuid>"  (CodeBuild)',
        '  CODEBUILD_PROJECT_NAME      "shop-dev"  (CodeBuild)',
        '  CODEBUILD_SRC_DIR           "/codebuild/output/src<N>/src"  (CodeBuild)',
        '  CODEBUILD_START_TIME        "<start time, ms>"  (CodeBuild)',
        "  DB_PASSWORD                 ***  (parameter-store /shop/db)",
        '  HOME                        "/root"  (CodeBuild)',
        '  SIMULATOR                   "true"  (simulator)',
        '  STAGE                       "test"  (--env)',
        "  (<...>: chosen when the build starts; the image's own ENV comes first and is not shown)",
        "",
        "Phases (DOWNLOAD_SOURCE first, UPLOAD_ARTIFACTS and FINALIZING after):",
        "  INSTALL",
        "    runtime-versions: python 3.11",
        "  PRE_BUILD",
        "    1. TAG=$(date +%s)",
        "    2. export REGION=eu",
        "  BUILD  (on-failure CONTINUE)",
        "    also set by earlier commands (values known when it runs): TAG, REGION",
        '    1. echo "password is ***" && make',
        "    finally:",
        "      1. echo done",
        "",
        "Exported variables (their values at the end of POST_BUILD):",
        "  TAG",
        "",
        "Reports:",
        "  unit (JUNITXML), in reports",
        "    *.xml",
        "",
        "Artifacts:",
        "  primary",
        "    dist/**/*",
        "    not **/*.map",
        "  site, name site-$TAG, in public, discard paths",
        "    **/*",
    ]


def test_version_0_1_carries_nothing_from_one_command_to_the_next(project, capsys):
    (project / "buildspec.yml").write_text(
        "version: 0.1\nphases:\n  pre_build:\n    commands: [TAG=1]\n  build:\n    commands: [echo $TAG]\n"
    )
    assert main(["plan", "shop/buildspec.yml", *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "  BUILD\n    1. echo $TAG\n" in out
    assert "also set by earlier commands" not in out


def test_a_batch_only_buildspec_is_planned_with_a_note_not_refused(project, capsys):
    (project / "buildspec.yml").write_text(
        "version: 0.2\nbatch:\n  build-list:\n    - identifier: one\n      buildspec: one.yml\n"
    )
    assert main(["plan", "shop/buildspec.yml", *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "Phases (DOWNLOAD_SOURCE first, UPLOAD_ARTIFACTS and FINALIZING after):\n  (none)\n" in out
    assert out.endswith("Notes:\n  a batch section: CodeBuild runs it in batch mode, which this plan does not show\n")


def test_a_plan_in_markdown_is_the_text_plan_in_a_fenced_block(project, capsys):
    (project / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    assert main(["plan", "shop/buildspec.yml", *FLAGS, "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "### Plan of `shop/buildspec.yml`",
        "",
        "```text",
        "Image: simulator/codebuild-standard:7.0-local",
    ]
    assert lines[-1] == "```"
    assert "  BUILD" in lines and "    1. make" in lines


def test_a_pipeline_plan_lists_stages_actions_flow_and_gates(capsys):
    assert main(["plan", str(ROOT / "stages" / "pipeline.yml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"Plan of {ROOT / 'stages' / 'pipeline.yml'}: pipeline ecommerce-ai-platform-pipeline (V1, SUPERSEDED; "
        "nothing runs)"
    )
    assert out[out.index("  4. BuildProd") : out.index("  5. ApproveProd")] == [
        "  4. BuildProd",
        "       [run order 1] BuildProd  Build/AWS/CodeBuild/1  SourceOutput, DevBuildOutput -> ProdBuildOutput  "
        "namespace BuildProdVariables",
        "           project ecommerce-ai-platform-build-prod: buildspec buildspecs/buildspec-prod.yml, image "
        "aws/codebuild/standard:7.0, timeout 45 min, privileged, primary source SourceOutput",
        '           env DEPLOY_ENV = "prod" (action)',
        '           env DEV_BUILD_VERSION = "#{BuildDevVariables.BUILD_VERSION}" (action)',
        '           env SITE_URL = "https://shop.example.com" (action)',
    ]
    assert out[out.index("Artifacts:") :] == [
        "Artifacts:",
        "  SourceOutput: from Source to BuildDev, BuildProd (primary)",
        "  DevBuildOutput: from BuildDev to BuildProd",
        "  ProdBuildOutput: from BuildProd to (no action)",
        "",
        "Gates:",
        "  ApproveDev: times out after 1 day",
        "  ApproveProd: times out after 7 days",
    ]


def test_a_pipelines_secret_variable_and_a_noecho_parameter_are_masked(tmp_path, monkeypatch, capsys):
    (tmp_path / "pipeline.yml").write_text(
        "name: shop\nstages:\n"
        "  - name: Source\n    actions:\n"
        "      - {name: Source, kind: source, provider: GitHub, outputs: [Src]}\n"
        "  - name: Build\n    actions:\n"
        "      - name: Build\n        kind: build\n        inputs: [Src]\n"
        "        env:\n          DB_PASSWORD: {parameter-store: /shop/db}\n"
    )
    (tmp_path / "values.yml").write_text("parameter-store:\n  /shop/db: s3cret\n")
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "pipeline.yml", "--parameters", "values.yml"]) == 0
    out = capsys.readouterr().out
    assert "           env DB_PASSWORD = *** (action parameter-store /shop/db)\n" in out
    assert "s3cret" not in out
    template = ROOT / "examples" / "pipeline-template.yml"
    assert main(["plan", str(template)]) == 0
    assert '           OAuthToken = "***"\n' in capsys.readouterr().out


def test_an_invalid_buildspec_is_every_diagnostic_and_exit_2(project, capsys):
    (project / "buildspec.yml").write_text("version: 0.2\nphases:\n  biuld:\n    commands: [make]\n")
    assert main(["plan", "shop/buildspec.yml", *FLAGS]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines()[0] == (
        "shop/buildspec.yml:3:3: error: unknown phase 'biuld'; did you mean 'build'? Valid phases: install, "
        "pre_build, build, post_build"
    )


def test_a_missing_file_is_one_sentence(project, capsys):
    assert main(["plan", "nothing.yml", *FLAGS]) == 2
    assert capsys.readouterr() == ("", "error: nothing.yml: no such file.\n")


def test_plan_never_imports_docker():
    # The CI dry-run runs where no engine answers: `python -X importtime -m simulator plan` must show no docker.
    script = (
        "import sys\n"
        "from simulator.cli.main import main\n"
        f"main(['plan', {str(ROOT / 'buildspecs' / 'buildspec-dev.yml')!r}, {str(ROOT / 'stages' / 'pipeline.yml')!r},"
        f" '--diff', 'HEAD'])\n"
        "print('docker' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "False"


def test_every_command_is_named_in_help_as_its_module_says():
    parser = build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command")
    helps = {choice.dest: choice.help for choice in subcommands._choices_actions}
    assert helps == {name: help_text for name, (_, help_text) in COMMANDS.items()}


def test_plan_help_ends_with_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == (
        "  python -m simulator plan --diff origin/main --format markdown buildspecs/*.yml stages/pipeline.yml"
    )


def test_only_the_command_being_run_is_imported():
    script = (
        "import sys\n"
        "from simulator.cli.main import build_parser\n"
        "build_parser(['plan', 'x.yml'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('simulator.cli.commands.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, env=None
    )
    assert result.stdout.strip() == (
        "['simulator.cli.commands.pipeline', 'simulator.cli.commands.pipeline.options', 'simulator.cli.commands.plan']"
    )
