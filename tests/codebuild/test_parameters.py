"""parameter-store and secrets-manager from the local values file: CB §1.4."""

import os

import pytest

from simulator.codebuild.parameters import (
    LocalValues,
    ResolutionError,
    SecretReference,
    load_values,
    parse_secret_reference,
    resolve_parameters,
    resolve_secrets,
)
from simulator.errors import InputError

VALUES = LocalValues(
    parameters={"/shop/dev/db/password": "s3cret"},
    secrets={
        "prod/db": '{"username": "admin", "password": "p4ss"}',
        "prod/db:AWSPREVIOUS": {"username": "admin", "password": "old"},
        "plain": "just-a-string",
    },
)


def test_parameter_is_resolved():
    assert resolve_parameters({"DB_PASSWORD": "/shop/dev/db/password"}, VALUES) == {"DB_PASSWORD": "s3cret"}


def test_missing_parameter_fails_with_the_local_agent_message():
    with pytest.raises(ResolutionError) as caught:
        resolve_parameters({"X": "/missing"}, VALUES)
    assert (caught.value.status_code, caught.value.message) == (
        "Decrypted Variables Error",
        "parameter does not exist: /missing",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod/db", SecretReference("prod/db", None, None, None)),
        ("prod/db:password", SecretReference("prod/db", "password", None, None)),
        ("prod/db:password:AWSPREVIOUS", SecretReference("prod/db", "password", "AWSPREVIOUS", None)),
        ("prod/db:::v-123", SecretReference("prod/db", None, None, "v-123")),
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCd:password",
            SecretReference(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCd", "password", None, None
            ),
        ),
    ],
)
def test_secret_reference_syntax(text, expected):
    assert parse_secret_reference(text) == expected


def test_secrets_whole_json_key_and_version_stage():
    references = {"WHOLE": "plain", "PASSWORD": "prod/db:password", "OLD": "prod/db:password:AWSPREVIOUS"}
    assert resolve_secrets(references, VALUES) == {"WHOLE": "just-a-string", "PASSWORD": "p4ss", "OLD": "old"}


def test_missing_json_key_is_a_resolution_error():
    with pytest.raises(ResolutionError, match=r"^json key token not found in secret prod/db$"):
        resolve_secrets({"T": "prod/db:token"}, VALUES)


def test_values_file_with_an_unknown_section_is_refused(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("parameters:\n  a: b\n")
    with pytest.raises(InputError) as caught:
        load_values(path)
    assert str(caught.value) == (
        f"The parameters file {path} must be a mapping with the keys parameter-store and secrets-manager."
    )


def test_values_file_scalars_become_strings(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text(
        "parameter-store:\n  /port: 8080\n  /mode: 0755\n  /flag: yes\n  /empty:\n"
        "secrets-manager:\n  db: {port: 5432}\n"
    )
    assert load_values(path) == LocalValues(
        {"/port": "8080", "/mode": "0755", "/flag": "yes", "/empty": ""}, {"db": {"port": 5432}}
    )


def refusal(path) -> str:
    with pytest.raises(InputError) as caught:
        load_values(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        # Issue 5 item 10: PyYAML's own message quotes the broken line, which here holds the secret.
        ("parameter-store:\n  /db/password: s3cr3t: x\n", "2:23", "mapping values are not allowed here"),
        ("parameter-store:\n  /db/password: 's3cr3t\n", "3:1", "found unexpected end of stream"),
        ("parameter-store:\n  /db/password: *s3cr3t\n", "2:17", "found undefined alias"),
        (
            "parameter-store:\n  /db/password: s3cr3t\t!\n  \t/x: y\n",
            "3:3",
            "found character that cannot start any token",
        ),
    ],
)
def test_a_yaml_error_names_the_position_never_the_content(tmp_path, text, where, problem):
    path = tmp_path / "parameters.yml"
    path.write_text(text)
    message = refusal(path)
    assert message.startswith(f"The parameters file is not valid YAML at {path}:{where}: {problem}")
    assert "s3cr3t" not in message


def test_a_duplicate_name_is_refused_with_its_position(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("parameter-store:\n  /a: one\n  /a: two\n")
    assert refusal(path) == (
        f"{path}:3:3: duplicate key '/a' in parameter-store; the first is at line 2; fix the parameters file."
    )


def test_billion_laughs_in_the_values_file_is_refused(tmp_path):
    path = tmp_path / "parameters.yml"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    path.write_text("secrets-manager:\n" + "".join(f"  {line}\n" for line in levels))
    assert refusal(path).startswith(f"The parameters file is not valid YAML at {path}:6:12: aliases expand")


def test_a_non_utf8_values_file_is_one_sentence(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_bytes(b"parameter-store:\n  /a: caf\xe9\n")
    assert refusal(path) == f"Cannot read the parameters file {path}: the file is not UTF-8 text."


def test_a_fifo_values_file_is_refused(tmp_path):
    path = tmp_path / "parameters.fifo"
    os.mkfifo(path)
    assert refusal(path) == (
        f"Cannot read the parameters file {path}: it is not a regular file (a pipe, device or socket cannot be "
        "read as one)."
    )


def test_a_date_that_is_no_date_in_a_secret_is_one_sentence(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("secrets-manager:\n  db: {rotated: 2024-13-45}\n")
    assert refusal(path) == f"The parameters file {path} holds a value YAML cannot read: month must be in 1..12."


def test_a_date_like_parameter_is_text_even_beside_a_mapping_secret(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("parameter-store:\n  /when: 2024-13-45\nsecrets-manager:\n  db: {port: 5432}\n")
    assert load_values(path) == LocalValues({"/when": "2024-13-45"}, {"db": {"port": 5432}})


def test_an_empty_values_file_holds_nothing(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("# nothing yet\n")
    assert load_values(path) == LocalValues()
