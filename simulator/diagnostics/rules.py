"""Every check's rule id and what it checks: one id per kind of check, as SARIF's `tool.driver.rules` lists them
and `validate --format json|sarif|github` names them. Modules that report a problem take their id from here."""

from __future__ import annotations

# The buildspec's schema and the semantic checks it holds (CB §1, CB §2).
BUILDSPEC_SYNTAX = "buildspec/syntax"
BUILDSPEC_SCHEMA = "buildspec/schema"
BUILDSPEC_UNKNOWN_KEY = "buildspec/unknown-key"
BUILDSPEC_VARIABLE_NAME = "buildspec/variable-name"
REPORT_FILE_FORMAT = "buildspec/report-file-format"
EXPORTED_VARIABLE = "buildspec/exported-variable"
ON_FAILURE = "buildspec/on-failure"
PHASE_COMMANDS = "buildspec/phase-commands"
# What a buildspec asks of its image (CB §1.3, CB §1.4, CB §6).
RUNTIME_VERSION = "buildspec/runtime-version"
RUN_AS_USER = "buildspec/run-as-user"
SHELL_UNDOCUMENTED = "buildspec/shell-undocumented"
SHELL_MISSING = "buildspec/shell-missing"
SECONDARY_ARTIFACT = "buildspec/secondary-artifact"
# The pipeline (CP §1, CP §3, CP §7 item 1).
PIPELINE_SCHEMA = "pipeline/schema"
PIPELINE_STRUCTURE = "pipeline/structure"
APPROVAL_IN_SOURCE_STAGE = "pipeline/approval-in-source-stage"
BUILDSPEC_PATH = "pipeline/buildspec-path"
VARIABLE_REFERENCE = "pipeline/variable-reference"
BUILD_OUTPUTS = "pipeline/build-outputs"
INLINE_BUILDSPEC = "pipeline/inline-buildspec"
# The project's defaults (.simulator.yml or [tool.simulator] in pyproject.toml).
CONFIG_SYNTAX = "config/syntax"
CONFIG_SCHEMA = "config/schema"
CONFIG_PATH = "config/path"
FILE = "file/unreadable"

RULES: dict[str, str] = {
    BUILDSPEC_SYNTAX: "The buildspec is YAML a buildspec can be read from.",
    BUILDSPEC_SCHEMA: "The buildspec follows CodeBuild's buildspec reference.",
    BUILDSPEC_UNKNOWN_KEY: "A key the buildspec reference does not know is ignored.",
    BUILDSPEC_VARIABLE_NAME: "A variable name commands can read as $NAME.",
    REPORT_FILE_FORMAT: "A report group's file-format is one CodeBuild knows.",
    EXPORTED_VARIABLE: "An exported variable's name does not start with AWS_.",
    ON_FAILURE: "A phase's on-failure is ABORT, CONTINUE or a RETRY form with a count of 0 to 100.",
    PHASE_COMMANDS: "A pre_build, build or post_build phase that is present has commands.",
    RUNTIME_VERSION: "A runtime version the build image has.",
    RUN_AS_USER: "A run-as user the build image has.",
    SHELL_UNDOCUMENTED: "An env.shell CodeBuild documents for Linux (bash, /bin/sh).",
    SHELL_MISSING: "An env.shell the build image has.",
    SECONDARY_ARTIFACT: "A secondary artifact the pipeline action takes as an output.",
    PIPELINE_SCHEMA: "The pipeline file is a CloudFormation template or a native pipeline the simulator reads.",
    PIPELINE_STRUCTURE: "The pipeline follows CodePipeline's structural rules.",
    APPROVAL_IN_SOURCE_STAGE: "The first stage holds source actions only, never an approval.",
    BUILDSPEC_PATH: "A CodeBuild project's buildspec path exists in the repository.",
    VARIABLE_REFERENCE: "A #{Namespace.Variable} an earlier action exports.",
    BUILD_OUTPUTS: "Every output artifact of a CodeBuild action is one its buildspec produces.",
    INLINE_BUILDSPEC: "A project's inline buildspec is valid.",
    CONFIG_SYNTAX: "The project's settings file is YAML (or TOML) that can be read.",
    CONFIG_SCHEMA: "The project's settings use known keys with values their flags accept.",
    CONFIG_PATH: "A path in the project's settings exists (relative to the settings file's folder).",
    FILE: "The file can be read.",
}
