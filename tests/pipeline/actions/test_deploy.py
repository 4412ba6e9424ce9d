"""Deploys locally: an S3 deploy into a folder standing for the bucket; others SKIPPED with the reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from simulator.pipeline.actions.deploy import deploy
from simulator.pipeline.executor import ActionOutcome
from simulator.pipeline.model import Action, ActionType, Category, Where
from simulator.pipeline.statuses import ActionStatus


def action(provider: str, inputs=("Web",)) -> Action:
    return Action("Deploy", ActionType(Category.DEPLOY, "AWS", provider), Where(Path("p.yml")), input_artifacts=inputs)


@pytest.fixture
def web(tmp_path):
    folder = tmp_path / "store" / "Web"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>shop</h1>")
    (folder / "assets" / "app.js").write_text("run()")
    return {"Web": folder}


@pytest.mark.parametrize("provider", ["CodeDeploy", "CloudFormation", "ECS", "ElasticBeanstalk"])
def test_a_deploy_with_no_local_equivalent_is_skipped_with_the_reason(provider, web, tmp_path):
    outcome = deploy(action(provider), {}, web, tmp_path / "buckets")
    assert outcome == ActionOutcome(
        ActionStatus.SKIPPED,
        f"Deploy/AWS/{provider}/1 has no local equivalent: nothing was deployed (the cloud run would deploy here).",
    )
    assert not (tmp_path / "buckets").exists()


def test_an_extracting_s3_deploy_copies_the_files_into_the_bucket_folder(web, tmp_path):
    outcome = deploy(action("S3"), {"BucketName": "shop-web", "Extract": "true"}, web, tmp_path / "buckets")
    assert outcome.status is ActionStatus.SUCCEEDED
    assert (tmp_path / "buckets" / "shop-web" / "assets" / "app.js").read_text() == "run()"


def test_a_non_extracting_s3_deploy_stores_one_zip_object(web, tmp_path):
    config = {"BucketName": "shop-web", "Extract": "false", "ObjectKey": "releases/web.zip"}
    outcome = deploy(action("S3"), config, web, tmp_path / "buckets")
    assert outcome.status is ActionStatus.SUCCEEDED
    with zipfile.ZipFile(tmp_path / "buckets" / "shop-web" / "releases" / "web.zip") as archive:
        assert sorted(archive.namelist()) == ["assets/", "assets/app.js", "index.html"]


@pytest.mark.parametrize(
    ("config", "summary"),
    [
        ({"Extract": "true"}, "The S3 deploy needs a BucketName, not ''."),
        ({"BucketName": "b", "Extract": "false"}, "An S3 deploy with Extract 'false' needs an ObjectKey."),
        (
            {"BucketName": "b", "Extract": "true", "ObjectKey": "../../etc"},
            "The ObjectKey '../../etc' leaves the bucket.",
        ),
    ],
)
def test_bad_s3_deploys_fail_with_the_reason(web, tmp_path, config, summary):
    assert deploy(action("S3"), config, web, tmp_path / "buckets") == ActionOutcome(ActionStatus.FAILED, summary)
