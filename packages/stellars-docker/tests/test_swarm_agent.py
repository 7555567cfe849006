"""The node agent's pure parts: the request models, the secret, the ownership check, the merging."""

import json

import pytest
from pydantic import ValidationError

from stellars_docker.labels import OWNER_LABEL, ROLE_LABEL, USER_VOLUME_ROLE
from stellars_docker.swarm.agent import find_agents, merge_sizes, merge_stats
from stellars_docker.swarm.agent.client import FromNodes, removal_of
from stellars_docker.swarm.agent.protocol import (
    MAX_VOLUMES,
    ContainerSample,
    MeasureRequest,
    NoBody,
    Removal,
    RemoveAnswer,
    RemoveRequest,
    SizesAnswer,
    StatsAnswer,
    VolumeClaim,
    VolumesRequest,
    bearer,
    presented_secret,
    secret_matches,
)
from stellars_docker.swarm.agent.work import claim_holds
from stellars_docker.volumes import NO_SUCH_VOLUME

ALICE = "7-20260101T000000000000"
CLAIM = {"name": "jupyterlab-alice_home", "owner": ALICE, "unlabelled_owned": True}


@pytest.mark.parametrize(
    ("body", "model"),
    [
        pytest.param('{"extra": 1}', NoBody, id="no-body-with-a-field"),
        pytest.param('{"volumes": []}', VolumesRequest, id="no-volume"),
        pytest.param(
            '{"volumes": ['
            + ",".join(
                ['{"name": "v", "owner": "1", "unlabelled_owned": true}'] * (MAX_VOLUMES + 1)
            )
            + "]}",
            VolumesRequest,
            id="too-many-volumes",
        ),
        pytest.param(
            '{"volumes": [{"name": "../etc", "owner": "1", "unlabelled_owned": true}]}',
            VolumesRequest,
            id="not-a-volume-name",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "", "unlabelled_owned": true}]}',
            VolumesRequest,
            id="no-owner",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1", "unlabelled_owned": "yes"}]}',
            VolumesRequest,
            id="not-a-bool",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1"}]}', VolumesRequest, id="missing-field"
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1", "unlabelled_owned": true, "x": 1}]}',
            VolumesRequest,
            id="unknown-field-in-a-claim",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1", "unlabelled_owned": true}], "wait_s": 61}',
            RemoveRequest,
            id="wait-too-long",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1", "unlabelled_owned": true}], '
            '"image": "lab image", "timeout_s": 10}',
            MeasureRequest,
            id="image-with-a-space",
        ),
        pytest.param(
            '{"volumes": [{"name": "v", "owner": "1", "unlabelled_owned": true}], '
            '"image": "lab", "timeout_s": 0}',
            MeasureRequest,
            id="no-time-to-measure",
        ),
    ],
)
def test_the_agent_refuses_a_body_out_of_its_contract(body, model):
    with pytest.raises(ValidationError):
        model.model_validate_json(body)


def test_a_well_formed_removal_is_read_as_sent():
    request = RemoveRequest.model_validate_json(json.dumps({"volumes": [CLAIM], "wait_s": 30}))
    assert request.volumes == [VolumeClaim(**CLAIM)]
    assert request.wait_s == 30


@pytest.mark.parametrize(
    ("header", "presented"),
    [
        (None, None),
        ("", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("token abc", None),
        ("Basic abc", None),
        (bearer("abc"), "abc"),
    ],
)
def test_only_a_bearer_header_presents_a_secret(header, presented):
    assert presented_secret(header) == presented


@pytest.mark.parametrize(
    ("presented", "expected", "matches"),
    [
        ("s3cret", "s3cret", True),
        ("s3cre", "s3cret", False),
        ("s3cret!", "s3cret", False),
        ("", "", False),
        ("anything", "", False),
    ],
    ids=["same", "shorter", "longer", "both-empty", "agent-without-secret"],
)
def test_the_secret_matches_only_itself_and_an_empty_one_matches_nothing(
    presented, expected, matches
):
    assert secret_matches(presented, expected) is matches


@pytest.mark.parametrize(
    ("labels", "unlabelled_owned", "holds"),
    [
        pytest.param({OWNER_LABEL: ALICE}, False, True, id="labelled-for-the-account"),
        pytest.param({OWNER_LABEL: "8-20260101T000000000000"}, True, False, id="another-owner"),
        pytest.param({}, True, True, id="unlabelled-the-hub-says-is-the-accounts"),
        pytest.param({}, False, False, id="unlabelled-of-a-deleted-namesake"),
        pytest.param({ROLE_LABEL: "gpu-probe"}, True, False, id="not-a-user-volume"),
        pytest.param(
            {ROLE_LABEL: USER_VOLUME_ROLE, OWNER_LABEL: ALICE}, False, True, id="user-volume-role"
        ),
    ],
)
def test_a_claim_holds_only_for_the_accounts_own_volume(labels, unlabelled_owned, holds):
    claim = VolumeClaim(
        name="jupyterlab-alice_home", owner=ALICE, unlabelled_owned=unlabelled_owned
    )
    assert claim_holds(claim, labels) is holds


@pytest.mark.parametrize(
    ("labels", "holds"),
    [
        pytest.param({OWNER_LABEL: "8-20260101T000000000000"}, True, id="labelled-for-another"),
        pytest.param({}, True, id="unlabelled"),
        pytest.param({ROLE_LABEL: "gpu-probe"}, False, id="not-a-user-volume"),
    ],
)
def test_a_volume_assigned_to_the_account_is_its_unless_it_is_no_user_volume(labels, holds):
    claim = VolumeClaim(
        name="jupyterlab-alice_home", owner=ALICE, unlabelled_owned=False, assigned=True
    )
    assert claim_holds(claim, labels) is holds


def _node(node_id, hostname, state="ready"):
    return {"ID": node_id, "Description": {"Hostname": hostname}, "Status": {"State": state}}


def _task(node_id, state, address=None, index=1, network="agents"):
    attachments = (
        [{"Network": {"Spec": {"Name": network}}, "Addresses": [f"{address}/24"]}]
        if address
        else []
    )
    return {
        "NodeID": node_id,
        "Version": {"Index": index},
        "Status": {"State": state, "Message": state, "Err": ""},
        "NetworksAttachments": attachments,
    }


def test_every_node_is_either_an_agent_at_its_task_address_or_missing_with_why():
    nodes = [
        _node("n0", "manager"),
        _node("n1", "worker-1"),
        _node("n2", "worker-2", state="down"),
        _node("n3", "worker-3"),
        _node("n4", "worker-4"),
        _node("n5", "worker-5"),
    ]
    tasks = [
        _task("n0", "running", "10.0.9.2"),
        # A restarted agent: the newest task counts, not the old one's address.
        _task("n1", "shutdown", "10.0.9.3", index=1),
        _task("n1", "running", "10.0.9.7", index=5),
        _task("n2", "running", "10.0.9.4"),
        _task("n3", "starting", "10.0.9.5"),
        _task("n5", "running", "10.0.9.6", network="elsewhere"),
    ]
    agents, missing = find_agents(nodes, tasks, "agents")
    assert [(a.node, a.address) for a in agents] == [
        ("manager", "10.0.9.2"),
        ("worker-1", "10.0.9.7"),
    ]
    assert set(missing) == {"worker-2", "worker-3", "worker-4", "worker-5"}
    assert "down" in missing["worker-2"]
    assert "starting" in missing["worker-3"]
    assert "no agent task" in missing["worker-4"]
    assert "no address on the network agents" in missing["worker-5"]


def _sample(name, cpu=1.0):
    return ContainerSample(
        container_name=name,
        cpu_percent=cpu,
        memory_bytes=100,
        memory_limit_bytes=1000,
        sampled_at="2026-01-01T00:00:00+00:00",
    )


def test_merged_stats_carry_the_node_each_container_runs_on():
    merged = merge_stats(
        {
            "manager": StatsAnswer(node="manager", containers=[_sample("jupyterlab-a")]),
            "worker-1": StatsAnswer(
                node="worker-1", containers=[_sample("jupyterlab-b", 50.0), _sample("jupyterlab-c")]
            ),
            "worker-2": StatsAnswer(node="worker-2", containers=[]),
        }
    )
    assert {name: stats.node for name, stats in merged.items()} == {
        "jupyterlab-a": "manager",
        "jupyterlab-b": "worker-1",
        "jupyterlab-c": "worker-1",
    }
    assert merged["jupyterlab-b"].cpu_percent == 50.0
    assert merged["jupyterlab-b"].sampled_at.tzinfo is not None


def test_merged_sizes_add_a_name_over_nodes_and_say_where_each_volume_is():
    sizes, nodes = merge_sizes(
        {
            "worker-1": SizesAnswer(node="worker-1", volumes={"a_home": 300, "b_home": None}),
            "manager": SizesAnswer(node="manager", volumes={"a_home": 4, "c_home": None}),
            "worker-2": SizesAnswer(node="worker-2", volumes={"b_home": 10}),
        }
    )
    assert sizes == {"a_home": 304, "b_home": 10, "c_home": None}
    assert nodes == {
        "a_home": ("manager", "worker-1"),
        "b_home": ("worker-1", "worker-2"),
        "c_home": ("manager",),
    }


def _removals(answers, missing=None):
    return FromNodes(
        {
            node: RemoveAnswer(node=node, volumes=[Removal(**o) for o in outcomes])
            for node, outcomes in answers.items()
        },
        missing or {},
    )


@pytest.mark.parametrize(
    ("answers", "missing", "expected"),
    [
        pytest.param(
            {
                "m": [{"name": "v", "removed": False, "error": NO_SUCH_VOLUME}],
                "w": [{"name": "v", "removed": True}],
            },
            {},
            (True, None),
            id="removed-where-it-was",
        ),
        pytest.param(
            {"m": [{"name": "v", "removed": False, "error": NO_SUCH_VOLUME}]},
            {},
            (False, NO_SUCH_VOLUME),
            id="nowhere",
        ),
        pytest.param(
            {"m": [{"name": "v", "removed": False, "error": NO_SUCH_VOLUME}]},
            {"w": "its agent did not answer within 5 s"},
            (False, "not found on the nodes that answered; w: its agent did not answer within 5 s"),
            id="nowhere-that-answered",
        ),
        pytest.param(
            {
                "m": [{"name": "v", "removed": True}],
                "w": [{"name": "v", "removed": False, "error": "'v' is in use by a container"}],
            },
            {},
            (False, "'v' is in use by a container"),
            id="in-use-on-one-node",
        ),
    ],
)
def test_a_removal_is_reported_from_every_node(answers, missing, expected):
    assert removal_of("v", _removals(answers, missing)) == expected
