"""Source staging: what a clone would hold, as one tar owned by root (pure file work, no Docker)."""

import subprocess
import tarfile

from simulator.container.staging import build_archive, default_source_dir, files_archive, resolved_commit, source_files


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def make_repo(root):
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print(1)\n")
    (root / ".gitignore").write_text("*.log\nnode_modules/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    (root / "debug.log").write_text("x")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "dep.js").write_text("x")
    (root / "new.txt").write_text("untracked")
    (root / ".simulator" / "builds").mkdir(parents=True)
    (root / ".simulator" / "builds" / "old.log").write_text("x")
    return root


def test_tracked_and_untracked_not_ignored_files_only(tmp_path):
    assert source_files(make_repo(tmp_path)) == [".gitignore", "new.txt", "src/app.py"]


def test_outside_a_repository_every_file_but_the_state_folder(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".simulator").mkdir()
    (tmp_path / ".simulator" / "b").write_text("x")
    assert source_files(tmp_path) == ["a.txt"]


def test_default_source_is_the_git_top_level(tmp_path):
    make_repo(tmp_path)
    assert default_source_dir(tmp_path / "src").resolve() == tmp_path.resolve()
    assert len(resolved_commit(tmp_path)) == 40


def test_archive_puts_the_tree_under_the_destination_owned_by_root(tmp_path):
    repo = make_repo(tmp_path)
    archive = build_archive(repo, source_files(repo), "/codebuild/output/src1/src", {"/etc/extra.crt": b"pem"})
    with archive as spool, tarfile.open(fileobj=spool) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == [
            "codebuild",
            "codebuild/output",
            "codebuild/output/src1",
            "codebuild/output/src1/src",
            "codebuild/output/src1/src/.gitignore",
            "codebuild/output/src1/src/new.txt",
            "codebuild/output/src1/src/src",
            "codebuild/output/src1/src/src/app.py",
            "etc",
            "etc/extra.crt",
        ]
        assert {(m.uid, m.gid) for m in members.values()} == {(0, 0)}
        assert tar.extractfile(members["etc/extra.crt"]).read() == b"pem"


def test_a_mounted_build_archive_names_no_source_folder(tmp_path):
    # Found by the adversarial pass: the folder entry of the source made the user's mounted folder root's, 0755.
    with (
        files_archive({"/usr/local/share/simulator/host-ca-bundle.crt": b"pem"}) as spool,
        tarfile.open(fileobj=spool) as tar,
    ):
        assert tar.getnames() == [
            "usr",
            "usr/local",
            "usr/local/share",
            "usr/local/share/simulator",
            "usr/local/share/simulator/host-ca-bundle.crt",
        ]


def test_a_mounted_build_without_own_files_gets_an_empty_archive():
    with files_archive({}) as spool, tarfile.open(fileobj=spool) as tar:
        assert tar.getnames() == []


def test_a_folder_the_repository_ignores_is_staged_whole(tmp_path):
    # Found running a pipeline: its artifacts live under the ignored .simulator/, and ls-files listed none of them.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(".simulator/\n")
    artifact = tmp_path / ".simulator" / "pipelines" / "shop" / "artifacts" / "SourceOutput"
    (artifact / "src").mkdir(parents=True)
    (artifact / "src" / "app.py").write_text("print()\n")
    (artifact / ".env.example").write_text("A=1\n")
    assert source_files(artifact) == [".env.example", "src/app.py"]
