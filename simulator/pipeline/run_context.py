"""Opening what every pipeline run of this process shares (the engine, the state folder and its store, the masker,
the console, the stop token, the value source, the gate policy), with the store closed however the run ends.

`pipeline run`, `approve`, `retry` and the pre-push hook's `--run pipeline` open it the same way; each says what it
was asked in typed values (the answers given in advance, where values come from), never in its own flags.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from simulator.cancellation import CancelToken
from simulator.codebuild.aws_values import AwsTarget
from simulator.codebuild.value_source_choice import value_source
from simulator.container.engine import connect
from simulator.ownership import user_name
from simulator.pipeline.approvals.gate import GateAnswers
from simulator.pipeline.start_and_resume import RunContext
from simulator.pipeline.store import PipelineStore
from simulator.pipeline.views.console import SharedConsole
from simulator.reporting.masking import Masker
from simulator.state import STATE_DIR_NAME, StateFolder


@dataclass(frozen=True)
class ValuesFrom:
    """Where parameter-store and secrets-manager values come from: the values file (None: the state folder's
    default, when it exists) or AWS. Both given is refused."""

    values_file: Path | None = None
    aws: AwsTarget | None = None


@contextmanager
def open_run_context(
    repository: Path, masker: Masker, gates: GateAnswers, values: ValuesFrom = ValuesFrom()
) -> Iterator[RunContext]:
    """The context of runs whose records live in `repository`'s state folder."""
    state = StateFolder(repository / STATE_DIR_NAME)
    source = value_source(values.aws, values.values_file, state, masker, values_flag="--values")
    client = connect()
    store = PipelineStore(state, masker=masker)
    try:
        yield RunContext(
            client=client,
            state=state,
            store=store,
            masker=masker,
            console=SharedConsole(sys.stdout),
            cancel=CancelToken(),
            value_source=source,
            gates=gates.policy(user_name()),
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    finally:
        store.close()
