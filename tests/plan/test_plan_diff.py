"""`plan --diff REV` on a real git history: one commit per kind of change, each compared with the commit before
it, the sentence checked exactly in text and in markdown. The values file holds the parameter-store value, which
must never appear, neither in a plan nor in a diff."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.cli.main import main

SECRET_VALUE = "s3cret-a"

BUILDSPEC = """\
version: 0.2
env:
  variables:
    IMAGE_TAG: a
  parameter-store:
    DB_PASSWORD: /shop/a
phases:
  build:
    commands:
      - npm ci
      - npm run build
artifacts:
  files:
    - dist/**/*
    - package.json
"""

PIPELINE = """\
name: shop
stages:
  - name: Source
    actions:
      - {name: Source, kind: source, provider: GitHub, outputs: [Src], configuration: {Owner: o, Repo: r, Branch: main}}
  - name: BuildDev
    actions:
      - name: BuildDev
        kind: build
        buildspec: buildspec.yml
        inputs: [Src]
        outputs: [DevOut]
        env: {DEPLOY_ENV: dev}
  - name: ApproveDev
    actions:
      - {name: ApproveDev, kind: approval}
  - name: BuildProd
    actions:
      - {name: BuildProd, kind: build, buildspec: buildspec.yml, inputs: [Src]}
  - name: ApproveProd
    actions:
      - {name: ApproveProd, kind: approval}
"""


def _replace(old: str, new: str, path: str = "buildspec.yml") -> Callable[[Path], None]:
    def edit(repo: Path) -> None:
        text = (repo / path).read_text()
        assert old in text, old
        (repo / path).write_text(text.replace(old, new))

    return edit


def _write(path: str, text: str) -> Callable[[Path], None]:
    return lambda repo: (repo / path).write_text(text)


def _delete(path: str) -> Callable[[Path], None]:
    return lambda repo: (repo / path).unlink()


@dataclass(frozen=True)
class Case:
    name: str
    edit: Callable[[Path], None]
    file: str
    text: list[str]
    markdown: list[str]


CASES = [
    Case(
        "command added to build",
        _replace("      - npm run build\n", "      - npm run build\n      - npm test\n"),
        "buildspec.yml",
        ["buildspec.yml: 1 change against {rev}", "  build: command added: npm test"],
        ["### `buildspec.yml`: 1 change against `{rev}`", "", "- build: command added: `npm test`"],
    ),
    Case(
        "variable changed",
        _replace("IMAGE_TAG: a", "IMAGE_TAG: b"),
        "buildspec.yml",
        ["buildspec.yml: 1 change against {rev}", '  env: IMAGE_TAG changed: "a" -> "b"'],
        ["### `buildspec.yml`: 1 change against `{rev}`", "", '- env: IMAGE_TAG changed: `"a"` -> `"b"`'],
    ),
    Case(
        "artifact path dropped",
        _replace("    - dist/**/*\n", ""),
        "buildspec.yml",
        ["buildspec.yml: 1 change against {rev}", "  artifacts: path dropped: dist/**/*"],
        ["### `buildspec.yml`: 1 change against `{rev}`", "", "- artifacts: path dropped: `dist/**/*`"],
    ),
    Case(
        "secret read from another parameter",
        _replace("DB_PASSWORD: /shop/a", "DB_PASSWORD: /shop/b"),
        "buildspec.yml",
        [
            "buildspec.yml: 1 change against {rev}",
            "  env: DB_PASSWORD changed: *** (parameter-store /shop/a) -> "
            "*** (parameter-store /shop/b; not in the local values file)",
        ],
        [
            "### `buildspec.yml`: 1 change against `{rev}`",
            "",
            "- env: DB_PASSWORD changed: `*** (parameter-store /shop/a)` -> "
            "`*** (parameter-store /shop/b; not in the local values file)`",
        ],
    ),
    Case(
        "phase added, a multi-line command in it",
        _replace("phases:\n", "phases:\n  pre_build:\n    commands:\n      - |\n        echo one\n        echo two\n"),
        "buildspec.yml",
        [
            "buildspec.yml: 2 changes against {rev}",
            "  phase added: pre_build",
            "  pre_build: command added:",
            "      echo one",
            "      echo two",
        ],
        [
            "### `buildspec.yml`: 2 changes against `{rev}`",
            "",
            "- phase added: `pre_build`",
            "- pre_build: command added:",
            "  ```sh",
            "  echo one",
            "  echo two",
            "  ```",
        ],
    ),
    Case(
        "action variable changed",
        _replace("DEPLOY_ENV: dev", "DEPLOY_ENV: staging", "pipeline.yml"),
        "pipeline.yml",
        ["pipeline.yml: 1 change against {rev}", '  BuildDev env: DEPLOY_ENV changed: "dev" -> "staging"'],
        [
            "### `pipeline.yml`: 1 change against `{rev}`",
            "",
            '- BuildDev env: DEPLOY_ENV changed: `"dev"` -> `"staging"`',
        ],
    ),
    Case(
        "stage reordered",
        _replace(
            "  - name: ApproveDev\n    actions:\n      - {name: ApproveDev, kind: approval}\n"
            "  - name: BuildProd\n    actions:\n      - {name: BuildProd, kind: build, buildspec: buildspec.yml, "
            "inputs: [Src]}\n",
            "  - name: BuildProd\n    actions:\n      - {name: BuildProd, kind: build, buildspec: buildspec.yml, "
            "inputs: [Src]}\n  - name: ApproveDev\n    actions:\n      - {name: ApproveDev, kind: approval}\n",
            "pipeline.yml",
        ),
        "pipeline.yml",
        ["pipeline.yml: 1 change against {rev}", "  stage moved: BuildProd from 4 to 3"],
        ["### `pipeline.yml`: 1 change against `{rev}`", "", "- stage moved: `BuildProd` from 4 to 3"],
    ),
    Case(
        "gate removed",
        _replace(
            "  - name: ApproveProd\n    actions:\n      - {name: ApproveProd, kind: approval}\n", "", "pipeline.yml"
        ),
        "pipeline.yml",
        ["pipeline.yml: 2 changes against {rev}", "  stage removed: ApproveProd", "  gate removed: ApproveProd"],
        [
            "### `pipeline.yml`: 2 changes against `{rev}`",
            "",
            "- stage removed: `ApproveProd`",
            "- gate removed: `ApproveProd`",
        ],
    ),
    Case(
        "artifact flow and run order",
        _replace(
            "{name: BuildProd, kind: build, buildspec: buildspec.yml, inputs: [Src]}",
            "{name: BuildProd, kind: build, buildspec: buildspec.yml, inputs: [Src, DevOut], primary-source: Src}\n"
            "      - {name: Smoke, kind: test, buildspec: buildspec.yml, inputs: [Src], run-order: 2}",
            "pipeline.yml",
        ),
        "pipeline.yml",
        [
            "pipeline.yml: 4 changes against {rev}",
            "  BuildProd: input added: DevOut",
            "  BuildProd: primary source changed: (none) -> Src",
            "  stage BuildProd: action added: BuildProd/Smoke (Test/AWS/CodeBuild/1, run order 2)",
            "  BuildProd/Smoke: input added: Src",
        ],
        [
            "### `pipeline.yml`: 4 changes against `{rev}`",
            "",
            "- BuildProd: input added: `DevOut`",
            "- BuildProd: primary source changed: `(none)` -> `Src`",
            "- stage BuildProd: action added: `BuildProd/Smoke` (Test/AWS/CodeBuild/1, run order 2)",
            "- BuildProd/Smoke: input added: `Src`",
        ],
    ),
    Case(
        "file new since the revision",
        _write("buildspec-prod.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"),
        "buildspec-prod.yml",
        [
            "buildspec-prod.yml: 2 changes against {rev} (new since {rev})",
            "  phase added: build",
            "  build: command added: make",
        ],
        [
            "### `buildspec-prod.yml`: 2 changes against `{rev}` (new since {rev})",
            "",
            "- phase added: `build`",
            "- build: command added: `make`",
        ],
    ),
    Case(
        "file deleted since the revision",
        _delete("buildspec-prod.yml"),
        "buildspec-prod.yml",
        [
            "buildspec-prod.yml: 2 changes against {rev} (deleted since {rev})",
            "  phase removed: build",
            "  build: command removed: make",
        ],
        [
            "### `buildspec-prod.yml`: 2 changes against `{rev}` (deleted since {rev})",
            "",
            "- phase removed: `build`",
            "- build: command removed: `make`",
        ],
    ),
    Case(
        "exported variable added",
        _replace(
            "    DB_PASSWORD: /shop/b\n",
            "    DB_PASSWORD: /shop/b\n  exported-variables: [IMAGE_TAG]\n",
        ),
        "buildspec.yml",
        ["buildspec.yml: 1 change against {rev}", "  exported variable added: IMAGE_TAG"],
        ["### `buildspec.yml`: 1 change against `{rev}`", "", "- exported variable added: `IMAGE_TAG`"],
    ),
    Case(
        "report group added",
        _replace("artifacts:\n", "reports:\n  unit:\n    files: [junit.xml]\nartifacts:\n"),
        "buildspec.yml",
        [
            "buildspec.yml: 2 changes against {rev}",
            "  report group added: unit",
            "  reports unit: path added: junit.xml",
        ],
        [
            "### `buildspec.yml`: 2 changes against `{rev}`",
            "",
            "- report group added: `unit`",
            "- reports unit: path added: `junit.xml`",
        ],
    ),
]


def _git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The repository and its commits: the first holds both files, each later one makes one case's change."""
    repo = tmp_path_factory.mktemp("history") / "shop"
    repo.mkdir()
    (repo / "buildspec.yml").write_text(BUILDSPEC)
    (repo / "pipeline.yml").write_text(PIPELINE)
    (repo / ".gitignore").write_text(".simulator/\n")
    # The default values file, at the repository's top: read for both sides of every diff.
    (repo / ".simulator").mkdir()
    (repo / ".simulator" / "parameters.yml").write_text(f"parameter-store:\n  /shop/a: {SECRET_VALUE}\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "start")
    commits = [_git(repo, "rev-parse", "HEAD")]
    for case in CASES:
        case.edit(repo)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", case.name)
        commits.append(_git(repo, "rev-parse", "HEAD"))
    return repo, commits


def _diff_at(history, monkeypatch, capsys, index: int, *args: str) -> tuple[int, str, str, str]:
    """Check out commit `index + 1` and compare its file with the commit before, whose short name is returned."""
    repo, commits = history
    _git(repo, "checkout", "-q", commits[index + 1])
    monkeypatch.chdir(repo)
    rev = commits[index][:12]
    code = main(["plan", "--diff", rev, *args])
    out = capsys.readouterr()
    return code, out.out, out.err, rev


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_each_kind_of_change_is_one_sentence(history, monkeypatch, capsys, index):
    case = CASES[index]
    code, out, err, rev = _diff_at(history, monkeypatch, capsys, index, case.file)
    assert (code, err) == (0, "")
    assert out.splitlines() == [line.format(rev=rev) for line in case.text]
    assert SECRET_VALUE not in out


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_each_kind_of_change_in_markdown(history, monkeypatch, capsys, index):
    case = CASES[index]
    code, out, err, rev = _diff_at(history, monkeypatch, capsys, index, case.file, "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.splitlines() == [line.format(rev=rev) for line in case.markdown]


def test_a_file_without_changes_says_so_and_exit_code_tells_changes_apart(history, monkeypatch, capsys):
    index = CASES.index(next(case for case in CASES if case.name == "variable changed"))
    # pipeline.yml did not change in that commit; buildspec.yml did.
    code, out, err, rev = _diff_at(history, monkeypatch, capsys, index, "pipeline.yml", "--exit-code")
    assert (code, out, err) == (0, f"pipeline.yml: no changes against {rev}\n", "")
    code, out, err, rev = _diff_at(history, monkeypatch, capsys, index, "buildspec.yml", "--exit-code")
    assert (code, err) == (1, "")
    code, out, err, rev = _diff_at(history, monkeypatch, capsys, index, "pipeline.yml", "buildspec.yml")
    assert out.splitlines() == [
        f"pipeline.yml: no changes against {rev}",
        "",
        f"buildspec.yml: 1 change against {rev}",
        '  env: IMAGE_TAG changed: "a" -> "b"',
    ]


def test_the_whole_history_at_once_never_shows_the_secret(history, monkeypatch, capsys):
    repo, commits = history
    _git(repo, "checkout", "-q", commits[-1])
    monkeypatch.chdir(repo)
    assert main(["plan", "--diff", commits[0], "buildspec.yml", "pipeline.yml"]) == 0
    out = capsys.readouterr().out
    assert SECRET_VALUE not in out
    assert "env: DB_PASSWORD changed: *** (parameter-store /shop/a) -> *** (parameter-store /shop/b; " in out
    assert main(["plan", "buildspec.yml"]) == 0
    assert SECRET_VALUE not in capsys.readouterr().out


def test_an_unknown_revision_is_one_sentence_and_exit_2(history, monkeypatch, capsys):
    repo, _ = history
    monkeypatch.chdir(repo)
    assert main(["plan", "--diff", "no-such-branch", "buildspec.yml"]) == 2
    assert capsys.readouterr() == (
        "",
        f"error: The revision no-such-branch is not known to git in {repo}: fetch it (git fetch) or name another.\n",
    )


def test_a_revision_that_looks_like_an_option_is_refused(history, monkeypatch, capsys):
    repo, _ = history
    monkeypatch.chdir(repo)
    assert main(["plan", "--diff=--output=x", "buildspec.yml"]) == 2
    assert capsys.readouterr() == (
        "",
        "error: --diff '--output=x' is not a git revision: name one, e.g. origin/main.\n",
    )
    assert not (repo / "x").exists()


def test_a_file_outside_any_repository_is_one_sentence(tmp_path, monkeypatch, capsys):
    (tmp_path / "buildspec.yml").write_text(BUILDSPEC)
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "--diff", "main", "buildspec.yml"]) == 2
    assert capsys.readouterr() == (
        "",
        "error: buildspec.yml is not in a git repository: --diff compares with a git revision.\n",
    )


def test_a_file_broken_at_the_revision_is_compared_with_nothing(history, monkeypatch, capsys, tmp_path):
    repo, commits = history
    _git(repo, "checkout", "-q", commits[-1])
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(repo), str(clone))
    (clone / "buildspec.yml").write_text("version: 0.2\nphases:\n  biuld:\n    commands: [make]\n")
    _git(clone, "commit", "-q", "-am", "broken")
    broken = _git(clone, "rev-parse", "HEAD")[:12]
    (clone / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    monkeypatch.chdir(clone)
    assert main(["plan", "--diff", broken, "buildspec.yml"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"buildspec.yml: 2 changes against {broken} (not valid at {broken}, so compared with nothing)",
        "  phase added: build",
        "  build: command added: make",
    ]
