"""The pre-push hook's cost, as a user meets it: the wall time of a whole `git push` to a local bare repository.

The example repository is this project's example platform (buildspecs/, stages/, examples/: the buildspecs, the
native pipeline and the CloudFormation template, with the frontend, lambdas and infrastructure they build), in
a fresh git repository with a bare remote. Cases, run alternately so a busy moment hits each alike:
- no hook: the floor, git's own push;
- hook, no build input: a README edit, passed from `git diff` alone (no checkout);
- hook, buildspec edited: buildspecs/buildspec-dev.yml changed, validated with the two pipelines that run it;
- hook, broken buildspec: the same file broken, the push refused (the Done-when's "under two seconds");
- hook, new history: a first push to an empty remote, every build file of the tip validated.
Then the throwaway checkout alone (what the hook pays per pushed tip): `git worktree add` + `remove` beside
`git archive | tar -x` and `git read-tree` + `checkout-index` into a temporary index.
Target (issue 7): a validate-only push under 1 s. Prints figures; asserts nothing.
Run: python bench/hook_push.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import ROOT

TARGET_SECONDS = 1.0
EXAMPLE = ("buildspecs", "stages", "examples")
BROKEN = "version: 0.2\nphases:\n  build:\n    command:\n      - echo broken\n"


class Example:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.work = folder / "work"
        config = folder / "gitconfig"
        config.write_text("[user]\n\tname = bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n")
        self.environ = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GIT_CONFIG_GLOBAL": str(config),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        self.environ.pop("SIMULATOR_SKIP_HOOK", None)
        self.work.mkdir()
        for name in EXAMPLE:
            shutil.copytree(ROOT / name, self.work / name)
        (self.work / "README.md").write_text("the example platform\n")
        self.git("init", "-q")
        self.commit()
        self.remote = self.fresh_remote("remote.git")
        self.git("remote", "add", "origin", str(self.remote))
        self.git("push", "-q", "origin", "main")
        self.counter = 0

    def git(self, *args: str, cwd: Path | None = None) -> None:
        subprocess.run(["git", *args], cwd=cwd or self.work, env=self.environ, check=True, capture_output=True)

    def commit(self) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "bench")

    def fresh_remote(self, name: str) -> Path:
        remote = self.folder / name
        shutil.rmtree(remote, ignore_errors=True)
        self.git("init", "-q", "--bare", str(remote), cwd=self.folder)
        return remote

    def hook(self, installed: bool) -> None:
        if installed:
            command = [sys.executable, "-m", "simulator", "hook", "install", "--force"]
            subprocess.run(command, cwd=self.work, env=self.environ, check=True, capture_output=True)
        else:
            (self.work / ".git/hooks/pre-push").unlink(missing_ok=True)

    def push(self, *args: str, ok: int = 0) -> float:
        started = time.perf_counter()
        completed = subprocess.run(["git", "push", "-q", *args], cwd=self.work, env=self.environ, capture_output=True)
        elapsed = time.perf_counter() - started
        if completed.returncode != ok:
            said = (completed.stdout + completed.stderr).decode(errors="replace")
            raise SystemExit(f"git push {' '.join(args)} ended {completed.returncode}, not {ok}:\n{said[-2000:]}")
        return elapsed

    def edit(self, name: str, text: str | None = None) -> None:
        self.counter += 1
        path = self.work / name
        path.write_text(text if text is not None else path.read_text() + f"# edit {self.counter}\n")
        self.commit()

    # The cases: each prepares its commit (not timed) and times one push.
    def no_hook(self) -> float:
        self.hook(False)
        self.edit("buildspecs/buildspec-dev.yml")
        seconds = self.push("origin", "main")
        self.hook(True)
        return seconds

    def no_build_input(self) -> float:
        self.edit("README.md", f"the example platform, edit {self.counter}\n")
        return self.push("origin", "main")

    def buildspec_edited(self) -> float:
        self.edit("buildspecs/buildspec-dev.yml")
        return self.push("origin", "main")

    def broken_buildspec(self) -> float:
        self.edit("buildspecs/buildspec-dev.yml", BROKEN)
        seconds = self.push("origin", "main", ok=1)
        self.git("reset", "-q", "--hard", "HEAD~1")
        return seconds

    def new_history(self) -> float:
        empty = self.fresh_remote("empty.git")
        return self.push(str(empty), "main")


def checkout_costs(example: Example, repeat: int) -> dict[str, list[float]]:
    work, environ = example.work, example.environ

    def worktree(target: Path) -> None:
        run(["git", "-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet", str(target), "HEAD"])
        run(["git", "worktree", "remove", "--force", "--force", str(target)])

    def archive(target: Path) -> None:
        target.mkdir()
        packed = subprocess.run(["git", "archive", "HEAD"], cwd=work, env=environ, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=packed.stdout, check=True)
        shutil.rmtree(target)

    def index(target: Path) -> None:
        indexed = {**environ, "GIT_INDEX_FILE": str(target) + ".index"}
        run(["git", "read-tree", "HEAD"], indexed)
        run(["git", "checkout-index", "-a", f"--prefix={target}/"], indexed)
        shutil.rmtree(target)
        os.unlink(str(target) + ".index")

    def run(command: list[str], env: dict[str, str] = environ) -> None:
        subprocess.run(command, cwd=work, env=env, check=True, capture_output=True)

    ways: dict[str, Callable[[Path], None]] = {
        "worktree add + remove": worktree,
        "archive | tar -x": archive,
        "read-tree + checkout-index": index,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeat):
        for name, way in ways.items():
            with tempfile.TemporaryDirectory() as scratch:
                started = time.perf_counter()
                way(Path(scratch) / "tree")
                times[name].append(time.perf_counter() - started)
    return times


def show(title: str, times: dict[str, list[float]], repeat: int) -> None:
    print(f"{title:<32} {'median s':>9} {'min s':>7} {'max s':>7}  (n={repeat})")
    for name, seconds in times.items():
        print(f"{name:<32} {statistics.median(seconds):>9.3f} {min(seconds):>7.3f} {max(seconds):>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as scratch:
        example = Example(Path(scratch))
        example.hook(True)
        cases: dict[str, Callable[[], float]] = {
            "push, no hook": example.no_hook,
            "hook, no build input": example.no_build_input,
            "hook, buildspec edited": example.buildspec_edited,
            "hook, broken buildspec": example.broken_buildspec,
            "hook, new history": example.new_history,
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(repeat):
            for name, case in cases.items():
                times[name].append(case())
        show(f"git push (target {TARGET_SECONDS} s)", times, repeat)
        print()
        show("checkout of the tip", checkout_costs(example, repeat), repeat)


if __name__ == "__main__":
    main()
