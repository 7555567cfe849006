"""The spawn form's HTML and what it hands the spawner (the browser test is the integration one)."""

import pytest

from stellars_docker.policy import GroupPolicy, effective_policy
from stellars_ui import options_from_form, profile_form


def _policy(profiles, **fields):
    return effective_policy(
        {"team": GroupPolicy.model_validate({"profiles": profiles, **fields}, strict=False)}
    )


SMALL = {"name": "small", "display_name": "Small", "image": "lab:small"}
GPU = {"name": "gpu", "display_name": "GPU <b>box</b>", "image": "lab:gpu", "gpus": ["0", "2"]}


@pytest.mark.parametrize("profiles", [[], [SMALL]], ids=["none", "one"])
def test_fewer_than_two_profiles_render_no_form(profiles):
    assert profile_form(_policy(profiles)) == ""


def test_the_default_profile_is_preselected_and_text_is_escaped():
    html = profile_form(_policy([SMALL, GPU], default_profile="gpu"), gpus_available=True)
    assert html.count('type="radio"') == 2
    assert 'value="gpu"' in html.split("checked")[0].rsplit("<input", 1)[1]
    assert "GPU &lt;b&gt;box&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "GPU 0, 2" in html


def test_without_a_default_the_first_profile_is_preselected_and_gpus_follow_the_engine():
    html = profile_form(_policy([SMALL, GPU]), gpus_available=False)
    assert html.index("checked") < html.index('value="gpu"')
    assert "GPU 0, 2" not in html


@pytest.mark.parametrize(
    ("form", "options"),
    [
        ({"profile": ["gpu"]}, {"profile": "gpu"}),
        ({"profile": ["gpu"], "image": ["evil:latest"]}, {"profile": "gpu"}),
        ({}, {}),
        ({"profile": [""]}, {}),
    ],
    ids=["chosen", "extra-field-dropped", "none", "empty"],
)
def test_options_from_form_keeps_the_profile_alone(form, options):
    assert options_from_form(form) == options
