"""CP §1.4, CP §1.7: a source action takes the local repository; its variables have the
provider's names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from simulator.errors import InputError
from simulator.pipeline.actions.source import export_source, resolve_revision, source_variables
from simulator.pipeline.model import Action, ActionType, Category, Where

GIT = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]


def git(repo: Path, *args: str, date: str = "2024-05-21T18:45:42+02:00") -> str:
    environ = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"}
    command = [*GIT, "-C", str(repo), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=environ).stdout


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.txt").write_text("v1\n")
    (repo / ".gitignore").write_text("ignored.txt\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "First version\n\nWith a body.")
    (repo / "app.txt").write_text("v2, not committed\n")
    (repo / "new.txt").write_text("untracked\n")
    (repo / "ignored.txt").write_text("ignored\n")
    return repo


def action(provider: str, **configuration: str) -> Action:
    category = Category.SOURCE
    owner = "ThirdParty" if provider == "GitHub" else "AWS"
    return Action("Source", ActionType(category, owner, provider), Where(Path("p.yml")), configuration=configuration)


def test_head_is_taken_by_default_and_its_tree_is_the_artifact(repo, tmp_path):
    revision = resolve_revision(repo)
    assert revision.commit == git(repo, "rev-parse", "HEAD").strip()
    assert (revision.message, revision.author_date, revision.local_branch) == (
        "First version\n\nWith a body.",
        "2024-05-21T16:45:42Z",
        "main",
    )
    out = tmp_path / "out"
    export_source(repo, revision, out)
    # The commit's files only: no uncommitted change, no .git (a CODE_ZIP artifact has none, CP §1.4).
    assert sorted(p.name for p in out.iterdir()) == [".gitignore", "app.txt"]
    assert (out / "app.txt").read_text() == "v1\n"


def test_the_worktree_takes_uncommitted_files_but_not_ignored_ones(repo, tmp_path):
    out = tmp_path / "out"
    export_source(repo, resolve_revision(repo, worktree=True), out)
    assert sorted(p.name for p in out.iterdir()) == [".gitignore", "app.txt", "new.txt"]
    assert (out / "app.txt").read_text() == "v2, not committed\n"


def test_an_unknown_revision_is_one_sentence(repo):
    with pytest.raises(InputError) as raised:
        resolve_revision(repo, "no-such-branch")
    assert str(raised.value) == (
        f"The source revision 'no-such-branch' is not a commit of the repository {repo}: pass a branch, tag or "
        "commit that exists (or commit first)."
    )


def test_github_v1_variables(repo):
    revision = resolve_revision(repo)
    variables = source_variables(action("GitHub", Owner="shop", Repo="platform", Branch="release"), revision)
    assert variables == {
        "CommitId": revision.commit,
        "CommitMessage": "First version\n\nWith a body.",
        "AuthorDate": "2024-05-21T16:45:42Z",
        "CommitterDate": "2024-05-21T16:45:42Z",
        "CommitUrl": f"https://github.com/shop/platform/commit/{revision.commit}",
        "RepositoryName": "platform",
        "BranchName": "release",  # what the cloud would report: the configured branch
    }


def test_connection_variables(repo):
    revision = resolve_revision(repo)
    arn = "arn:aws:codestar-connections:us-east-1:000000000000:connection/x"
    variables = source_variables(
        action("CodeStarSourceConnection", ConnectionArn=arn, FullRepositoryId="shop/platform", BranchName="main"),
        revision,
    )
    assert sorted(variables) == [
        "AuthorDate",
        "BranchName",
        "CommitId",
        "CommitMessage",
        "ConnectionArn",
        "FullRepositoryName",
    ]
    assert (variables["FullRepositoryName"], variables["ConnectionArn"]) == ("shop/platform", arn)


def test_s3_variables_change_with_the_content(repo):
    revision = resolve_revision(repo)
    assert source_variables(action("S3", S3Bucket="b", S3ObjectKey="k.zip"), revision) == {
        "ETag": revision.tree,
        "VersionId": revision.commit,
    }
