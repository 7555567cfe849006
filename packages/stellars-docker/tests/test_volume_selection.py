import pytest

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.errors import InvalidVolumeSelectionError
from stellars_docker.volumes import select_volumes


def test_selected_volumes_keep_the_order_asked_for():
    chosen = select_volumes(DEFAULT_USER_VOLUMES, ["cache", "home"])
    assert [volume.suffix for volume in chosen] == ["cache", "home"]


@pytest.mark.parametrize(
    ("suffixes", "message"),
    [
        pytest.param([], "at least one", id="empty"),
        pytest.param(None, "must be a list", id="missing"),
        pytest.param("home", "must be a list", id="string"),
        pytest.param({"home": True}, "must be a list", id="object"),
        pytest.param(["home", 3], "must be a list", id="not-strings"),
        pytest.param(["home", "home"], "twice", id="duplicate"),
        pytest.param(["home", "shared"], "'shared'", id="shared-volume"),
        pytest.param(["../home"], "'../home'", id="path"),
    ],
)
def test_a_selection_that_is_not_resettable_volumes_is_refused(suffixes, message):
    with pytest.raises(InvalidVolumeSelectionError, match=message):
        select_volumes(DEFAULT_USER_VOLUMES, suffixes)


def test_the_refusal_names_the_volumes_that_may_be_chosen():
    with pytest.raises(InvalidVolumeSelectionError, match="'home', 'workspace', 'cache'"):
        select_volumes(DEFAULT_USER_VOLUMES, ["nope"])
