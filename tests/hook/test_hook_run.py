"""`hook run` called directly, as git and pre-commit call it: what it refuses (one sentence, exit 2) and the
pushes that need no checkout."""

from __future__ import annotations

import subprocess
import sys


def run(project, stdin: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", "hook", "run", *args],
        cwd=project.work,
        env={**project.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_line_that_is_not_gits_is_one_sentence(project):
    said = run(project, "refs/heads/main deadbeef\n", "origin")
    assert (said.returncode, said.stdout) == (2, "")
    assert said.stderr == (
        "error: line 1 of the hook's standard input is not '<local ref> <local sha> <remote ref> <remote sha>': "
        "'refs/heads/main deadbeef' (the hook is meant to be run by git push).\n"
    )


def test_from_pre_commit_outside_pre_commit_is_one_sentence(project):
    said = run(project, "", "--from-pre-commit")
    assert said.returncode == 2
    assert said.stderr == (
        "error: --from-pre-commit: neither PRE_COMMIT_TO_REF nor PRE_COMMIT_LOCAL_BRANCH is set: this runs as a "
        "pre-push hook of the pre-commit framework (stages: [pre-push]).\n"
    )


def test_nothing_pushed_passes(project):
    said = run(project, "", "origin")
    assert said.returncode == 0
    assert said.stdout.splitlines()[0] == "simulator pre-push: nothing is pushed, nothing to test."


def test_a_commit_the_remote_has_under_a_new_name_has_nothing_to_test(project):
    sha = project.git("rev-parse", "HEAD")
    said = run(project, f"refs/heads/main {sha} refs/heads/copy {'0' * 40}\n", "origin")
    assert said.returncode == 0
    assert said.stdout.splitlines()[0] == (
        f"simulator pre-push: copy {sha[:12]}: no change the remote does not have, nothing to test."
    )


def test_skip_variable_is_honoured_by_run_itself(project):
    said = run(project, "garbage\n", "--from-pre-commit", env={"SIMULATOR_SKIP_HOOK": "1"})
    assert (said.returncode, said.stdout) == (0, "simulator pre-push: skipped (SIMULATOR_SKIP_HOOK=1).\n")
