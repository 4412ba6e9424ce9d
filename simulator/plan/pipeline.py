"""A pipeline's plan: stages in order, actions by run order with their inputs, outputs, namespaces, projects and
variables, and the gates (CP §1.3-§1.8, CP §1.12), from the model both loaders make."""

from __future__ import annotations

from dataclasses import replace

from simulator.codebuild.parameters import LocalValues
from simulator.pipeline.actions.codebuild import ActionInputError, parse_action_variables
from simulator.pipeline.checks import KNOWN_PROVIDERS, SKIPPED
from simulator.pipeline.model import DEFAULT_APPROVAL_TIMEOUT_MINUTES, Action, Pipeline, VariableType
from simulator.plan.build import typed_variables
from simulator.plan.model import ActionPlan, GatePlan, PipelinePlan, ProjectPlan, StagePlan, Variable
from simulator.reporting.masking import Masker

# Configuration keys shown by other fields of the plan: not repeated under configuration.
_SHOWN_ELSEWHERE = frozenset({"ProjectName", "PrimarySource", "EnvironmentVariables"})
_GATE_KEYS = frozenset({"CustomData", "ExternalEntityLink", "NotificationArn"})


def plan_pipeline(pipeline: Pipeline, path: str, values: LocalValues, masker: Masker) -> PipelinePlan:
    """`masker` gets the secrets the plan leaves out: the local values file's, and the NoEcho template parameters'
    values, which the plan itself holds only as `***`."""
    masker.add(pipeline.secret_values)
    noecho = Masker(pipeline.secret_values)
    return PipelinePlan(
        path=path,
        name=pipeline.name,
        pipeline_type=pipeline.pipeline_type.value,
        execution_mode=pipeline.execution_mode.value,
        variables=tuple((variable.name, variable.default) for variable in pipeline.variables),
        stages=tuple(
            StagePlan(
                stage.name,
                tuple(
                    _action(action, values, masker, noecho) for group in stage.run_order_groups() for action in group
                ),
            )
            for stage in pipeline.stages
        ),
    )


def _action(action: Action, values: LocalValues, masker: Masker, noecho: Masker) -> ActionPlan:
    action = replace(action, configuration={key: noecho.mask(value) for key, value in action.configuration.items()})
    project = action.project
    known = KNOWN_PROVIDERS.get(action.type.category, {}).get((action.type.owner, action.type.provider))
    environment, configuration = _environment(action, values, masker, noecho)
    hidden = _SHOWN_ELSEWHERE | (_GATE_KEYS if action.is_approval else frozenset())
    return ActionPlan(
        name=action.name,
        type=str(action.type),
        run_order=action.run_order,
        inputs=action.input_artifacts,
        outputs=action.output_artifacts,
        namespace=action.namespace,
        primary_source=action.primary_source if len(action.input_artifacts) > 1 else None,
        project=None
        if project is None
        else ProjectPlan(
            name=project.name,
            buildspec="inline buildspec" if project.buildspec_is_inline else project.buildspec or "buildspec.yml",
            image=project.image,
            timeout_minutes=project.timeout_minutes,
            privileged=project.privileged,
        ),
        environment=environment,
        gate=_gate(action),
        skipped=known == SKIPPED,
        configuration=tuple(
            sorted((k, v) for k, v in {**action.configuration, **configuration}.items() if k not in hidden)
        ),
    )


def _environment(
    action: Action, values: LocalValues, masker: Masker, noecho: Masker
) -> tuple[tuple[Variable, ...], dict[str, str]]:
    """CP §1.8: the project's variables overridden by the action's `EnvironmentVariables`; a value may still hold a
    `#{Namespace.Key}`, resolved when the action starts. Text that is not valid JSON is kept as configuration (the
    checks say what is wrong with it)."""
    project = action.project.environment_variables if action.project else ()
    try:
        given = parse_action_variables(action.configuration.get("EnvironmentVariables", "[]"))
    except ActionInputError:
        return (), {"EnvironmentVariables": action.configuration["EnvironmentVariables"]}
    merged: dict[str, Variable] = {}
    for origin, variables in (("project", project), ("action", given)):
        for variable in variables:
            if variable.type is VariableType.PLAINTEXT:
                merged[variable.name] = Variable(variable.name, noecho.mask(variable.value), origin)
                continue
            typed = variable.type is VariableType.PARAMETER_STORE
            parameters = {variable.name: variable.value} if typed else {}
            secrets = {} if typed else {variable.name: variable.value}
            merged.update(typed_variables(parameters, secrets, values, masker, f"{origin} "))
    return tuple(merged[name] for name in sorted(merged)), {}


def _gate(action: Action) -> GatePlan | None:
    if not action.is_approval:
        return None
    configuration = action.configuration
    return GatePlan(
        timeout_minutes=action.timeout_minutes or DEFAULT_APPROVAL_TIMEOUT_MINUTES,
        custom_data=configuration.get("CustomData"),
        link=configuration.get("ExternalEntityLink"),
        notification=configuration.get("NotificationArn"),
    )
