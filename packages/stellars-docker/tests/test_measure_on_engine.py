"""Measuring one user's volumes now, on the real engine: their sizes, and nobody else's volumes."""

import asyncio
import uuid

from jupyterhub import orm

from stellars_docker import DEFAULT_USER_VOLUMES, measure_user_volumes, volume_labels, volume_name
from stellars_docker.labels import MEASURE_ROLE, ROLE_LABEL
from stellars_docker.ownership_store import Account, account_of

MIB = 1024 * 1024


class RecordingClient:
    """The real engine's client; it notes what each container it is asked to create mounts."""

    def __init__(self, client):
        self._client = client
        self.created = []
        outer = self

        class Containers:
            def create(self, image, command, **kwargs):
                outer.created.append(kwargs)
                return client.containers.create(image, command, **kwargs)

            def __getattr__(self, name):
                return getattr(client.containers, name)

        self.containers = Containers()

    def __getattr__(self, name):
        return getattr(self._client, name)


def _user(db, name):
    user = orm.User(name=name)
    db.add(user)
    db.commit()
    return user


def _volume(docker_run, image, owner, suffix, mib):
    """Create *owner*'s volume *suffix* holding *mib* MiB of random bytes; return its name."""
    volume = next(v for v in DEFAULT_USER_VOLUMES if v.suffix == suffix)
    name = volume_name(volume, owner.name)
    docker_run.client.volumes.create(
        name, labels={**docker_run.labels, **volume_labels(owner, suffix)}
    )
    if mib:
        docker_run.client.containers.run(
            image,
            ["sh", "-c", f"head -c {mib * MIB} /dev/urandom > /v/data.bin"],
            entrypoint=[],
            volumes={name: {"bind": "/v", "mode": "rw"}},
            labels=docker_run.labels,
            user="0",
            remove=True,
        )
    return name


def _measure(client, db, user, lab_image, docker_run, timeout_s=60.0):
    return asyncio.run(
        measure_user_volumes(
            client,
            db,
            user.id,
            DEFAULT_USER_VOLUMES,
            image=lab_image,
            labels=docker_run.labels,
            timeout_s=timeout_s,
            limit_s=30.0,
        )
    )


def test_a_users_volumes_are_measured_and_nobody_elses_is_mounted(hub_db, docker_run, lab_image):
    run = docker_run.run_id
    # Volumes outlive a test: each database's run gets names of its own.
    ann_name = f"ann{uuid.uuid4().hex[:6]}{run}"
    # "ann" and "anna": one name the other's prefix, so a prefix match would mix them up.
    ann = _user(hub_db, ann_name)
    anna = _user(hub_db, f"{ann_name}a")
    ann_account = account_of(hub_db, ann.id)
    anna_account = account_of(hub_db, anna.id)
    home = _volume(docker_run, lab_image, ann_account, "home", 3)
    workspace = _volume(docker_run, lab_image, ann_account, "workspace", 1)
    others = {_volume(docker_run, lab_image, anna_account, "home", 2)}
    # A volume of ann's name that an earlier account of that name owns: not ann's.
    stranger = Account("an-earlier-account", ann_account.name)
    others.add(_volume(docker_run, lab_image, stranger, "cache", 1))

    client = RecordingClient(docker_run.client)
    measured = _measure(client, hub_db, ann, lab_image, docker_run)

    sizes = {volume.name: volume.size_bytes for volume in measured}
    assert set(sizes) == {home, workspace}
    assert sizes[home] >= 3 * MIB
    assert MIB <= sizes[workspace] < 2 * MIB
    (created,) = client.created
    mounted = created["volumes"]
    assert set(mounted) == {home, workspace}
    assert not others & set(mounted)
    assert all(mount["mode"] == "ro" for mount in mounted.values())
    assert created["network_disabled"] is True
    assert created["labels"][ROLE_LABEL] == MEASURE_ROLE
    # The measuring container is gone.
    left = docker_run.client.containers.list(
        all=True, filters={"label": f"{ROLE_LABEL}={MEASURE_ROLE}"}
    )
    assert [c.name for c in left if run in str(c.labels)] == []


def test_a_user_without_volumes_starts_nothing(hub_db, docker_run, lab_image):
    user = _user(hub_db, f"novol{uuid.uuid4().hex[:6]}{docker_run.run_id}")
    client = RecordingClient(docker_run.client)
    assert _measure(client, hub_db, user, lab_image, docker_run) == []
    assert client.created == []
