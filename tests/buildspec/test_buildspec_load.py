import subprocess
import sys
from pathlib import Path

import pytest

from simulator.buildspec import (
    Artifacts,
    ArtifactSpec,
    BatchSection,
    BatchTask,
    BatchTaskEnv,
    BuildFanout,
    BuildMatrix,
    Buildspec,
    BuildspecError,
    Cache,
    EnvSection,
    InstallPhase,
    MatrixDynamic,
    MatrixDynamicEnv,
    MatrixStatic,
    OnFailure,
    OnFailureMode,
    Phase,
    Phases,
    ProxySection,
    ReportGroup,
    load_buildspec,
    parse_buildspec,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "buildspec"
REPO_ROOT = Path(__file__).parent.parent.parent


def parse(text: str) -> Buildspec:
    loaded = parse_buildspec(text, Path("buildspec.yml"))
    assert loaded.warnings == ()
    return loaded.buildspec


def errors_of(text: str) -> list[str]:
    with pytest.raises(BuildspecError) as caught:
        parse_buildspec(text, Path("buildspec.yml"))
    return [diagnostic.format() for diagnostic in caught.value.diagnostics]


EXPECTED_COMPLETE = Buildspec(
    version="0.2",
    run_as="codebuild-user",
    env=EnvSection(
        shell="bash",
        # CB §1.4: values are strings, taken from the YAML source text.
        variables={
            "JAVA_HOME": "/usr/lib/jvm/java-17-amazon-corretto",
            "VERSION": "1.10",
            "DEBUG": "yes",
            "PORT": "8080",
            "EMPTY": "",
            "PATH": "$PATH:/usr/share/ant/bin",
        },
        parameter_store={"DB_PASSWORD": "/prod/db/password"},
        secrets_manager={"API_TOKEN": "prod/api:token:AWSCURRENT"},
        exported_variables=("IMAGE_TAG", "VERSION"),
        git_credential_helper=True,
    ),
    proxy=ProxySection(upload_artifacts=True, logs=False),
    batch=BatchSection(
        fast_fail=True,
        build_graph=(
            BatchTask(
                identifier="build1",
                buildspec="ci/build1.yml",
                env=BatchTaskEnv(
                    compute_type="BUILD_GENERAL1_SMALL",
                    image="aws/codebuild/standard:7.0",
                    privileged_mode=True,
                    type="LINUX_CONTAINER",
                    variables={"TARGET": "linux"},
                ),
                ignore_failure=False,
            ),
            BatchTask(identifier="build2", depend_on=("build1",), debug_session=True),
        ),
    ),
    phases=Phases(
        install=InstallPhase(
            run_as="root",
            on_failure=OnFailure(mode=OnFailureMode.ABORT, raw="ABORT"),
            # CB §6.1: `python: 3.10` must not become the float 3.1.
            runtime_versions={"python": "3.10", "nodejs": "20", "java": "corretto21", "ruby": "$MY_RUBY_VAR"},
            commands=("pip install -r requirements.txt",),
            finally_=("echo install done",),
        ),
        pre_build=Phase(
            on_failure=OnFailure(mode=OnFailureMode.CONTINUE, raw="CONTINUE"),
            commands=("export IMAGE_TAG=$(date +%s)",),
        ),
        build=Phase(
            on_failure=OnFailure(
                mode=OnFailureMode.RETRY,
                retry_count=3,
                retry_pattern=".*connection timed out.*",
                raw="Retry-3-.*connection timed out.*",
            ),
            commands=("make build", "echo status: built", "42", "true", "set -e\nmake test\n"),
            finally_=("echo cleaning up",),
        ),
        post_build=Phase(commands=("echo post build",)),
    ),
    reports={
        "unit-tests": ReportGroup(
            files=("**/*.xml",), base_directory="build/test-results", discard_paths=True, file_format="JUNITXML"
        ),
        # CB §1.8: file-format is case-insensitive; stored upper-case.
        "coverage": ReportGroup(files=("coverage.xml",), file_format="COBERTURAXML"),
    },
    artifacts=Artifacts(
        files=("**/*",),
        name="build-$(date +%Y-%m-%d)",
        discard_paths=False,
        base_directory="dist",
        exclude_paths=("**/.*",),
        enable_symlinks=True,
        s3_prefix="builds",
        secondary_artifacts={
            "docs": ArtifactSpec(files=("index.html",), base_directory="site", discard_paths=True),
        },
    ),
    cache=Cache(
        paths=("/root/.m2/**/*",),
        key="maven-$(codebuild-hash-files pom.xml)",
        fallback_keys=("maven-", "deps-"),
        action="restore",
    ),
)


def test_complete_v02_buildspec_loads_every_key(fixture_buildspec):
    # CB §1: every top-level key and every key of every section.
    path = fixture_buildspec("complete_v02")
    loaded = load_buildspec(path)
    assert loaded.path == path
    assert loaded.warnings == ()
    assert loaded.buildspec == EXPECTED_COMPLETE


def test_complete_v02_phases_are_ordered_install_to_post_build(fixture_buildspec):
    # CB §3.1: INSTALL -> PRE_BUILD -> BUILD -> POST_BUILD.
    phases = load_buildspec(fixture_buildspec("complete_v02")).buildspec.phases
    assert [name for name, _ in phases.ordered()] == ["install", "pre_build", "build", "post_build"]


def test_ordered_skips_absent_phases():
    phases = parse("version: 0.2\nphases:\n  post_build:\n    commands: [b]\n  install:\n    commands: [a]\n").phases
    assert phases.ordered() == [("install", InstallPhase(commands=("a",))), ("post_build", Phase(commands=("b",)))]


def test_legacy_v01_maps_environment_variables_plaintext_to_env_variables(fixture_buildspec):
    # CB §1.2: 0.1 spells env.variables as environment_variables.plaintext; artifacts.type is
    # a 0.1 key and is dropped without a warning.
    loaded = load_buildspec(fixture_buildspec("legacy_v01"))
    assert loaded.warnings == ()
    assert loaded.buildspec == Buildspec(
        version="0.1",
        env=EnvSection(variables={"JAVA_HOME": "/usr/lib/jvm/java-8-openjdk-amd64", "RELEASE": "2.0"}),
        phases=Phases(
            install=InstallPhase(commands=("apt-get update -y",)),
            build=Phase(commands=("echo Build started on `date`", "mvn install")),
        ),
        artifacts=Artifacts(files=("target/messageUtil-1.0.jar",), discard_paths=True),
    )


def test_legacy_v01_errors_name_the_keys_the_user_wrote():
    text = "version: 0.1\nenvironment_variables:\n  plaintext:\n    CODEBUILD_X: a\nphases: {}\n"
    assert errors_of(text) == [
        "buildspec.yml:4:5: error: environment_variables.plaintext.CODEBUILD_X uses the reserved prefix "
        "CODEBUILD_; choose another variable name"
    ]


def test_legacy_v01_rejects_environment_variables_next_to_env():
    text = "version: 0.1\nenvironment_variables:\n  plaintext: {}\nenv:\n  variables: {}\nphases: {}\n"
    assert errors_of(text) == ["buildspec.yml:4:1: error: give environment_variables (version 0.1) or env, not both"]


def test_environment_variables_is_an_unknown_key_in_v02():
    loaded = parse_buildspec("version: 0.2\nenvironment_variables: {}\nphases: {}\n", Path("b.yml"))
    assert [w.format() for w in loaded.warnings] == ["b.yml:2:1: warning: unknown key 'environment_variables' ignored"]


@pytest.mark.parametrize("written", ["0.2", "'0.2'", '"0.2"'])
def test_version_may_be_a_float_or_a_string(written):
    # CB §1.2
    assert parse(f"version: {written}\nphases: {{}}\n").version == "0.2"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.10", "1.10"),
        ("3.10", "3.10"),
        ("yes", "yes"),
        ("off", "off"),
        ("8080", "8080"),
        ("0x1F", "0x1F"),
        ("2024-01-01", "2024-01-01"),
        ("", ""),
        ("~", ""),
        ("null", ""),
        ("'null'", "null"),
        ('"007"', "007"),
        ("1e3", "1e3"),
    ],
)
def test_variable_values_keep_their_source_text(written, expected):
    # CB §1.4: variables are strings; YAML 1.1 would turn these into floats, bools, dates.
    env = parse(f"version: 0.2\nenv:\n  variables:\n    VALUE: {written}\nphases: {{}}\n").env
    assert env.variables == {"VALUE": expected}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        *[("yes", True), ("Yes", True), ("on", True), ("true", True), ("y", True), ("TRUE", True)],
        *[("no", False), ("No", False), ("off", False), ("false", False), ("n", False), ("", False)],
    ],
)
def test_boolean_keys_read_yaml_1_1_words(written, expected):
    text = f"version: 0.2\nphases: {{}}\nartifacts:\n  files: [a]\n  discard-paths: {written}\n"
    assert parse(text).artifacts.discard_paths is expected  # type: ignore[union-attr]


@pytest.mark.parametrize(("written", "expected"), [("3.11", "3.11"), ("3.10", "3.10"), ("20", "20"), ("3.x", "3.x")])
def test_runtime_versions_keep_their_source_text(written, expected):
    # CB §6.1
    text = f"version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: {written}\n"
    assert parse(text).phases.install.runtime_versions == {"python": expected}  # type: ignore[union-attr]


def test_commands_written_as_numbers_or_bools_become_their_text():
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - 42\n      - yes\n      - 1.50\n      - ~foo\n"
    assert parse(text).phases.build.commands == ("42", "yes", "1.50", "~foo")  # type: ignore[union-attr]


def test_install_may_hold_only_runtime_versions():
    # CB §1.7: commands is optional in install.
    text = "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      nodejs: 20\n"
    assert parse(text).phases.install == InstallPhase(runtime_versions={"nodejs": "20"})


def test_a_single_glob_stands_for_a_one_item_list():
    # AWS's ECS tutorial writes `files: imagedefinitions.json`.
    text = "version: 0.2\nphases: {}\nartifacts:\n  files: imagedefinitions.json\ncache:\n  paths: /root/.m2\n"
    buildspec = parse(text)
    assert buildspec.artifacts == Artifacts(files=("imagedefinitions.json",))
    assert buildspec.cache == Cache(paths=("/root/.m2",))


def test_merge_keys_and_anchors_are_followed():
    text = (
        "version: 0.2\n"
        "phases:\n"
        "  pre_build: &common\n"
        "    run-as: builder\n"
        "    commands: [make deps]\n"
        "  build:\n"
        "    <<: *common\n"
        "    commands: [make]\n"
    )
    phases = parse(text).phases
    assert phases.pre_build == Phase(run_as="builder", commands=("make deps",))
    assert phases.build == Phase(run_as="builder", commands=("make",))


def test_empty_sections_take_their_defaults():
    buildspec = parse("version: 0.2\nenv:\nreports:\nphases:\n  install:\n")
    assert buildspec.env == EnvSection()
    assert buildspec.reports == {}
    assert buildspec.phases == Phases(install=InstallPhase())


def test_report_group_defaults_to_junitxml():
    # CB §1.8
    text = "version: 0.2\nphases: {}\nreports:\n  unit:\n    files: [report.xml]\n"
    assert parse(text).reports == {"unit": ReportGroup(files=("report.xml",), file_format="JUNITXML")}


def test_batch_build_list_loads():
    # CB §1.6
    text = (
        "version: 0.2\nphases: {}\nbatch:\n  build-list:\n"
        "    - identifier: linux\n      env:\n        image: aws/codebuild/standard:7.0\n"
        "    - identifier: arm\n      ignore-failure: yes\n"
    )
    assert parse(text).batch == BatchSection(
        build_list=(
            BatchTask(identifier="linux", env=BatchTaskEnv(image="aws/codebuild/standard:7.0")),
            BatchTask(identifier="arm", ignore_failure=True),
        )
    )


def test_batch_build_matrix_loads():
    # CB §1.6: the doc example, 2 buildspecs x 3 values of MY_VAR.
    text = (
        "version: 0.2\nphases: {}\nbatch:\n  build-matrix:\n"
        "    static:\n      ignore-failure: false\n      env:\n        privileged-mode: true\n"
        "    dynamic:\n      buildspec:\n        - matrix1.yml\n        - matrix2.yml\n"
        "      env:\n        variables:\n          MY_VAR:\n"
        "            - VALUE1\n            - VALUE2\n            - 3\n"
    )
    assert parse(text).batch == BatchSection(
        build_matrix=BuildMatrix(
            static=MatrixStatic(ignore_failure=False, env=BatchTaskEnv(privileged_mode=True)),
            dynamic=MatrixDynamic(
                buildspec=("matrix1.yml", "matrix2.yml"),
                env=MatrixDynamicEnv(variables={"MY_VAR": ("VALUE1", "VALUE2", "3")}),
            ),
        )
    )


def test_batch_build_fanout_loads():
    # CB §1.6
    text = "version: 0.2\nphases: {}\nbatch:\n  build-fanout:\n    parallelism: 5\n    ignore-failure: no\n"
    assert parse(text).batch == BatchSection(build_fanout=BuildFanout(parallelism=5, ignore_failure=False))


@pytest.mark.parametrize(
    ("batch", "expected"),
    [
        (
            "  build-list:\n    - identifier: a\n  build-fanout:\n    parallelism: 2\n",
            "buildspec.yml:4:3: error: batch may use only one of build-list, build-graph, build-matrix, "
            "build-fanout; found build-list and build-fanout",
        ),
        (
            "  build-list:\n    - buildspec: a.yml\n",
            "buildspec.yml:5:7: error: batch.build-list[0].identifier is required",
        ),
        (
            "  build-list:\n    - identifier: a\n      depend-on: [b]\n",
            "buildspec.yml:5:5: error: batch.build-list task 'a' has depend-on, which only build-graph supports",
        ),
        (
            "  build-graph:\n    - identifier: a\n    - identifier: b\n      depend-on: [c]\n",
            "buildspec.yml:5:5: error: batch.build-graph task 'b' depends on 'c', which is no task in build-graph",
        ),
        (
            "  build-graph:\n    - identifier: a\n    - identifier: a\n",
            "buildspec.yml:5:5: error: batch.build-graph uses the identifier 'a' twice; identifiers must be unique",
        ),
        (
            "  build-fanout:\n    parallelism: 0\n",
            "buildspec.yml:5:18: error: batch.build-fanout.parallelism must be greater than 0, got '0'",
        ),
        (
            "  build-fanout:\n    parallelism: many\n",
            "buildspec.yml:5:18: error: batch.build-fanout.parallelism must be a whole number, got 'many'",
        ),
        (
            "  build-fanout:\n    ignore-failure: yes\n",
            "buildspec.yml:5:5: error: batch.build-fanout.parallelism is required",
        ),
        (
            "  build-list:\n    - identifier: a\n      env:\n        fleet: f\n        compute-type: SMALL\n",
            "buildspec.yml:7:9: error: batch.build-list[0].env sets both fleet and compute-type; keep only one",
        ),
    ],
)
def test_batch_rules_are_checked(batch, expected):
    # CB §1.6: one batch type; identifiers required; depend-on only in graphs, naming real tasks.
    assert errors_of(f"version: 0.2\nphases: {{}}\nbatch:\n{batch}") == [expected]


def test_a_batch_only_buildspec_loads_without_phases(fixture_buildspec):
    # Issue 5 item 9: s2n-tls and amplify-codegen run such files; each task names its own buildspec.
    loaded = load_buildspec(fixture_buildspec("batch_only"))
    assert loaded.warnings == ()
    assert loaded.buildspec.has_phases is False
    assert loaded.buildspec.phases == Phases()
    assert loaded.buildspec.batch is not None
    assert [task.identifier for task in loaded.buildspec.batch.build_list or ()] == ["unit", "integration"]


def test_a_buildspec_with_phases_has_phases():
    assert parse("version: 0.2\nphases:\n  build:\n    commands: [make]\n").has_phases is True


def test_tabs_inside_plain_scalars_are_kept(fixture_buildspec):
    # Issue 5 item 8: valid YAML that CodeBuild accepts; PyYAML's own scanner refuses it.
    loaded = load_buildspec(fixture_buildspec("tab_in_plain_scalar"))
    assert loaded.buildspec.phases.build == Phase(commands=('printf "%s\\n" a\tb', "echo one\t two"))


def test_loaded_buildspec_is_frozen():
    buildspec = parse("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    with pytest.raises(ValueError, match="frozen"):
        buildspec.version = "0.1"  # type: ignore[misc]


def test_validating_never_imports_docker():
    # Validation runs before every build and in the pre-push hook, where no engine may answer; its speed is
    # measured in bench/overhead.py, not asserted here.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from simulator.buildspec import load_buildspec\n"
        f"load_buildspec(Path({str(FIXTURES / 'complete_v02' / 'buildspec.yml')!r}))\n"
        "print('docker' in sys.modules, 'python_on_whales' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
