"""Which source a build's parameter-store and secrets-manager values come from: the local values file (the one
given, else the state folder's `parameters.yml` when it exists), or AWS when `--aws` asked for it. The same choice
for `run`, the pipeline commands and the pre-push hook (`plan` reads the local values file only, through
`local_values`); the AWS side is imported only when asked for."""

from __future__ import annotations

from pathlib import Path

from simulator.codebuild.aws_values import AwsTarget, connect_aws
from simulator.codebuild.parameters import LocalValues, ValueSource, load_values
from simulator.errors import InputError
from simulator.reporting.masking import Masker
from simulator.state import StateFolder


def value_source(
    aws: AwsTarget | None, values_file: Path | None, state: StateFolder, masker: Masker, *, values_flag: str
) -> ValueSource:
    """The source for this command's builds; with `--aws`, the credentials found are masked from here on."""
    if aws is not None:
        if values_file is not None:
            raise InputError(
                f"--aws and {values_flag} both say where parameter-store and secrets-manager values come from: "
                "give one."
            )
        source = connect_aws(aws)
        masker.add(source.credentials)
        return source
    return local_values(values_file, state)


def local_values(given: Path | None, state: StateFolder) -> LocalValues:
    if given is not None:
        if not given.exists():  # a folder or a FIFO gets the loader's own sentence
            raise InputError(f"The parameters file {given} does not exist: pass an existing file.")
        return load_values(given)
    return load_values(state.parameters_file) if state.parameters_file.is_file() else LocalValues()
