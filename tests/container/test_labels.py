"""What counts as a leftover for `prune`: an object whose owner process is gone (pure logic, no Docker)."""

import os
import socket
import subprocess
import sys

from simulator.container.labels import container_name, is_leftover

HOST = socket.gethostname()


def dead_pid() -> str:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return finished.stdout.strip()


def test_a_running_owner_keeps_its_container():
    assert is_leftover({"simulator.owner-pid": str(os.getpid()), "simulator.owner-host": HOST}) is False


def test_a_dead_owner_leaves_a_leftover():
    assert is_leftover({"simulator.owner-pid": dead_pid(), "simulator.owner-host": HOST}) is True


def test_objects_of_another_host_are_kept_unless_asked():
    labels = {"simulator.owner-pid": "1", "simulator.owner-host": "another-host"}
    assert (is_leftover(labels), is_leftover(labels, include_other_hosts=True)) == (False, True)


def test_an_object_without_an_owner_is_a_leftover():
    assert is_leftover({"simulator.owner-host": HOST}) is True


def test_container_names_are_readable_and_bounded():
    assert container_name("shop:b1e6661e-e4f2-4156-9ab9-82a19e000000") == "simulator-shop-b1e6661e-e4f"
    assert container_name("a/b c" * 20 + ":u") == "simulator-" + ("a-b-c" * 8) + "-u"
