"""The hook through real `git push` to a bare repository (validate mode, no Docker): what is refused, what passes,
what it prints, and that the user's working tree, index and temporary folder are as they were."""

from __future__ import annotations

from tests.conftest import FIXTURES
from tests.hook.conftest import BROKEN_BUILDSPEC, BROKEN_ERROR, GOOD_BUILDSPEC, install

REFUSED = (
    "simulator pre-push: push refused: 1 failed, in N.NN s. Fix it and push again (git push --no-verify skips "
    "this check)."
)
PASSED = "simulator pre-push: passed in N.NN s."


def test_a_push_with_a_broken_buildspec_is_refused_with_the_file_and_line(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)
    sha = project.commit("break it")

    pushed = project.push("origin", "main")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  FAIL     buildspecs/buildspec-dev.yml (1 warning)",
        f"           {BROKEN_ERROR}",
        "           buildspecs/buildspec-dev.yml:4:5: warning: unknown key 'phases.build.command' ignored",
        REFUSED,
    ]
    assert project.remote_sha() != sha
    assert project.leftovers() == []


def test_a_push_of_good_commits_passes(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", GOOD_BUILDSPEC.replace("echo built", "echo built again"))
    sha = project.commit("a better build")

    pushed = project.push("origin", "main")

    assert pushed.code == 0, pushed.output
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  PASS     buildspecs/buildspec-dev.yml",
        PASSED,
    ]
    assert project.remote_sha() == sha
    assert project.leftovers() == []


def test_what_is_pushed_is_tested_not_the_dirty_working_tree(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", GOOD_BUILDSPEC.replace("echo built", "echo committed"))
    sha = project.commit("good")
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)  # uncommitted, and broken
    project.write("buildspecs/buildspec-extra.yml", BROKEN_BUILDSPEC)  # untracked, and broken
    project.git("add", "buildspecs/buildspec-extra.yml")  # staged, even
    status = project.git("status", "--porcelain")

    pushed = project.push("origin", "main")

    assert pushed.code == 0, pushed.output
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  PASS     buildspecs/buildspec-dev.yml",
        PASSED,
    ]
    assert project.remote_sha() == sha
    # Nothing of the user's was touched: the edits, the index and HEAD are as they were.
    assert (
        project.git("status", "--porcelain")
        == status
        == " M buildspecs/buildspec-dev.yml\nA  buildspecs/buildspec-extra.yml"
    )
    assert (project.work / "buildspecs/buildspec-dev.yml").read_text() == BROKEN_BUILDSPEC
    assert project.git("rev-parse", "HEAD") == sha
    assert project.leftovers() == []


def test_no_verify_skips_the_hook(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)
    sha = project.commit("break it")

    pushed = project.push("--no-verify", "origin", "main")

    assert pushed.code == 0
    assert "simulator pre-push" not in pushed.output
    assert project.remote_sha() == sha


def test_simulator_skip_hook_skips_it_and_says_so(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)
    sha = project.commit("break it")

    pushed = project.push("origin", "main", env={"SIMULATOR_SKIP_HOOK": "1"})

    assert pushed.code == 0
    assert pushed.hook_lines == ["simulator pre-push: skipped (SIMULATOR_SKIP_HOOK=1)."]
    assert project.remote_sha() == sha


def test_a_push_that_touches_no_build_input_passes_at_once(project):
    install(project)
    project.write("README.md", "the shop, documented\n")
    project.write("src/app.py", "print('hello')\n")
    sha = project.commit("docs and code")

    pushed = project.push("origin", "main")

    assert pushed.code == 0
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]}: touches no build input (no buildspec, pipeline file or template), "
        "passed.",
        PASSED,
    ]
    assert project.leftovers() == []


def test_a_changed_yaml_file_that_is_no_build_file_is_checked_out_and_passes(project):
    install(project)
    project.write(".github/workflows/ci.yml", "on: push\n")
    sha = project.commit("ci")

    pushed = project.push("origin", "main")

    assert pushed.code == 0
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "simulator pre-push:   no buildspec, pipeline file or template changed, passed.",
        PASSED,
    ]


def test_deleting_a_branch_passes_at_once_and_says_so(project):
    install(project)
    project.git("push", "-q", "--no-verify", "origin", "main:old")

    pushed = project.push("origin", "--delete", "old")

    assert pushed.code == 0
    assert pushed.hook_lines == ["simulator pre-push: old: deleted on the remote, nothing to test.", PASSED]
    assert project.remote_sha("old") is None


def test_a_new_branch_is_compared_with_what_the_remote_already_has(project):
    """A branch from main: only its own commit is the push's change, not main's whole history."""
    install(project)
    project.git("checkout", "-q", "-b", "feature")
    project.write("buildspecs/buildspec-test.yml", BROKEN_BUILDSPEC)
    sha = project.commit("a test build, broken")

    pushed = project.push("origin", "feature")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: feature {sha[:12]} (1 changed file(s)), mode validate:",
        "  FAIL     buildspecs/buildspec-test.yml (1 warning)",
        f"           {BROKEN_ERROR.replace('buildspec-dev', 'buildspec-test')}",
        "           buildspecs/buildspec-test.yml:4:5: warning: unknown key 'phases.build.command' ignored",
        REFUSED,
    ]


def test_a_first_push_validates_everything_the_tip_holds(project):
    install(project)
    project.git("remote", "add", "empty", str(project.root / "empty.git"))
    project.git("init", "-q", "--bare", str(project.root / "empty.git"), cwd=project.root)
    sha = project.git("rev-parse", "HEAD")

    pushed = project.push("empty", "main")

    assert pushed.code == 0
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (a new history: everything), mode validate:",
        "  PASS     buildspecs/buildspec-dev.yml",
        PASSED,
    ]


def test_two_refs_of_one_commit_are_tested_once(project):
    install(project)
    project.write("buildspecs/buildspec-dev.yml", GOOD_BUILDSPEC.replace("built", "twice"))
    sha = project.commit("good")

    pushed = project.push("origin", "main", "main:release")

    assert pushed.code == 0
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  PASS     buildspecs/buildspec-dev.yml",
        f"simulator pre-push: release {sha[:12]}: tested above (the same commit).",
        PASSED,
    ]
    assert project.remote_sha("release") == sha


def test_a_changed_buildspec_revalidates_the_pipeline_that_runs_it(project):
    """unit.yml is named by no buildspec*.yml pattern, only by the pipeline; its edit breaks what the pipeline
    expects of it (an output artifact, an exported variable), which only the pipeline's checks can see."""
    fixture = FIXTURES / "pipeline_chain"
    for path in fixture.rglob("*"):
        if path.is_file():
            project.write(str(path.relative_to(fixture)), path.read_text())
    project.commit("the chain")
    project.git("push", "-q", "origin", "main")
    install(project)
    unit = (fixture / "unit.yml").read_text()
    changed = unit.replace("artifacts:\n  files: [unit.txt]\n", "").replace("[TAG]", "[TAGS]")
    assert changed != unit
    project.write("unit.yml", changed)
    sha = project.commit("unit exports TAGS and no artifact")

    pushed = project.push("origin", "main")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  FAIL     stages/pipeline.yml",
        "           stages/pipeline.yml:14:81: error: the output artifact 'UnitOut' is the buildspec's artifacts, "
        "which 'unit.yml' does not define; the build would fail in UPLOAD_ARTIFACTS",
        "           stages/pipeline.yml:25:11: error: #{UnitVars.TAG} in EnvironmentVariables can never be resolved: "
        "'Unit' exports no variable 'TAG' (its buildspec 'unit.yml' exports: TAGS)",
        "  PASS     unit.yml",
        REFUSED,
    ]


def test_a_changed_pipeline_revalidates_the_buildspecs_it_runs(project):
    fixture = FIXTURES / "pipeline_chain"
    for path in fixture.rglob("*"):
        if path.is_file():
            project.write(str(path.relative_to(fixture)), path.read_text())
    project.commit("the chain")
    project.git("push", "-q", "origin", "main")
    install(project)
    pipeline = (project.work / "stages/pipeline.yml").read_text()
    project.write("stages/pipeline.yml", pipeline.replace("name: Lint,", "name: Lint2,"))
    sha = project.commit("rename an action")

    pushed = project.push("origin", "main")

    assert pushed.code == 0, pushed.output
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode validate:",
        "  PASS     lint.yml",
        "  PASS     package.yml",
        "  PASS     publish.yml",
        "  PASS     stages/pipeline.yml",
        "  PASS     unit.yml",
        PASSED,
    ]


def test_with_run_dev_a_failed_validation_skips_the_build(project):
    """No container is started for a push validation refuses (this test needs no Docker engine)."""
    install(project, "--run", "dev")
    project.write("buildspecs/buildspec-dev.yml", BROKEN_BUILDSPEC)
    sha = project.commit("break it")

    pushed = project.push("origin", "main")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode dev:",
        "  FAIL     buildspecs/buildspec-dev.yml (1 warning)",
        f"           {BROKEN_ERROR}",
        "           buildspecs/buildspec-dev.yml:4:5: warning: unknown key 'phases.build.command' ignored",
        "  SKIPPED  dev build buildspecs/buildspec-dev.yml (validation failed)",
        REFUSED,
    ]
    assert not (project.work / ".simulator").exists()


def test_with_run_dev_and_no_dev_buildspec_the_push_is_refused_with_the_way_out(project):
    install(project, "--run", "dev")
    project.git("mv", "buildspecs/buildspec-dev.yml", "buildspecs/buildspec-prod.yml")
    sha = project.commit("only prod")

    pushed = project.push("origin", "main")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (2 changed file(s)), mode dev:",
        "  PASS     buildspecs/buildspec-prod.yml",
        "  FAIL     dev build (no buildspec-dev.yml or buildspec.yml: install the hook with --file)",
        REFUSED,
    ]


def test_with_run_pipeline_a_failed_validation_skips_the_pipeline(project):
    install(project, "--run", "pipeline")
    project.write("stages/pipeline.yml", "name: shop\nstages: []\n")
    sha = project.commit("a pipeline without stages")

    pushed = project.push("origin", "main")

    assert pushed.code == 1
    assert pushed.hook_lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode pipeline:",
        "  FAIL     stages/pipeline.yml",
        "           stages/pipeline.yml:1:1: error: a pipeline needs at least 2 stages (a source stage and another); "
        "it has 0",
        "  SKIPPED  pipeline stages/pipeline.yml (validation failed)",
        REFUSED,
    ]
