"""A source action, locally: the repository you run from, at the commit that would be pushed (CP §1.4, CP §1.7).

Every source provider (GitHub v1, CodeStarSourceConnection, CodeCommit, S3, ECR) takes the local git repository;
its output artifact is the tree at the revision, as a CODE_ZIP artifact is: files only, no `.git` (CP §1.4 notes).

Choices:
- The revision is HEAD by default (what `git push` would send), `--source-revision REF` otherwise; `--worktree`
  takes the working tree as it is, uncommitted files included (tracked and untracked-not-ignored, as `run`
  stages), and the output says so.
- Variables carry the cloud's names for the provider. `BranchName`, `RepositoryName`, `FullRepositoryName` and
  `ConnectionArn` come from the action's configuration (what the cloud would report), the commit's own values
  from git. An S3 source's `VersionId` is the commit id and its `ETag` the commit's tree id: both change exactly
  when the content does.
"""

from __future__ import annotations

import io
import shutil
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from simulator.container.host_git import run_git
from simulator.container.staging import source_files
from simulator.errors import InputError
from simulator.pipeline.model import Action


@dataclass(frozen=True)
class Revision:
    commit: str
    tree: str
    message: str
    author_date: str  # ISO 8601 in UTC, as CodePipeline writes it: 2024-05-21T16:45:42Z
    committer_date: str
    local_branch: str | None  # None on a detached HEAD
    worktree: bool = False  # the working tree's files, not the commit's


def resolve_revision(repository: Path, ref: str | None = None, *, worktree: bool = False) -> Revision:
    wanted = ref or "HEAD"
    completed = run_git(repository, "log", "-1", "--format=%H%x00%T%x00%aI%x00%cI%x00%B", wanted, "--")
    if completed is None or completed.returncode != 0:
        raise InputError(
            f"The source revision {wanted!r} is not a commit of the repository {repository}: "
            "pass a branch, tag or commit that exists (or commit first)."
        )
    commit, tree, author, committer, message = completed.stdout.decode(errors="replace").split("\0", 4)
    branch = run_git(repository, "symbolic-ref", "--quiet", "--short", "HEAD") if ref is None else None
    local_branch = branch.stdout.decode().strip() if branch is not None and branch.returncode == 0 else None
    return Revision(
        commit=commit,
        tree=tree,
        message=message.strip(),
        author_date=_utc(author),
        committer_date=_utc(committer),
        local_branch=local_branch,
        worktree=worktree,
    )


def export_source(repository: Path, revision: Revision, destination: Path) -> None:
    """The artifact's files: the commit's tree, or with `--worktree` what `run` would stage."""
    destination.mkdir(parents=True, exist_ok=True)
    if revision.worktree:
        for name in source_files(repository):
            source, target = repository / name, destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                target.symlink_to(source.readlink())
            elif source.is_file():
                shutil.copy2(source, target)
        return
    completed = run_git(repository, "archive", "--format=tar", revision.commit, timeout=600)
    if completed is None or completed.returncode != 0:
        reason = completed.stderr.decode(errors="replace").strip() if completed else "git did not run"
        raise InputError(f"Cannot export commit {revision.commit} of {repository}: {reason}.")
    with tarfile.open(fileobj=io.BytesIO(completed.stdout)) as archive:
        archive.extractall(destination, filter="tar")


def source_variables(action: Action, revision: Revision) -> dict[str, str]:
    """The output variables CP §1.4 lists for the action's provider."""
    config = action.configuration
    provider = action.type.provider
    commit = {
        "CommitId": revision.commit,
        "CommitMessage": revision.message,
        "AuthorDate": revision.author_date,
        "CommitterDate": revision.committer_date,
    }
    branch = config.get("Branch") or config.get("BranchName") or revision.local_branch or ""
    if provider == "GitHub":
        owner, repo = config.get("Owner", ""), config.get("Repo", "")
        return {
            **commit,
            "CommitUrl": f"https://github.com/{owner}/{repo}/commit/{revision.commit}",
            "RepositoryName": repo,
            "BranchName": branch,
        }
    if provider == "CodeStarSourceConnection":
        return {
            **_without(commit, "CommitterDate"),
            "BranchName": branch,
            "ConnectionArn": config.get("ConnectionArn", ""),
            "FullRepositoryName": config.get("FullRepositoryId", ""),
        }
    if provider == "CodeCommit":
        return {**commit, "RepositoryName": config.get("RepositoryName", ""), "BranchName": branch}
    if provider == "S3":
        return {"ETag": revision.tree, "VersionId": revision.commit}
    if provider == "ECR":
        repository = config.get("RepositoryName", "")
        tag = config.get("ImageTag", "latest")
        return {
            "RegistryId": "000000000000",
            "RepositoryName": repository,
            "ImageTag": tag,
            "ImageDigest": f"sha256:{revision.tree}",
            "ImageURI": f"000000000000.dkr.ecr.us-east-1.amazonaws.com/{repository}:{tag}",
        }
    return commit


def _without(values: Mapping[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in values.items() if key not in names}


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso.strip()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
