"""Refusals named after CodePipeline's own exceptions, so a script written against the API reads them alike.

Each is the user's input (exit 2): the execution, the gate or the answer they named is not one that can take it.
The message starts with the exception's name, as the AWS CLI prints `An error occurred (Name) ...`.
"""

from __future__ import annotations

from simulator.errors import InputError


class PipelineStoreError(InputError):
    code = "ValidationException"

    def __init__(self, sentence: str) -> None:
        super().__init__(f"{self.code}: {sentence}")


class PipelineExecutionNotFoundException(PipelineStoreError):
    code = "PipelineExecutionNotFoundException"


class StageNotFoundException(PipelineStoreError):
    code = "StageNotFoundException"


class ActionNotFoundException(PipelineStoreError):
    code = "ActionNotFoundException"


class InvalidApprovalTokenException(PipelineStoreError):
    """No gate waits that the answer could be for (the execution is past it, or not at one)."""

    code = "InvalidApprovalTokenException"


class ApprovalAlreadyCompletedException(PipelineStoreError):
    """The gate was answered already, timed out or was superseded."""

    code = "ApprovalAlreadyCompletedException"


class ValidationException(PipelineStoreError):
    code = "ValidationException"


class StageNotRetryableException(PipelineStoreError):
    """CP §1.10/CP §1.11: the stage is not failed, or a newer execution has entered it since."""

    code = "StageNotRetryableException"
