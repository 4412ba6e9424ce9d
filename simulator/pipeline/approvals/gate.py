"""A manual approval action, locally (CP §1.12): the execution stops at the gate until a person answers.

How the answer comes, in order: an answer given in advance (`--approve GATE`, `--approve-all`, `--reject GATE`),
else at this terminal (the prompt, which also takes an answer given meanwhile from another terminal), else nobody is
here to ask (no terminal, `--no-input`): the gate stays open, the run ends Waiting, and `pipeline approve` or
`pipeline reject` answers later. A gate is never passed without an answer; its expiry fails it, as in the cloud.

When the gate opens, the notification an SNS `NotificationArn` would receive is written to the log in its
documented shape, and `--notify-command` gets the same JSON on its standard input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from simulator.cancellation import CancelToken
from simulator.errors import InputError
from simulator.pipeline.approvals.history import earlier_action_lines
from simulator.pipeline.approvals.prompt import Answer, Wait, ask
from simulator.pipeline.executor import ActionContext, ActionOutcome
from simulator.pipeline.model import Pipeline
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus
from simulator.pipeline.store import (
    ActionRef,
    Approval,
    ApprovalAlreadyCompletedException,
    ApprovalResult,
    Execution,
    PipelineStore,
)

LOCAL_REGION = "us-east-1"
_ONE_PROMPT = threading.Lock()
NOTIFY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class GatePolicy:
    """How this run answers gates: in advance by name, at a terminal, or not at all (it stops there)."""

    approve: frozenset[str] = frozenset()  # "Stage/Action", a stage's name or an action's name
    reject: frozenset[str] = frozenset()
    approve_all: bool = False
    interactive: bool = False
    notify_command: str | None = None
    user: str = "local-user"
    # The descriptor the prompt reads; None: standard input, looked up when a gate asks (a run that never prompts
    # never touches it).
    answers_from: int | None = None


@dataclass(frozen=True)
class GateAnswers:
    """What a command says about gates before the run starts: answers given in advance by name, and whether it may
    prompt at all (`--no-input` never does)."""

    approve: frozenset[str] = frozenset()
    reject: frozenset[str] = frozenset()
    approve_all: bool = False
    no_input: bool = False
    notify_command: str | None = None

    def policy(self, user: str) -> GatePolicy:
        """The run's policy: a prompt only when input is allowed and standard input is a terminal, looked at once
        the run's context is open (a command refused before that never touches it)."""
        interactive = not self.no_input and sys.stdin is not None and sys.stdin.isatty()
        return GatePolicy(
            approve=self.approve,
            reject=self.reject,
            approve_all=self.approve_all,
            interactive=interactive,
            notify_command=self.notify_command,
            user=user,
        )


def gate_names(stage: str, action: str) -> set[str]:
    """What `--approve` and `--reject` may call a gate: Stage/Action, its stage's name or its own."""
    return {f"{stage}/{action}", stage, action}


def check_gate_names(pipeline: Pipeline, given: Iterable[str]) -> None:
    """A name given in advance that no gate has is a typo, which must not pass silently."""
    gates = [(stage.name, action.name) for stage, action in pipeline.actions() if action.is_approval]
    known = set().union(*(gate_names(stage, action) for stage, action in gates))
    for name in given:
        if name not in known:
            listed = ", ".join(f"{stage}/{action}" for stage, action in gates) or "none"
            raise InputError(f"No approval gate is named {name!r} (the pipeline's gates: {listed}).")


def run_gate(
    context: ActionContext,
    store: PipelineStore,
    ref: ActionRef,
    policy: GatePolicy,
    console: TextIO,
    log: Callable[[str], None],
    opened: Approval | None = None,
) -> ActionOutcome:
    """`opened`: the gate is open already (an earlier run stopped at it): it waits on with its token."""
    config = context.configuration
    gate = opened or store.open_gate(
        ref,
        custom_data=config.get("CustomData", ""),
        external_link=config.get("ExternalEntityLink", ""),
        notification_arn=config.get("NotificationArn", ""),
        timeout_minutes=context.action.timeout_minutes,
    )
    if opened is None:
        notification = sns_notification(context, gate)
        log(f"Approval notification: {json.dumps(notification)}")
        if policy.notify_command:
            _notify(policy.notify_command, notification, log)
    given = _in_advance(context, policy)
    if given is not None:
        return _answered(store, context, gate, given)
    if not policy.interactive:
        return ActionOutcome(ActionStatus.IN_PROGRESS, "waiting for an approval", external_id=gate.token)
    with _ONE_PROMPT:  # gates of one run-order group wait side by side, but ask at the terminal one at a time
        return _ask_here(context, store, gate, policy, console)


def _ask_here(
    context: ActionContext, store: PipelineStore, gate: Approval, policy: GatePolicy, console: TextIO
) -> ActionOutcome:
    answered = _answered_elsewhere(store, gate.token)  # while another gate was being asked
    if answered is not None:
        return _outcome(store.read_gate(gate.token))
    # The store masked what it holds when it wrote it; a secret the masker learnt since is masked here too.
    execution = store.execution(context.execution_id)
    console.write(store.masker.mask(describe(context, gate, execution, datetime.now(UTC))))
    closed = CancelToken()
    typed = ask(
        f"Approve {context.stage.name}/{context.action.name}?",
        answers_from=sys.stdin.fileno() if policy.answers_from is None else policy.answers_from,
        to=console,
        elsewhere=lambda: _answered_elsewhere(store, gate.token, closed),
        by=policy.user,
        wait=Wait(cancel=_Either(context.cancel, closed), expires_at=gate.expires_at.timestamp()),
    )
    if typed is None:
        return _after_wait(store, gate, context)
    return _answered(store, context, gate, typed)


def sns_notification(context: ActionContext, gate: Approval) -> dict[str, object]:
    """CP §1.12: the JSON CodePipeline publishes to the approval's SNS topic."""
    pipeline, stage, action = context.pipeline.name, context.stage.name, context.action.name
    console = f"https://console.aws.amazon.com/codesuite/codepipeline/pipelines/{pipeline}/view?region={LOCAL_REGION}"
    review = (
        f"https://console.aws.amazon.com/codesuite/codepipeline/pipelines/{pipeline}/executions/"
        f"{context.execution_id}/timeline?region={LOCAL_REGION}"
    )
    return {
        "region": LOCAL_REGION,
        "consoleLink": console,
        "approval": {
            "pipelineName": pipeline,
            "stageName": stage,
            "actionName": action,
            "token": gate.token,
            "expires": gate.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
            "externalEntityLink": gate.external_link or None,
            "approvalReviewLink": review,
            "customData": gate.custom_data or None,
        },
    }


def describe(context: ActionContext, gate: Approval, execution: Execution, now: datetime) -> str:
    """The prompt's preamble: the gate, what it asks, and what got the execution here (`execution`, as stored)."""
    lines = [f"\nApproval needed: stage {context.stage.name}, action {context.action.name}"]
    if gate.custom_data:
        lines.append(f"  {gate.custom_data}")
    if gate.external_link:
        lines.append(f"  Review: {gate.external_link}")
    lines.append(f"  Expires: {gate.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    history = earlier_action_lines(execution, context.stage.name, context.action.name, now)
    if history:
        lines += ["  What got the execution here:", *(f"    {line}" for line in history)]
    lines.append(
        f'  Or from another terminal: python -m simulator pipeline approve {context.execution_id} --summary "..."'
    )
    return "\n".join(lines) + "\n"


def _in_advance(context: ActionContext, policy: GatePolicy) -> Answer | None:
    given_names = gate_names(context.stage.name, context.action.name)
    if given_names & policy.reject:
        return Answer(False, "Rejected in advance (--reject)", policy.user)
    if policy.approve_all or given_names & policy.approve:
        return Answer(True, "Approved in advance (--approve)", policy.user)
    return None


def _answered(store: PipelineStore, context: ActionContext, gate: Approval, given: Answer) -> ActionOutcome:
    status = ApprovalStatus.APPROVED if given.approved else ApprovalStatus.REJECTED
    try:
        result = store.answer(context.execution_id, ApprovalResult(status, given.summary, given.by), token=gate.token)
        approval = result.approval
    except ApprovalAlreadyCompletedException:
        approval = _read(store, gate.token)  # someone else was first: theirs stands
    return _outcome(approval)


def _answered_elsewhere(store: PipelineStore, token: str, closed: CancelToken | None = None) -> Answer | None:
    """An answer given elsewhere; a gate closed without one (superseded, expired) ends the prompt instead."""
    approval = _read(store, token)
    if approval.status.is_answer:
        return Answer(approval.status is ApprovalStatus.APPROVED, approval.summary or "", approval.answered_by or "")
    if approval.status is not ApprovalStatus.WAITING and closed is not None:
        closed.cancel(str(approval.status))
    return None


class _Either:
    def __init__(self, *tokens: CancelToken) -> None:
        self._tokens = tokens

    @property
    def cancelled(self) -> bool:
        return any(token.cancelled for token in self._tokens)


def _after_wait(store: PipelineStore, gate: Approval, context: ActionContext) -> ActionOutcome:
    approval = _read(store, gate.token)
    if approval.status is ApprovalStatus.WAITING and context.cancel.cancelled:
        # Stopped at the prompt: the gate goes with its run (the store refuses answers to an ended execution).
        return ActionOutcome(ActionStatus.ABANDONED, "stopped while waiting for an approval", external_id=gate.token)
    return _outcome(approval)


def _outcome(approval: Approval) -> ActionOutcome:
    said = f"{approval.status} by {approval.answered_by}" + (f": {approval.summary}" if approval.summary else "")
    if approval.status is ApprovalStatus.APPROVED:
        return ActionOutcome(ActionStatus.SUCCEEDED, said, external_id=approval.token)
    if approval.status is ApprovalStatus.EXPIRED:
        return ActionOutcome(ActionStatus.FAILED, "The approval timed out before anyone answered.")
    if approval.status is ApprovalStatus.SUPERSEDED:
        return ActionOutcome(ActionStatus.ABANDONED, "Superseded: a newer execution reached this stage (CP §1.10).")
    if approval.status is ApprovalStatus.WAITING:
        return ActionOutcome(ActionStatus.IN_PROGRESS, "waiting for an approval", external_id=approval.token)
    return ActionOutcome(ActionStatus.FAILED, said, external_id=approval.token)


def _read(store: PipelineStore, token: str) -> Approval:
    return store.read_gate(token)


def _notify(command: str, notification: dict[str, object], log: Callable[[str], None]) -> None:
    try:
        completed = subprocess.run(
            command,
            shell=True,
            input=json.dumps(notification).encode(),
            capture_output=True,
            timeout=NOTIFY_TIMEOUT_SECONDS,
            check=False,
            env=os.environ.copy(),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log(f"--notify-command did not finish: {error}")
        return
    if completed.returncode != 0:
        log(f"--notify-command exited {completed.returncode}: {completed.stderr.decode(errors='replace').strip()}")
