"""One group's policy: what it accepts, what it refuses and why, secrets kept and masked."""

import pytest
from pydantic import ValidationError

from stellars_docker.policy import EnvironmentVariable, GroupPolicy

GIB = 1024**3


def problems(document):
    with pytest.raises(ValidationError) as refused:
        GroupPolicy.model_validate(document)
    return [(".".join(map(str, error["loc"])), error["msg"]) for error in refused.value.errors()]


def test_every_field_is_optional_and_sizes_read_as_jupyterhub_writes_them():
    assert GroupPolicy.model_validate({}) == GroupPolicy()
    policy = GroupPolicy.model_validate(
        {"mem_limit": "4G", "mem_guarantee": "512M", "volume_quota": 10 * GIB, "cpu_limit": 2}
    )
    assert policy.mem_limit == 4 * GIB
    assert policy.mem_guarantee == 512 * 1024**2
    assert policy.cpu_limit == 2.0
    assert isinstance(policy.cpu_limit, float)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"cpu_limit": "1"}, "cpu_limit"),  # strict: a string is no number
        ({"cpu_limit": True}, "cpu_limit"),
        ({"cpu_limit": 0}, "cpu_limit"),
        ({"mem_limit": "4X"}, "mem_limit"),
        ({"mem_limit": "1M"}, "mem_limit"),  # under what Docker accepts
        ({"max_servers": 1.5}, "max_servers"),
        ({"gpus": True}, "gpus"),
        ({"gpus": []}, "gpus"),
        ({"gpus": ["not-a-gpu"]}, "gpus"),
        ({"docker_access": "root"}, "docker_access"),
        ({"volume_warning_percent": 101, "volume_quota": "1G"}, "volume_warning_percent"),
        ({"image": "evil"}, "image"),  # no field of the policy is an image
        ({"environment": [{"name": "1X", "value": "v"}]}, "environment.0.name"),
    ],
)
def test_a_bad_field_is_refused_by_name(document, field):
    assert any(where.startswith(field) for where, _ in problems(document))


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"cpu_limit": 1, "cpu_guarantee": 2}, "cpu_guarantee is above cpu_limit"),
        ({"mem_limit": "1G", "mem_guarantee": "2G"}, "mem_guarantee is above mem_limit"),
        ({"gpus": ["0", "0"]}, "names a device twice"),
        ({"default_profile": "big"}, "not one of this policy's profiles"),
        ({"volume_warning_percent": 80}, "needs a volume_quota"),
        (
            {"environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]},
            "sets A more than once",
        ),
        ({"environment": [{"name": "JUPYTERHUB_API_TOKEN", "value": "x"}]}, "set by the hub"),
        ({"environment": [{"name": "JPY_API_TOKEN", "value": "x"}]}, "set by the hub"),
        ({"environment": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "0"}]}, "gpus field"),
        ({"environment": [{"name": "A"}]}, "needs a value"),
    ],
)
def test_a_contradiction_is_refused_with_the_reason(document, says):
    assert any(says in message for _, message in problems(document))


def test_the_lab_service_toggles_may_be_set_per_group():
    policy = GroupPolicy.model_validate(
        {"environment": [{"name": "JUPYTERHUB_SERVICE_MLFLOW", "value": "0"}]}
    )
    assert policy.environment[0].name == "JUPYTERHUB_SERVICE_MLFLOW"


def test_a_secret_is_masked_in_answers_and_kept_when_sent_back_without_value():
    stored = GroupPolicy(
        environment=(
            EnvironmentVariable(name="TOKEN", value="s3cret", secret=True),
            EnvironmentVariable(name="MODE", value="fast"),
        )
    )
    masked = stored.masked()
    assert [(v.name, v.value) for v in masked.environment] == [("TOKEN", None), ("MODE", "fast")]
    assert "s3cret" not in masked.model_dump_json()
    # A page saves what it was shown: the secret comes back null and keeps its value.
    assert masked.with_secrets_from(stored) == stored
    retyped = GroupPolicy.model_validate(
        {"environment": [{"name": "TOKEN", "value": "new", "secret": True}]}
    )
    assert retyped.with_secrets_from(stored).environment[0].value == "new"


def test_a_new_secret_without_value_has_nothing_to_keep():
    sent = GroupPolicy.model_validate({"environment": [{"name": "KEY", "secret": True}]})
    with pytest.raises(ValueError, match="KEY has no stored value"):
        sent.with_secrets_from(None)


def test_the_stored_form_reads_back_equal():
    policy = GroupPolicy.model_validate(
        {
            "cpu_limit": 1.5,
            "gpus": ["0", "GPU-4b2ad1f0-0c5c-4f4e-9d2b-2c1f0d1e2a3b"],
            "profiles": [
                {"name": "big", "display_name": "Big", "image": "lab:2", "mem_limit": "8G"}
            ],
            "default_profile": "big",
            "docker_access": "socket",
        }
    )
    stored = policy.model_dump_json(exclude_defaults=True)
    assert GroupPolicy.model_validate_json(stored, strict=False) == policy
