"""The state folder: its layout, atomic writes and the locked build counter (pure logic, no Docker)."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from simulator.errors import EnvironmentProblem, InputError
from simulator.state import StateFolder, project_name_from_folder, write_atomic


def test_build_numbers_count_per_project(tmp_path):
    state = StateFolder(tmp_path / ".simulator")
    assert [state.next_build_number("shop"), state.next_build_number("shop"), state.next_build_number("cart")] == [
        1,
        2,
        1,
    ]
    assert json.loads(state.build_numbers_file.read_text()) == {"shop": 2, "cart": 1}


def test_build_numbers_taken_from_many_threads_are_all_distinct(tmp_path):
    state = StateFolder(tmp_path / ".simulator")
    taken: list[int] = []
    threads = [threading.Thread(target=lambda: taken.append(state.next_build_number("shop"))) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(1, 41))


def _take_numbers(root: str, count: int, queue: multiprocessing.Queue) -> None:
    state = StateFolder(Path(root))
    for _ in range(count):
        queue.put(state.next_build_number("shop"))


def test_build_numbers_taken_from_several_processes_are_all_distinct(tmp_path):
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_take_numbers, args=(str(tmp_path), 15, queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(queue.get(timeout=5) for _ in range(45)) == list(range(1, 46))


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "it is not JSON"),
        ('["shop"]', "it is not a mapping of project names to build numbers"),
        ('{"shop": "7"}', "it is not a mapping of project names to build numbers"),
    ],
)
def test_a_corrupt_counter_is_refused_not_reset(tmp_path, content, why):
    state = StateFolder(tmp_path)
    state.build_numbers_file.write_text(content)
    with pytest.raises(EnvironmentProblem) as raised:
        state.next_build_number("shop")
    assert str(raised.value) == (
        f"The build counter {state.build_numbers_file} cannot be used ({why}): fix it or delete it "
        "(numbering then restarts at 1)."
    )
    assert state.build_numbers_file.read_text() == content


@pytest.mark.parametrize("build_id", ["../../x:1", "shop:../../etc", "/abs:1", "shop:a/b"])
def test_a_build_folder_never_lies_outside_builds(tmp_path, build_id):
    with pytest.raises((InputError, ValueError)):
        StateFolder(tmp_path).build_dir(build_id)


def test_a_build_folder_is_named_after_the_build_id(tmp_path):
    state = StateFolder(tmp_path)
    assert state.build_dir("shop:0b6f-11") == tmp_path / "builds" / "shop:0b6f-11"


def test_atomic_write_replaces_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["summary.json"]


def test_atomic_write_on_a_full_disk_keeps_the_old_file_and_says_so(tmp_path, monkeypatch):
    target = tmp_path / "summary.json"
    target.write_text("old")

    def no_space(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(EnvironmentProblem) as raised:
        write_atomic(target, "new")
    assert str(raised.value) == f"The disk holding {tmp_path} is full: free some space and run again."
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["summary.json"]


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert (target.read_text(), target.stat().st_mode & 0o777) == ("new", 0o600)


def test_atomic_write_through_a_link_replaces_the_file_it_names_and_keeps_the_link(tmp_path):
    (tmp_path / "real.json").write_text("old")
    link = tmp_path / "summary.json"
    link.symlink_to("real.json")
    write_atomic(link, "new")
    assert link.is_symlink()
    assert (tmp_path / "real.json").read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["real.json", "summary.json"]


def test_atomic_write_into_a_fifo_writes_through_it(tmp_path):
    # `--summary-json /dev/stdout` or a FIFO cannot be replaced by a rename: the content is written into it.
    fifo = tmp_path / "summary.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "new\n")
    reader.join(timeout=10)
    assert received == ["new\n"]
    assert sorted(os.listdir(tmp_path)) == ["summary.fifo"]


@pytest.mark.parametrize(
    ("folder", "project"),
    [("shop", "shop"), ("my shop!", "my-shop"), ("é", "local-project"), ("-xy-", "xy"), ("a", "local-project")],
)
def test_default_project_names_are_valid(folder, project):
    assert project_name_from_folder(Path(folder)) == project
