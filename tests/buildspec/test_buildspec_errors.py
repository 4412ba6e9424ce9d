from pathlib import Path

import pytest

from simulator.buildspec import Artifacts, BuildspecError, Phase, load_buildspec, parse_buildspec
from simulator.errors import ExitCode, InputError

PHASES = "install, pre_build, build, post_build"
ON_FAILURE_FORMS = "ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>"
REPORT_FORMATS = (
    "CUCUMBERJSON, JUNITXML, NUNITXML, NUNIT3XML, TESTNGXML, VISUALSTUDIOTRX, CLOVERXML, COBERTURAXML, "
    "JACOCOXML, SIMPLECOV"
)


def load_error(path: Path) -> BuildspecError:
    with pytest.raises(BuildspecError) as caught:
        load_buildspec(path)
    return caught.value


CASES = [
    pytest.param(
        "malformed_yaml",
        # PyYAML's problem mark (end of stream), plus where the unterminated quote began.
        [
            "buildspec.yml:8:1: error: invalid YAML: found unexpected end of stream "
            "(while scanning a quoted scalar at line 6, column 9)"
        ],
        id="malformed-yaml",
    ),
    pytest.param(
        "empty_file",
        ["buildspec.yml:1:1: error: the file is empty; a buildspec needs at least 'version' and 'phases'"],
        id="empty-file",
    ),
    pytest.param(
        "list_root",
        [
            "buildspec.yml:1:1: error: the buildspec must be a mapping of keys such as 'version' and 'phases', "
            "not a list"
        ],
        id="root-is-a-list",
    ),
    pytest.param(
        "scalar_root",
        [
            "buildspec.yml:1:1: error: the buildspec must be a mapping of keys such as 'version' and 'phases', "
            "not a single value"
        ],
        id="root-is-a-scalar",
    ),
    # CB §1.2: version is required; 0.1 and 0.2 are the only versions.
    pytest.param(
        "missing_version",
        ["buildspec.yml:2:1: error: version is required; start the file with 'version: 0.2'"],
        id="missing-version",
    ),
    pytest.param(
        "unsupported_version",
        ["buildspec.yml:1:10: error: version must be '0.1' or '0.2', got '0.3'"],
        id="unsupported-version",
    ),
    # CB §1.7: phases is required and its names are fixed.
    pytest.param("missing_phases", ["buildspec.yml:1:1: error: phases is required"], id="missing-phases"),
    pytest.param(
        "unknown_phase",
        [
            f"buildspec.yml:7:3: error: unknown phase 'biuld'; did you mean 'build'? Valid phases: {PHASES}",
            f"buildspec.yml:10:3: error: unknown phase 'deploy'; valid phases: {PHASES}",
        ],
        id="unknown-phase",
    ),
    # CB §1.7: commands is required in pre_build/build/post_build, optional in install.
    pytest.param(
        "missing_commands",
        [
            "buildspec.yml:8:5: error: phases.build.commands is required when the phase is present",
            "buildspec.yml:11:3: error: phases.post_build.commands is required when the phase is present",
        ],
        id="missing-commands",
    ),
    pytest.param(
        "commands_not_list",
        [
            "buildspec.yml:5:15: error: phases.build.commands must be a list, not a string; "
            "write each item on its own line starting with '- '",
            "buildspec.yml:7:7: error: phases.build.finally must be a list, not a mapping",
        ],
        id="commands-not-a-list",
    ),
    # CB §1.7 (YAML quoting): `- echo status: ok` is a mapping to YAML.
    pytest.param(
        "command_is_mapping",
        [
            "buildspec.yml:7:9: error: phases.build.commands[1] is a mapping, not a command: "
            "YAML read 'echo status: ok' as a key: value pair; put the whole command in quotes"
        ],
        id="command-is-a-mapping",
    ),
    # CB §1.9: files is required even when only secondary artifacts are used.
    pytest.param(
        "artifacts_without_files",
        ["buildspec.yml:8:3: error: artifacts.files is required"],
        id="artifacts-without-files",
    ),
    # CB §1.10: paths is required.
    pytest.param(
        "cache_without_paths", ["buildspec.yml:8:3: error: cache.paths is required"], id="cache-without-paths"
    ),
    # CB §2: the on-failure forms and the 0..100 count range.
    pytest.param(
        "bad_on_failure",
        [
            "buildspec.yml:5:17: error: phases.pre_build.on-failure 'IGNORE' is not valid: "
            f"expected {ON_FAILURE_FORMS}",
            "buildspec.yml:9:17: error: phases.build.on-failure 'RETRY-101' is not valid: "
            "the retry count must be between 0 and 100, got 101",
            "buildspec.yml:13:17: error: phases.post_build.on-failure 'RETRY-2-(unclosed' is not valid: "
            "the regex '(unclosed' does not compile (missing ), unterminated subpattern at position 0)",
        ],
        id="bad-on-failure",
    ),
    # CB §6.1: runtime-versions, when present, lists at least one runtime.
    pytest.param(
        "empty_runtime_versions",
        [
            "buildspec.yml:5:5: error: phases.install.runtime-versions must list at least one runtime "
            "(e.g. python: 3.12) when present"
        ],
        id="empty-runtime-versions",
    ),
    # CB §1.4: variables is a map name -> string.
    pytest.param(
        "variables_not_mapping",
        ["buildspec.yml:5:5: error: env.variables must be a mapping, not a list"],
        id="variables-not-a-mapping",
    ),
    # CB §1.4: names starting with AWS_ cannot be exported.
    pytest.param(
        "exported_aws_variable",
        [
            "buildspec.yml:6:7: error: env.exported-variables[1] names 'AWS_REGION', which cannot be exported: "
            "names starting with AWS_ are not exportable"
        ],
        id="exported-aws-variable",
    ),
    # CB §1.4, CB §4.2: the CODEBUILD_ prefix is reserved.
    pytest.param(
        "reserved_codebuild_variable",
        [
            "buildspec.yml:6:5: error: env.variables.CODEBUILD_BUILD_ID uses the reserved prefix CODEBUILD_; "
            "choose another variable name",
            "buildspec.yml:8:5: error: env.parameter-store.CODEBUILD_TOKEN uses the reserved prefix CODEBUILD_; "
            "choose another variable name",
        ],
        id="reserved-codebuild-variable",
    ),
    pytest.param(
        "duplicate_keys",
        [
            "buildspec.yml:7:3: error: duplicate key 'build' in phases; the first is at line 4",
            "buildspec.yml:13:5: error: duplicate key 'STAGE' in env.variables; the first is at line 12",
        ],
        id="duplicate-keys",
    ),
    pytest.param(
        "spaces_in_names",
        [
            "buildspec.yml:2:9: error: run-as must be a single Linux user name, without spaces",
            "buildspec.yml:4:10: error: env.shell must be a single shell name or path (bash, /bin/sh), without spaces",
        ],
        id="spaces-in-shell-and-user",
    ),
    pytest.param(
        "many_errors",
        [
            "buildspec.yml:10:5: error: phases.build.commands is required when the phase is present",
            f"buildspec.yml:13:17: error: phases.post_build.on-failure 'SOMETIMES' is not valid: "
            f"expected {ON_FAILURE_FORMS}",
            f"buildspec.yml:20:18: error: reports.unit.file-format must be one of {REPORT_FORMATS}, got 'JUNIT'",
            "buildspec.yml:21:20: error: reports.unit.discard-paths must be yes/no or true/false, got 'maybe'",
            "buildspec.yml:25:18: error: cache.fallback-keys may have at most 5 items, not 6",
        ],
        id="all-problems-at-once",
    ),
    # Issue 5 item 10: inputs that once ended as "unexpected internal error" or ran out of time and memory.
    pytest.param(
        "billion_laughs",
        ["buildspec.yml:6:10: error: aliases expand the document to more than 10,535 values; use fewer nested aliases"],
        id="billion-laughs",
    ),
    pytest.param(
        "self_merge",
        [
            "buildspec.yml:1:1: error: version is required; start the file with 'version: 0.2'",
            "buildspec.yml:1:1: error: phases is required",
            "buildspec.yml:2:1: error: '<<' merges the document into itself",
        ],
        id="mapping-merged-into-itself",
    ),
    pytest.param(
        "deep_nesting",
        ["buildspec.yml:4:112: error: the document nests deeper than 100 levels"],
        id="nesting-491-deep",
    ),
    pytest.param(
        "regex_overflow",
        [
            "buildspec.yml:4:17: error: phases.build.on-failure 'RETRY-3-a{4294967296}' is not valid: "
            "the regex 'a{4294967296}' does not compile (the repetition number is too large)"
        ],
        id="retry-regex-repeat-overflow",
    ),
    # A newline, CR or ANSI escape in a key is quoted, escaped: it can neither forge a line nor recolour one.
    pytest.param(
        "control_characters_in_keys",
        [
            f"buildspec.yml:8:3: error: unknown phase 'bu\\nild'; did you mean 'build'? Valid phases: {PHASES}",
        ],
        id="control-characters-in-keys",
    ),
    # Found by the review: these names became host folders, so a buildspec could write anywhere on the host.
    pytest.param(
        "names_that_are_paths",
        [
            "buildspec.yml:6:3: error: reports.../../../tmp/escape names '../../../tmp/escape', which is not a valid "
            "report group name (2 to 128 letters, digits, _ and -) or report group ARN",
            "buildspec.yml:11:5: error: artifacts.secondary-artifacts./tmp/victim names '/tmp/victim', which is not "
            "a valid artifact identifier (letters, digits, _ and -)",
        ],
        id="report-group-and-artifact-names-that-are-paths",
    ),
]


@pytest.mark.parametrize(("case", "expected"), CASES)
def test_invalid_buildspec_reports_every_error_with_file_line_column(fixture_buildspec, case, expected):
    error = load_error(fixture_buildspec(case))
    assert [diagnostic.format() for diagnostic in error.diagnostics] == expected


def test_warnings_survive_alongside_errors(fixture_buildspec):
    error = load_error(fixture_buildspec("many_errors"))
    assert [warning.format() for warning in error.warnings] == [
        "buildspec.yml:2:1: warning: unknown key 'enviroment' ignored",
        "buildspec.yml:10:5: warning: unknown key 'phases.build.comands' ignored",
    ]


def test_unknown_keys_are_warnings_and_the_build_goes_on(fixture_buildspec):
    # Documented policy (loader docstring): unknown keys outside `phases` are ignored with a warning.
    loaded = load_buildspec(fixture_buildspec("unknown_keys"))
    assert [warning.format() for warning in loaded.warnings] == [
        "buildspec.yml:2:1: warning: unknown key 'enviroment' ignored",
        "buildspec.yml:9:5: warning: unknown key 'phases.build.timeout' ignored",
        "buildspec.yml:13:3: warning: unknown key 'artifacts.compress' ignored",
    ]
    assert loaded.buildspec.phases.build == Phase(commands=("make",))
    assert loaded.buildspec.artifacts == Artifacts(files=("dist/**/*",))


def test_names_a_shell_cannot_read_are_warnings(fixture_buildspec):
    loaded = load_buildspec(fixture_buildspec("unreadable_variable_names"))
    assert [warning.format() for warning in loaded.warnings] == [
        "buildspec.yml:4:5: warning: env.variables.MY-VAR is not a shell variable name: commands cannot read it "
        "as $MY-VAR",
        "buildspec.yml:7:5: warning: env.parameter-store.2FA_KEY is not a shell variable name: commands cannot "
        "read it as $2FA_KEY",
    ]


def test_error_message_is_one_sentence_and_the_first_diagnostic(fixture_buildspec):
    error = load_error(fixture_buildspec("missing_commands"))
    assert str(error) == (
        "buildspec.yml has 2 errors; fix the buildspec and run again. "
        "First: buildspec.yml:8:5: error: phases.build.commands is required when the phase is present"
    )
    assert isinstance(error, InputError)
    assert error.exit_code == ExitCode.BAD_INPUT


def test_missing_file_is_a_buildspec_error(tmp_path, monkeypatch):
    # CB §1.1: a missing buildspec fails the build before any phase runs.
    monkeypatch.chdir(tmp_path)
    error = load_error(Path("buildspec.yml"))
    assert [d.format() for d in error.diagnostics] == [
        "buildspec.yml:1:1: error: cannot read the file: No such file or directory"
    ]


def test_non_utf8_file_is_a_buildspec_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("buildspec.yml").write_bytes(b"version: 0.2\nphases:\n  build:\n    commands: [\xff]\n")
    error = load_error(Path("buildspec.yml"))
    assert [d.format() for d in error.diagnostics] == ["buildspec.yml:4:1: error: the file is not UTF-8 text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            # An unquoted command with two ': ' is not even a mapping: PyYAML stops, and we say why.
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b: c\n",
            "b.yml:5:18: error: invalid YAML: mapping values are not allowed here; "
            "quote any command or value that contains ': '",
        ),
        ("\tversion: 0.2\n", "b.yml:1:1: error: invalid YAML: found character '\\t' that cannot start any token"),
        (
            "version: 0.2\n---\nphases: {}\n",
            "b.yml:2:1: error: invalid YAML: expected a single document in the stream but found another document",
        ),
        ("version: 0.2\nphases:\n", "b.yml:2:1: error: phases must be a mapping, not an empty value"),
        ("version: 0.2\nphases: [build]\n", "b.yml:2:9: error: phases must be a mapping, not a list"),
        (
            "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      -\n",
            "b.yml:6:8: error: phases.build.commands[1] is empty; write a command after the '-' or remove the item",
        ),
        (
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python:\n",
            "b.yml:5:7: error: phases.install.runtime-versions.python needs a value, e.g. 3.12, 3.x or latest",
        ),
        (
            "version: 0.2\nphases: {}\nartifacts:\n  files: []\n",
            "b.yml:4:10: error: artifacts.files must not be empty",
        ),
        (
            "version: 0.2\nphases: {}\ncache:\n  paths: [a]\n  action: both\n",
            "b.yml:5:11: error: cache.action must be 'restore' or 'save', got 'both'",
        ),
        (
            "version: 0.2\nphases: {}\nproxy:\n  logs: sometimes\n",
            "b.yml:4:9: error: proxy.logs must be yes/no or true/false, got 'sometimes'",
        ),
        (
            "version: 0.2\nenv:\n  exported-variables: IMAGE_TAG\nphases: {}\n",
            "b.yml:3:23: error: env.exported-variables must be a list, not a string; "
            "write each item on its own line starting with '- '",
        ),
        (
            "version: 0.2\n? [a, b]\n: x\nphases: {}\n",
            "b.yml:2:3: error: a key in the top level is a list, not text",
        ),
    ],
)
def test_inline_buildspec_errors(text, expected):
    with pytest.raises(BuildspecError) as caught:
        parse_buildspec(text, Path("b.yml"))
    assert [d.format() for d in caught.value.diagnostics] == [expected]


def test_braces_in_user_text_reach_the_message_unchanged():
    # The awk program must not be taken for a message template.
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - awk '{ print $2 }': x\n"
    with pytest.raises(BuildspecError) as caught:
        parse_buildspec(text, Path("b.yml"))
    assert caught.value.diagnostics[0].message == (
        "phases.build.commands[0] is a mapping, not a command: YAML read \"awk '{ print $2 }': x\" "
        "as a key: value pair; put the whole command in quotes"
    )


def test_control_characters_in_keys_are_escaped_in_warnings(fixture_buildspec):
    error = load_error(fixture_buildspec("control_characters_in_keys"))
    assert [warning.format() for warning in error.warnings] == [
        "buildspec.yml:2:1: warning: unknown key '['x\\nbuildspec.yml:1:1: error: forged']' ignored",
        "buildspec.yml:3:1: warning: unknown key '['\\x1b[31mred\\r']' ignored",
    ]
    assert all(warning.format().isprintable() for warning in error.warnings)


def test_an_empty_batch_section_does_not_stand_in_for_phases():
    with pytest.raises(BuildspecError) as caught:
        parse_buildspec("version: 0.2\nbatch:\n", Path("buildspec.yml"))
    assert [d.format() for d in caught.value.diagnostics] == ["buildspec.yml:1:1: error: phases is required"]
