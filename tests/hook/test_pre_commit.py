"""The `.pre-commit-hooks.yaml` entry through a real pre-commit (the test extra installs it from PyPI): a
repository of this project's package and entry file, a user repository whose .pre-commit-config.yaml takes the
simulator-validate hook from it, `pre-commit install --hook-type pre-push`, and real pushes to a bare remote.

pre-commit builds its own environment for the hook (`language: python`: a virtualenv with this package
pip-installed, its dependencies from the package index), the way a user's pre-commit does; that costs this test
tens of seconds the first time. PRE_COMMIT_HOME is the test's own, so no cache of the user's is read or written.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.hook.conftest import BROKEN_BUILDSPEC, BROKEN_ERROR, GOOD_BUILDSPEC

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


def hooks_repository(project, destination: Path) -> str:
    """This project as pre-commit fetches a hook repository: a git repository at a commit."""
    destination.mkdir()
    for name in ("pyproject.toml", ".pre-commit-hooks.yaml", "README.md"):
        shutil.copy(ROOT / name, destination / name)
    shutil.copytree(ROOT / "simulator", destination / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    project.git("init", "-q", cwd=destination)
    project.git("add", "-A", cwd=destination)
    project.git("commit", "-q", "-m", "the simulator", cwd=destination)
    return project.git("rev-parse", "HEAD", cwd=destination)


def test_the_pre_commit_entry_tests_what_is_pushed(project):
    hooks = project.root / "simulator-hooks"
    rev = hooks_repository(project, hooks)
    project.environ["PRE_COMMIT_HOME"] = str(project.root / "pre-commit-home")
    project.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n"
        "      - id: simulator-validate\n        verbose: true\n",  # verbose: its lines also when it passes
    )
    project.commit("pre-commit")
    project.git("push", "-q", "origin", "main")
    installed = _run(project, "install", "--hook-type", "pre-push")
    assert installed == "pre-commit installed at .git/hooks/pre-push\n"

    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)
    broken = project.commit("break it")
    refused = project.push("origin", "main")

    assert refused.code == 1, refused.output
    assert "simulator validate (the buildspecs, pipelines and templates the push touches)..." in refused.output
    assert refused.hook_lines == [
        f"simulator pre-push: main {broken[:12]} (1 changed file(s)), mode validate:",
        "  FAIL     buildspecs/buildspec-dev.yml (1 warning)",
        f"           {BROKEN_ERROR}",
        "           buildspecs/buildspec-dev.yml:4:5: warning: unknown key 'phases.build.command' ignored",
        "simulator pre-push: push refused: 1 failed, in N.NN s. Fix it and push again (git push --no-verify skips "
        "this check).",
    ]
    assert project.remote_sha() != broken

    project.write("buildspecs/buildspec-dev.yml", GOOD_BUILDSPEC.replace("built", "fixed"))
    fixed = project.commit("fix it")
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)  # uncommitted: not what is pushed
    passed = project.push("origin", "main")

    assert passed.code == 0, passed.output
    assert passed.hook_lines == [
        f"simulator pre-push: main {fixed[:12]} (1 changed file(s)), mode validate:",  # against the remote's commit
        "  PASS     buildspecs/buildspec-dev.yml",
        "simulator pre-push: passed in N.NN s.",
    ]
    assert project.remote_sha() == fixed
    assert (project.work / "buildspecs/buildspec-dev.yml").read_text() == BROKEN_BUILDSPEC
    assert project.leftovers() == []

    # A whole new history (a remote with nothing of it): pre-commit passes only the branch, every file is tested.
    project.git("init", "-q", "--bare", str(project.root / "empty.git"), cwd=project.root)
    project.git("remote", "add", "empty", str(project.root / "empty.git"))
    first = project.push("empty", "main")
    assert first.code == 0, first.output
    assert first.hook_lines == [
        f"simulator pre-push: main {fixed[:12]} (a new history: everything), mode validate:",
        "  PASS     buildspecs/buildspec-dev.yml",
        "simulator pre-push: passed in N.NN s.",
    ]


def _run(project, *args: str) -> str:
    import subprocess

    completed = subprocess.run(
        [PRE_COMMIT, *args], cwd=project.work, env=project.environ, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout
