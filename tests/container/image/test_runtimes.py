"""runtime-versions against the image's declared runtimes: CB §6.1."""

import pytest

from simulator.container.image.runtimes import RuntimeSelection, RuntimeVersionError, declared_runtimes, select_runtimes

DECLARED = {"java": ["corretto17"], "python": ["3.11"], "nodejs": ["18"]}


def test_label_is_read_as_json():
    assert declared_runtimes({"simulator.runtimes": '{"python": ["3.11"]}'}) == {"python": ["3.11"]}
    assert declared_runtimes({}) is None


@pytest.mark.parametrize(
    ("runtime", "asked", "version"),
    [
        ("python", "3.11", "3.11"),
        ("python", "3.x", "3.11"),
        ("nodejs", "18.x", "18"),
        ("java", "latest", "corretto17"),
        ("java", "corretto17", "corretto17"),
    ],
)
def test_accepted_forms(runtime, asked, version):
    assert select_runtimes({runtime: asked}, DECLARED, {}) == [RuntimeSelection(runtime, asked, version)]


def test_environment_variable_value_is_expanded():
    assert select_runtimes({"python": "$PY"}, DECLARED, {"PY": "3.11"}) == [RuntimeSelection("python", "3.11", "3.11")]


def test_unknown_version_fails_with_codebuilds_message():
    with pytest.raises(RuntimeVersionError) as caught:
        select_runtimes({"python": "3.8"}, DECLARED, {})
    assert str(caught.value) == (
        "Unknown runtime version named '3.8' of python. This build image has the following versions: 3.11"
    )


def test_unknown_runtime_names_the_ones_there_are():
    with pytest.raises(RuntimeVersionError) as caught:
        select_runtimes({"golang": "1.20"}, DECLARED, {})
    assert str(caught.value) == (
        "Unknown runtime named 'golang'. This build image has the following runtimes: java, nodejs, python"
    )
