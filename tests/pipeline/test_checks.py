"""The structural rules of CP §7 item 1, checked before anything runs: every violation, at the value to change
(CP §1.2-§1.8, CP §7 item 1; each case names the sections it checks)."""

from __future__ import annotations

import pytest

from tests.pipeline.helpers import problems, write

CASES = [
    pytest.param(  # CP §1.2
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
""",
        ["1:1: error: a pipeline needs at least 2 stages (a source stage and another); it has 1"],
        id="one_stage",
    ),
    pytest.param(  # CP §1.2
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
      - {name: Build, kind: build, inputs: [Code], buildspec: b.yml}
  - name: Later
    actions:
      - {name: Src2, kind: source, outputs: [More]}
""",
        [
            "6:29: error: 'Build' is a Build action in the first stage, which holds only source actions",
            "6:45: error: the input artifact 'Code' is produced by 'Src', which does not run before 'Build'",
            "9:28: error: the source action 'Src2' must be in the first stage, not 'Later'",
        ],
        id="build_in_first_stage_and_source_later",
    ),
    pytest.param(  # CP §1.2
        """\
name: p
stages:
  - name: Gate
    actions:
      - {name: Approve, kind: approval}
  - name: Build
    actions:
      - {name: Build, kind: build, buildspec: b.yml}
""",
        [
            "3:5: error: the first stage ('Gate') must hold the source actions",
            "5:31: error: 'Approve' is an approval in the first stage, which holds only source actions",
            "8:9: error: a CodeBuild action takes 1 to 5 input artifacts; 'Build' has 0",
        ],
        id="first_stage_without_source",
    ),
    pytest.param(  # CP §1.2
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - {name: Build, kind: build, inputs: [Code], buildspec: b.yml}
      - {name: Build, kind: test, inputs: [Code], buildspec: b.yml}
  - name: Build
    actions:
      - {name: Approve, kind: approval}
""",
        [
            "9:16: error: the action name 'Build' is used twice in the stage 'Build'",
            "10:11: error: the stage name 'Build' is used twice; stage names are unique",
        ],
        id="duplicate_names",
    ),
    pytest.param(  # CP §1.2, CP §1.5
        """\
name: my pipeline
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Co.de]}
  - name: Build/Dev
    actions:
      - {name: Build, kind: build, inputs: [Co.de], run-order: 0, buildspec: b.yml}
""",
        [
            "1:7: error: the pipeline name 'my pipeline' may hold only letters, digits, '.', '@', '_' and '-' (1 to "
            "100 characters)",
            "5:45: error: the artifact name 'Co.de' may hold only letters, digits, '_' and '-' (1 to 100 characters)",
            "6:11: error: the stage name 'Build/Dev' may hold only letters, digits, '.', '@', '_' and '-' (1 to 100 "
            "characters)",
            "8:45: error: the artifact name 'Co.de' may hold only letters, digits, '_' and '-' (1 to 100 characters)",
            "8:64: error: RunOrder must be a positive whole number, not 0",
        ],
        id="bad_names_and_run_order",
    ),
    pytest.param(  # CP §1.5, CP §1.6
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - {name: Aa, kind: build, inputs: [Code, FromB], primary-source: Code, outputs: [FromA], buildspec: b.yml}
      - {name: Bb, kind: build, inputs: [Code], outputs: [FromB], buildspec: b.yml}
      - {name: Cc, kind: build, inputs: [FromA], run-order: 2, outputs: [FromA], buildspec: b.yml}
""",
        [
            "8:48: error: the input artifact 'FromB' is produced by 'Bb', which does not run before 'Aa'",
            "10:74: error: the output artifact 'FromA' is also produced by 'Aa'; output names are unique in the "
            "pipeline",
        ],
        id="inputs_in_order",
    ),
    pytest.param(  # CP §2 (CodeBuild's CreateProject: [A-Za-z0-9][A-Za-z0-9_-]{1,254})
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - {name: U, kind: build, inputs: [Code], buildspec: b.yml}
      - {name: Unit, kind: build, project: shop.unit, inputs: [Code], buildspec: b.yml}
""",
        [
            "8:25: error: the CodeBuild project name 'U' would be refused by CodeBuild: 2 to 255 letters, digits, - "
            "and _, starting with a letter or a digit",
            "9:44: error: the CodeBuild project name 'shop.unit' would be refused by CodeBuild: 2 to 255 letters, "
            "digits, - and _, starting with a letter or a digit",
        ],
        id="project_names",
    ),
    pytest.param(  # CP §1.4, CP §1.8, CP §3
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [A, B, my-src]}
  - name: Build
    actions:
      - {name: None, kind: build, buildspec: b.yml}
      - {name: Two, kind: build, inputs: [A, B], buildspec: b.yml}
      - {name: Wrong, kind: build, inputs: [A, my-src], primary-source: C, buildspec: b.yml}
      - {name: Six, kind: build, inputs: [A], outputs: [O1, O2, O3, O4, O5, O6], buildspec: b.yml}
""",
        [
            "8:9: error: a CodeBuild action takes 1 to 5 input artifacts; 'None' has 0",
            "9:9: error: 'Two' has 2 input artifacts: PrimarySource must name the one holding the buildspec",
            "10:48: warning: the build sees this input at $CODEBUILD_SRC_DIR_my-src, which no shell can expand; name "
            "it with letters, digits and _",
            "10:73: error: PrimarySource 'C' is not one of the input artifacts (A, my-src)",
            "11:77: error: a CodeBuild action produces at most 5 output artifacts; 'Six' has 6",
        ],
        id="codebuild_artifacts",
    ),
    pytest.param(  # CP §1.4, CP §1.12
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Gate
    actions:
      - {name: Approve, kind: approval, inputs: [Code], timeout: 4}
      - {name: Long, kind: approval, timeout: 86401}
      - {name: Fine, kind: approval, timeout: 86400}
""",
        [
            "8:9: error: the approval 'Approve' takes and produces no artifacts",
            "8:66: error: an approval's TimeoutInMinutes is 5 to 86400 (60 days), not 4",
            "9:47: error: an approval's TimeoutInMinutes is 5 to 86400 (60 days), not 86401",
        ],
        id="approval_rules",
    ),
    pytest.param(  # CP §1.6, CP §1.7
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code], namespace: Code}
  - name: Build
    actions:
      - {name: Aa, kind: build, inputs: [Code], namespace: Vars, buildspec: b.yml}
      - {name: Bb, kind: build, inputs: [Code], namespace: Vars, buildspec: b.yml}
      - {name: Cc, kind: build, inputs: [Code], namespace: codepipeline, buildspec: b.yml}
""",
        [
            "5:63: error: the namespace 'Code' is also an artifact name; namespaces and artifact names must differ",
            "9:60: error: the namespace 'Vars' is also declared by 'Aa'; namespaces are unique",
            "10:60: error: the namespace 'codepipeline' is reserved by CodePipeline",
        ],
        id="namespaces",
    ),
    pytest.param(  # CP §1.1, CP §7 item 1
        """\
name: p
execution-mode: QUEUED
variables:
  - {name: Env, default: dev}
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - {name: Build, kind: build, inputs: [Code], buildspec: b.yml}
""",
        [
            "2:17: error: the execution mode QUEUED needs a V2 pipeline: set PipelineType: V2 (pipeline-type: V2 in a "
            "native file)",
            "3:1: error: pipeline variables need a V2 pipeline: set PipelineType: V2 (pipeline-type: V2 in a native "
            "file)",
        ],
        id="v2_features_on_v1",
    ),
    pytest.param(  # CP §1.1, CP §1.7
        """\
name: p
pipeline-type: V2
execution-mode: PARALLEL
variables:
  - {name: Env, default: dev}
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - name: Build
        kind: build
        inputs: [Code]
        buildspec: b.yml
        env: {ENV: '#{variables.Env}', ID: '#{codepipeline.PipelineExecutionId}'}
""",
        [],
        id="v2_features_on_v2",
    ),
    pytest.param(  # CP §1.7
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code], namespace: SourceVariables}
  - name: Build
    actions:
      - name: Aa
        kind: build
        inputs: [Code]
        namespace: AVars
        buildspec: b.yml
        env: {OK: '#{SourceVariables.CommitId}', SAME: '#{BVars.X}', TYPO: '#{SourceVariable.CommitId}'}
      - {name: Bb, kind: build, inputs: [Code], namespace: BVars, buildspec: b.yml}
      - name: C
        kind: approval
        run-order: 2
        custom-data: 'after #{AVars.X} and #{BVars.Y}, not #{codepipeline.Nope} or #{variables.Env}'
""",
        [
            "13:14: error: #{BVars.X} in EnvironmentVariables can never be resolved: the namespace 'BVars' belongs to "
            "'Bb', which does not run before this action",
            "13:14: error: #{SourceVariable.CommitId} in EnvironmentVariables can never be resolved: no action "
            "declares the namespace 'SourceVariable'; did you mean 'SourceVariables'?",
            "18:22: error: #{codepipeline.Nope} in CustomData can never be resolved: the codepipeline namespace has "
            "only PipelineExecutionId",
            "18:22: error: #{variables.Env} in CustomData can never be resolved: the pipeline declares no variable "
            "'Env'",
        ],
        id="variable_references",
    ),
    pytest.param(  # CP §1.4
        """\
name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Deploy
    actions:
      - {name: Cfn, kind: deploy, provider: CloudFormation, inputs: [Code]}
      - {name: Ecs, kind: deploy, provider: ECS, inputs: [Code]}
      - {name: Bad, kind: deploy, provider: CodeBuild, inputs: [Code]}
      - {name: Typo, kind: deploy, provider: CodeDeplo, inputs: [Code]}
""",
        [
            "10:45: error: a CodeBuild action's category is Build or Test, not Deploy",
            "11:46: error: unknown action provider 'Deploy/AWS/CodeDeplo/1': the simulator cannot run it; did you "
            "mean 'CodeDeploy'?",
        ],
        id="deploy_providers",
    ),
    pytest.param(  # CP §2.1, CP §1.8
        r"""name: p
stages:
  - name: Source
    actions:
      - {name: Src, kind: source, outputs: [Code]}
  - name: Build
    actions:
      - {name: Present, kind: build, inputs: [Code], buildspec: b.yml}
      - {name: Missing, kind: build, inputs: [Code], buildspec: ci/nope.yml}
      - {name: Default, kind: build, inputs: [Code], outputs: [Out]}
      - {name: FromBuild, kind: build, inputs: [Out], run-order: 2, buildspec: elsewhere.yml}
      - {name: Inline, kind: build, inputs: [Code], buildspec: "version: 0.2\nphases: {build: {commands: [ls]}}"}
""",
        [
            "9:65: warning: the buildspec 'ci/nope.yml' is not in the repository ({repository}); the build will fail "
            "in DOWNLOAD_SOURCE unless something creates it",
            "10:9: warning: the buildspec 'buildspec.yml' is not in the repository ({repository}); the build will "
            "fail in DOWNLOAD_SOURCE unless something creates it",
        ],
        id="buildspec_missing",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_structural_rules(tmp_path, text, expected):
    (tmp_path / "b.yml").write_text("version: 0.2\n")
    found = problems(write(tmp_path, text))
    assert found == [line.replace("{repository}", str(tmp_path)) for line in expected]
