"""The script the agent runs for each command: CB §1.2 (0.1 vs 0.2, line 4)."""

import pytest

from simulator.codebuild.scripts import (
    ARCHIVE_BODY,
    ScriptFactory,
    ScriptSettings,
    archive_list,
    expand_body,
    parse_printed_variables,
    print_variables_body,
)
from simulator.container.protocol import EnvMode


def factory(version="0.2", shared=False):
    return ScriptFactory(ScriptSettings(version=version, shell="bash", shared_with_other_users=shared))


def test_v02_command_restores_and_saves_the_session_with_the_command_on_line_4():
    request = factory().command("make build", build_succeeding=False, user="codebuild-user")
    lines = request.script.split("\n")
    assert lines == [
        "trap 'export -p > /codebuild/output/tmp/env.sh; pwd > /codebuild/output/tmp/dir.txt' EXIT",
        ". /codebuild/output/tmp/env.sh; export CODEBUILD_BUILD_SUCCEEDING=0",
        'read -r __simulator_dir < /codebuild/output/tmp/dir.txt; cd "$__simulator_dir"; unset __simulator_dir; set -a',
        "make build",
        'set -- "$?"; export -p > /codebuild/output/tmp/env.sh; pwd > /codebuild/output/tmp/dir.txt; exit "$1"',
    ]
    assert (request.env_mode, request.shell, request.user) == (EnvMode.CLEAN, "bash", "codebuild-user")


def test_v01_command_starts_fresh_in_the_source_directory():
    request = factory("0.1").command("make", build_succeeding=True, user=None)
    assert request.script.split("\n") == [":", "export CODEBUILD_BUILD_SUCCEEDING=1", 'cd "$CODEBUILD_SRC_DIR"', "make"]
    assert request.env_mode is EnvMode.INHERIT


def test_saved_session_stays_writable_when_another_user_runs_commands():
    first_line = factory(shared=True).command("x", build_succeeding=True, user=None).script.split("\n")[0]
    assert first_line.endswith(
        "chmod 0666 /codebuild/output/tmp/env.sh /codebuild/output/tmp/dir.txt 2>/dev/null' EXIT"
    )


def test_requests_are_numbered_in_order():
    scripts = factory()
    ids = [scripts.start_session().request_id, scripts.command("a", build_succeeding=True, user=None).request_id]
    assert ids == [1, 2]


def test_variables_travel_nul_separated():
    body = print_variables_body(["TAG"])
    assert body == ['if [ "${TAG+set}" = set ]; then printf "%s\\0%s\\0" TAG "${TAG}"; fi']
    assert parse_printed_variables(b"TAG\0a b\nc\0EMPTY\0\0") == {"TAG": "a b\nc", "EMPTY": ""}


def test_archive_names_travel_nul_separated_and_anchored():
    assert archive_list(["a b.txt", "-x", "line\nbreak", "back\\slash"]) == (
        b"./a b.txt\0./-x\0./line\nbreak\0./back\\slash\0"
    )
    assert ARCHIVE_BODY == [
        "tar -c -h -f /codebuild/output/tmp/artifacts.tar --null --no-unquote -T /codebuild/output/tmp/artifacts.list"
    ]


def test_expansion_goes_through_an_unquoted_here_document_with_the_builds_terminator():
    name = 'app-$(date +"%Y")\\'
    assert expand_body(name, "END_1") == ["cat <<END_1", name, "", "END_1"]


@pytest.mark.parametrize(
    "command", ["echo a \\", "echo b &&", "false ||", "echo c |", "false && # why", "cat <<EOF\nunterminated"]
)
def test_a_command_that_continues_on_the_next_line_stays_the_last_line(command):
    script = factory().command(command, build_succeeding=True, user=None).script
    assert script.split("\n", 3)[3] == command


def test_a_complete_command_is_followed_by_the_session_save():
    lines = factory().command("echo '#' && echo done # fine", build_succeeding=True, user=None).script.split("\n")
    assert lines[3] == "echo '#' && echo done # fine"
    assert lines[4].startswith('set -- "$?"')
