"""Artifact selection: CB §1.9 (files, base-directory, discard-paths, exclude-paths)."""

import errno
import io
import os
import shutil
import tarfile

import pytest

from simulator.buildspec.model import ArtifactSpec
from simulator.codebuild.artifacts import (
    ArtifactPathError,
    HostDiskFull,
    HostWriteError,
    SelectedFile,
    extract_selected,
    matches,
    pattern_problem,
    pattern_warning,
    select,
)

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


# -- globs that do not parse, or that parse and match nothing (doublestar's rules for `[...]`) -----------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("out/[z-a]", "out/z", False),
        ("out/[z-a]", "out/b", False),
        ("out/[!z-a]", "out/b", True),
        ("out/[z-ab]", "out/b", True),
        ("out/[!a]", "out/b", True),
        ("out/[^a]", "out/a", False),
        ("out/[a!]", "out/!", True),
        ("out/[\\]]", "out/]", True),
        ("out/[a-]", "out/-", True),
        ("out/[abc", "out/[abc", True),
        ("out/[\\d]", "out/5", False),
    ],
)
def test_character_classes_follow_doublestar(pattern, path, expected):
    assert matches(pattern, path) is expected


def test_a_reversed_range_selects_nothing_and_says_why_when_asked():
    assert select(spec(files=["out/[z-a]"]), ["out/a", "out/z"]) == []
    assert pattern_problem("out/[z-a]") is None
    assert pattern_warning("out/[z-a]") == (
        "the range 'z-a' in the artifact path 'out/[z-a]' is reversed and matches no character"
    )
    assert pattern_warning("out/[a-z]") is None


@pytest.mark.parametrize(("pattern", "klass"), [("out/[]", "[]"), ("out/[!]", "[!]"), ("[]x]", "[]")])
def test_an_empty_character_class_is_a_syntax_error_named_in_one_sentence(pattern, klass):
    message = f"syntax error in the artifact path pattern {pattern!r}: {klass!r} is an empty character class"
    assert pattern_problem(pattern) == message
    with pytest.raises(ArtifactPathError) as raised:
        select(spec(files=["ok.txt", pattern]), ["ok.txt"])
    assert str(raised.value) == message


@pytest.mark.parametrize("field", ["base-directory", "exclude-paths"])
def test_a_syntax_error_in_any_glob_of_the_section_is_raised_even_with_no_files(field):
    fields = {"base-directory": "out/[]"} if field == "base-directory" else {"exclude-paths": ["out/[]"]}
    with_bad_glob = spec(**fields)
    with pytest.raises(ArtifactPathError, match="'out/\\[\\]'"):
        select(with_bad_glob, [], with_bad_glob.exclude_paths)


# -- extracting: collisions, a destination that is a file, a host that cannot write ---------------------------


def tar_of(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size, info.mode = len(content), 0o644
            tar.addfile(info, io.BytesIO(content))
    return io.BytesIO(buffer.getvalue())


def tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


COLLIDING = ["a/x", "b/x/y", "c/z"]


def test_a_file_where_another_base_directory_needs_a_folder_is_a_typed_error_and_the_rest_is_written(tmp_path):
    selection = select(spec(**{"base-directory": "*"}), COLLIDING)
    assert [item.destination for item in selection] == ["x", "x/y", "z"]
    archive = tar_of({"a/x": b"file", "b/x/y": b"needs x as a folder", "c/z": b"Z"})
    destination = tmp_path / "artifacts"
    with pytest.raises(ArtifactPathError) as raised:
        extract_selected(archive, selection, destination, None)
    assert str(raised.value) == (
        "the artifact path 'x/y' needs a folder 'x' where there is already a file of that name"
    )
    assert tree(destination) == ["x", "z"]
    assert (destination / "x").read_bytes() == b"file"
    assert tree(tmp_path) == ["artifacts", "artifacts/x", "artifacts/z"]


def test_a_folder_where_another_base_directory_has_a_file_is_a_typed_error(tmp_path):
    selection = select(spec(**{"base-directory": "*"}), COLLIDING)
    # The folder's file comes first in the archive this time.
    archive = tar_of({"b/x/y": b"Y", "a/x": b"file", "c/z": b"Z"})
    destination = tmp_path / "artifacts"
    with pytest.raises(ArtifactPathError) as raised:
        extract_selected(archive, selection, destination, None)
    assert str(raised.value) == "the artifact file 'x' has the name of a folder that holds other artifact files"
    assert tree(destination) == ["x", "x/y", "z"]
    assert (destination / "x/y").read_bytes() == b"Y"


def test_a_hard_link_to_a_skipped_file_is_skipped_with_it(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("./b/x/y", "./a/x"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"1"))
        hard = tarfile.TarInfo("./c/z")
        hard.type, hard.linkname = tarfile.LNKTYPE, "./a/x"
        tar.addfile(hard)
    selection = select(spec(**{"base-directory": "*"}), COLLIDING)
    with pytest.raises(ArtifactPathError, match="'x'"):
        extract_selected(io.BytesIO(buffer.getvalue()), selection, tmp_path, None)
    assert tree(tmp_path) == ["x", "x/y"]


def test_a_link_left_in_the_destination_is_never_followed_out_of_it(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    destination = tmp_path / "artifacts"
    destination.mkdir()
    (destination / "x").symlink_to(outside)
    with pytest.raises(ArtifactPathError) as raised:
        extract_selected(tar_of({"b/x/y": b"Y"}), [SelectedFile("b/x/y", "x/y")], destination, None)
    assert str(raised.value) == "the artifact path 'x/y' goes through 'x', a link on the host"
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape", "/etc/escape", "a/../../escape"])
def test_a_destination_path_leaving_the_folder_is_refused(tmp_path, name):
    destination = tmp_path / "artifacts"
    with pytest.raises(ArtifactPathError) as raised:
        extract_selected(tar_of({"src": b"S"}), [SelectedFile("src", name)], destination, None)
    assert str(raised.value) == f"the artifact path {name!r} would lie outside the artifact folder"
    assert tree(tmp_path) == ["artifacts"]


@pytest.mark.parametrize("below", ["", "sub/dir"])
def test_a_destination_below_an_existing_file_is_a_typed_error(tmp_path, below):
    blocking = tmp_path / "taken"
    blocking.write_text("mine")
    destination = blocking / below if below else blocking
    with pytest.raises(ArtifactPathError) as raised:
        extract_selected(tar_of({"a": b"A"}), [SelectedFile("a", "a")], destination, None)
    assert (
        str(raised.value) == f"the artifacts folder {str(destination)!r} cannot be created: {str(blocking)!r} is a file"
    )
    assert blocking.read_text() == "mine"


def failing_copy(error_number):
    def copy(source, target, *args, **kwargs):
        target.write(source.read(2))
        raise OSError(error_number, os.strerror(error_number))

    return copy


def test_a_full_host_disk_is_its_own_error_and_keeps_the_files_already_written(tmp_path, monkeypatch):
    archive = tar_of({"out/a": b"AAAA", "out/b": b"BBBB", "out/c": b"CCCC"})
    selection = [SelectedFile(f"out/{n}", n) for n in "abc"]
    real_copy = shutil.copyfileobj
    calls = []

    def copy_then_fill_up(source, target, *args, **kwargs):
        calls.append(target.name)
        if len(calls) == 2:
            return failing_copy(errno.ENOSPC)(source, target)
        return real_copy(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfileobj", copy_then_fill_up)
    with pytest.raises(HostDiskFull) as raised:
        extract_selected(archive, selection, tmp_path, None)
    assert (
        str(raised.value) == f"the host disk is full: the artifact file 'b' could not be written to {str(tmp_path)!r}"
    )
    assert tree(tmp_path) == ["a"]
    assert (tmp_path / "a").read_bytes() == b"AAAA"


def test_any_other_host_refusal_is_a_host_write_error_in_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "copyfileobj", failing_copy(errno.EROFS))
    with pytest.raises(HostWriteError) as raised:
        extract_selected(tar_of({"a": b"A"}), [SelectedFile("a", "a")], tmp_path, None)
    assert not isinstance(raised.value, HostDiskFull)
    assert str(raised.value) == (
        f"the artifact file 'a' could not be written to {str(tmp_path)!r}: Read-only file system"
    )
    assert tree(tmp_path) == []
