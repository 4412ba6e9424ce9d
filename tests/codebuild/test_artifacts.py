"""Artifact selection: codebuild-semantics §1.9 (files, base-directory, discard-paths, exclude-paths)."""

import io
import os
import tarfile

import pytest

from simulator.buildspec.model import ArtifactSpec
from simulator.codebuild.artifacts import SelectedFile, extract_selected, matches, select

DOC_TREE = [
    "my-build-1/my-file-1.txt",
    "my-build-2/my-file-2.txt",
    "my-build-2/my-subdirectory/my-file-3.txt",
]


def spec(**fields):
    return ArtifactSpec.model_validate({"files": ["**/*"], **fields})


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/*", "a", True),
        ("**/*", "a/b/c.txt", True),
        ("**/*", ".hidden/x", True),
        ("dir/*", "dir/a", True),
        ("dir/*", "dir/sub/a", False),
        ("dir/**/*", "dir/sub/a", True),
        ("*.txt", "a.txt", True),
        ("*.txt", "sub/a.txt", False),
        ("./target/app.jar", "target/app.jar", True),
        ("file?.txt", "file1.txt", True),
        ("file[0-9].txt", "fileA.txt", False),
    ],
)
def test_glob_forms(pattern, path, expected):
    assert matches(pattern, path) is expected


def test_doc_example_base_directory_keeps_structure_below_it():
    chosen = select(spec(files=["*/my-file-3.txt"], **{"base-directory": "my-build-2"}), DOC_TREE)
    assert chosen == [SelectedFile("my-build-2/my-subdirectory/my-file-3.txt", "my-subdirectory/my-file-3.txt")]


def test_doc_example_glob_base_directory_with_discard_paths():
    chosen = select(spec(**{"base-directory": "my-build*", "discard-paths": "yes"}), DOC_TREE)
    assert [c.destination for c in chosen] == ["my-file-1.txt", "my-file-2.txt", "my-file-3.txt"]


def test_exclude_paths_drop_dot_files():
    files = ["app.py", ".env", "pkg/.cache", "pkg/mod.py"]
    with_excludes = spec(**{"exclude-paths": ["**/.*"]})
    chosen = select(with_excludes, files, with_excludes.exclude_paths)
    assert [c.destination for c in chosen] == ["app.py", "pkg/mod.py"]


def test_a_plain_directory_name_takes_everything_under_it():
    chosen = select(spec(files=["dist"]), ["dist/index.html", "dist/js/app.js", "distribution.txt"])
    assert [c.source for c in chosen] == ["dist/index.html", "dist/js/app.js"]


def test_no_match_selects_nothing():
    assert select(spec(files=["imagedefinitions.json"]), DOC_TREE) == []


def test_extract_writes_selected_files_under_their_destination(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in {"./out/a.txt": b"A", "./out/b.txt": b"B"}.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), 0o640
            tar.addfile(info, io.BytesIO(content))
    extract_selected(io.BytesIO(buffer.getvalue()), [SelectedFile("out/a.txt", "nested/a.txt")], tmp_path, None)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "nested",
        "nested/a.txt",
    ]
    assert (tmp_path / "nested/a.txt").read_bytes() == b"A"
    assert os.stat(tmp_path / "nested/a.txt").st_mode & 0o777 == 0o640


def test_a_second_path_to_the_same_file_is_copied_and_links_never_reach_the_host(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("./out/real.txt")
        info.size, info.mode = 4, 0o644
        tar.addfile(info, io.BytesIO(b"real"))
        hard = tarfile.TarInfo("./out/same.txt")
        hard.type, hard.linkname, hard.mode = tarfile.LNKTYPE, "./out/real.txt", 0o644
        tar.addfile(hard)
        soft = tarfile.TarInfo("./out/host.txt")
        soft.type, soft.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(soft)
    selection = [SelectedFile(f"out/{n}", n) for n in ("real.txt", "same.txt", "host.txt")]
    extract_selected(io.BytesIO(buffer.getvalue()), selection, tmp_path, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.txt", "same.txt"]
    assert (tmp_path / "same.txt").read_bytes() == b"real"
