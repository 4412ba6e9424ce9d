"""What `pipeline run` prints and exits with once an execution ends, for the endings of CP §1.10 (no Docker)."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.cli.commands.pipeline.run import ENDINGS, report
from simulator.errors import ExitCode
from simulator.pipeline.executor import ExecutionResult, RunEnding
from simulator.pipeline.start_and_resume import RunOutcome
from simulator.reporting.masking import Masker


def test_every_way_a_run_ends_has_its_exit_code():
    assert set(ENDINGS) == set(RunEnding)


def test_a_superseded_run_says_by_whom_and_exits_5(capsys):
    """CP §1.10 SUPERSEDED.3: the one superseded while waiting in front of a stage says so on its console."""
    why = "Superseded by execution e-3, which arrived in front of stage Build (CP §1.10)"
    outcome = RunOutcome("e-2", ExecutionResult(RunEnding.SUPERSEDED, "Build", None, why))
    assert report(outcome, SimpleNamespace(masker=Masker())) == ExitCode.SUPERSEDED == 5
    assert capsys.readouterr().out == f"Execution e-2 Superseded at Build: {why}\n"


def test_the_run_that_superseded_another_names_it(capsys):
    outcome = RunOutcome("e-3", ExecutionResult(RunEnding.SUCCEEDED), superseded=("e-2",))
    assert report(outcome, SimpleNamespace(masker=Masker())) == ExitCode.SUCCEEDED
    assert capsys.readouterr().out == (
        "Execution e-2 was waiting where this execution arrived: it is Superseded (CP §1.10).\n"
        "Execution e-3 Succeeded.\n"
    )
