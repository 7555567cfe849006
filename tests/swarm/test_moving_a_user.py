"""An admin moves a user to another node: the files go with them, or nothing changes.

The hub has the new node's agent copy each of the user's volumes from the
old node's agent, pins the user to the new node once all are there, and
removes the old copies; a copy that fails leaves the user where they were.
Through the API, and on the admin page in a real browser.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright
from servers import (
    node_names,
    read_file,
    service_name,
    set_availability,
    start,
    stop,
    wait_ready,
    write_file,
)

from stellars_testing import wait_until
from stellars_testing.browser import assert_accessible, assert_fits, launch, log_in, visit

MOVED = "mover"
KEPT = "stayer"
# Big enough that the copy is more than one chunk of the agents' stream.
BIG_BYTES = 3 * 1024 * 1024
MOVE_WITHIN_S = 120


def _volumes_of(swarm_hub, node: str, username: str) -> dict[str, dict]:
    client = swarm_hub.swarm.node_named(node).client
    prefix = f"jupyterlab-{username}_"
    return {
        v.name: v.attrs.get("Labels") or {}
        for v in client.volumes.list()
        if v.name.startswith(prefix)
    }


def _move(swarm_hub, username: str, node: str, **body):
    return swarm_hub.api("POST", f"users/{username}/node", json={"node": node, **body})


def _finished(swarm_hub, username: str) -> dict:
    def finished() -> dict | None:
        answer = swarm_hub.api("GET", f"users/{username}/node")
        assert answer.status_code == 200, answer.text
        move = answer.json()["move"]
        return answer.json() if move and move["state"] != "copying" else None

    return wait_until(finished, timeout_s=MOVE_WITHIN_S, interval_s=1, what=f"{username}'s move")


def _started_on(swarm_hub, username: str) -> str:
    start(swarm_hub, username)
    wait_ready(swarm_hub, username)
    return swarm_hub.node_of(service_name(username))


@pytest.fixture(scope="module")
def users(swarm_hub):
    response = swarm_hub.api("POST", "users", json={"usernames": [MOVED, KEPT]})
    assert response.status_code == 201, response.text
    return {username: _started_on(swarm_hub, username) for username in (MOVED, KEPT)}


def test_a_moved_user_finds_their_files_on_the_new_node_and_the_old_copies_are_gone(
    swarm_hub, users
):
    old = users[MOVED]
    write_file(swarm_hub, MOVED, "kept.txt", f"written on {old}")
    write_file(swarm_hub, MOVED, "big.txt", "y" * BIG_BYTES)
    new = next(name for name in node_names(swarm_hub) if name != old)

    running = _move(swarm_hub, MOVED, new)
    assert running.status_code == 409, running.text
    assert "stop it" in running.json()["message"]
    stop(swarm_hub, MOVED)
    before = _volumes_of(swarm_hub, old, MOVED)
    assert len(before) == 3, before

    begun = _move(swarm_hub, MOVED, new)

    assert begun.status_code == 202, begun.text
    assert begun.json()["move"]["state"] == "copying"
    assert (begun.json()["move"]["source"], begun.json()["move"]["target"]) == (old, new)
    answer = _finished(swarm_hub, MOVED)
    move = answer["move"]
    assert move["state"] == "done", move
    assert move["note"] is None, move
    assert answer["node"] == new
    assert sorted(v["name"] for v in move["volumes"]) == sorted(before)
    assert all(v["done"] for v in move["volumes"])
    assert max(v["copied_bytes"] for v in move["volumes"]) > BIG_BYTES
    assert _volumes_of(swarm_hub, old, MOVED) == {}
    copies = _volumes_of(swarm_hub, new, MOVED)
    assert set(copies) == set(before)
    assert {labels["org.stellars-hub.owner-name"] for labels in copies.values()} == {MOVED}

    assert _started_on(swarm_hub, MOVED) == new
    assert read_file(swarm_hub, MOVED, "kept.txt") == f"written on {old}"
    assert read_file(swarm_hub, MOVED, "big.txt") == "y" * BIG_BYTES
    # The files kept their owner: the user can still change them.
    write_file(swarm_hub, MOVED, "kept.txt", "changed after the move")
    stop(swarm_hub, MOVED)


def _admin_page(browser, swarm_hub):
    page = log_in(browser, swarm_hub, swarm_hub.admin, swarm_hub.password)
    page.set_default_timeout(30_000)
    visit(page, swarm_hub.hub_url("admin"))
    page.get_by_role("button", name="Add Users").wait_for()
    return page


def test_an_admin_moves_a_user_on_the_admin_page(swarm_hub, users, tmp_path):
    # The user is stopped, on the node the test before moved them to.
    old = swarm_hub.api("GET", f"users/{MOVED}/node").json()["node"]
    new = next(name for name in node_names(swarm_hub) if name != old)
    before = _volumes_of(swarm_hub, old, MOVED)
    assert len(before) == 3, before

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = _admin_page(browser, swarm_hub)
            section = page.locator("#stellars-swarm-nodes")
            expect(section).to_be_visible()
            for name in node_names(swarm_hub):
                expect(section.locator(f'tr[data-node="{name}"]')).to_contain_text("ready")
            status = section.locator(".stellars-move-status")
            page.fill("#stellars-move-user", MOVED)
            page.locator("#stellars-move-user").press("Tab")
            expect(page.locator("#stellars-move-where")).to_have_text(f"Their files are on {old}.")
            # Where they are already: the hub's refusal, shown; nothing moves.
            page.select_option("#stellars-move-node", old)
            page.get_by_role("button", name="Move", exact=True).click()
            expect(status).to_contain_text(f"files are on the node {old} already")
            expect(status).to_have_class(re.compile(r"\balert-danger\b"))

            page.select_option("#stellars-move-node", new)
            page.get_by_role("button", name="Move", exact=True).click()
            expect(status).to_have_text(
                f"{MOVED} moved to {new} with their files: their server starts there.",
                timeout=MOVE_WITHIN_S * 1000,
            )
            volumes = section.locator(".stellars-move-volumes li")
            expect(volumes).to_have_count(len(before))
            for item in volumes.all():
                expect(item).to_contain_text("copied")
            expect(section.locator(f'tr[data-node="{new}"] td').last).not_to_have_text("0")
            assert_accessible(page)
            assert_fits(page)
            section.scroll_into_view_if_needed()
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                section.screenshot(path=tmp_path / f"swarm-nodes-{width}.png")
        finally:
            browser.close()

    assert swarm_hub.api("GET", f"users/{MOVED}/node").json()["node"] == new
    assert set(_volumes_of(swarm_hub, new, MOVED)) == set(before)
    assert _volumes_of(swarm_hub, old, MOVED) == {}


def test_a_move_nowhere_the_user_can_go_is_refused_and_changes_nothing(swarm_hub, users):
    stop(swarm_hub, KEPT)
    old = users[KEPT]
    before = _volumes_of(swarm_hub, old, KEPT)

    unknown = _move(swarm_hub, KEPT, "no-such-node")
    same = _move(swarm_hub, KEPT, old)
    bad = _move(swarm_hub, KEPT, old, files="shred")
    other = next(name for name in node_names(swarm_hub) if name != old)
    set_availability(swarm_hub, other, "drain")
    try:
        drained = _move(swarm_hub, KEPT, other)
    finally:
        set_availability(swarm_hub, other, "active")

    assert unknown.status_code == 400, unknown.text
    assert "no node 'no-such-node'" in unknown.json()["message"]
    assert same.status_code == 409, same.text
    assert bad.status_code == 400, bad.text
    assert drained.status_code == 409, drained.text
    assert "drain" in drained.json()["message"]
    assert swarm_hub.api("GET", f"users/{KEPT}/node").json() == {"node": old, "move": None}
    assert _volumes_of(swarm_hub, old, KEPT) == before


def test_a_copy_that_fails_leaves_the_user_and_their_files_where_they_were(
    swarm_hub, users, lab_image
):
    old = users[KEPT]
    content = "the files stay"
    assert _started_on(swarm_hub, KEPT) == old
    write_file(swarm_hub, KEPT, "stays.txt", content)
    stop(swarm_hub, KEPT)
    before = _volumes_of(swarm_hub, old, KEPT)
    new = next(name for name in node_names(swarm_hub) if name != old)
    # The new node's agent cannot hold a volume without the lab image.
    target = swarm_hub.swarm.node_named(new)
    image_id = swarm_hub.swarm.host.images.get(lab_image).id
    target.client.images.remove(lab_image, force=True)
    try:
        begun = _move(swarm_hub, KEPT, new)
        assert begun.status_code == 202, begun.text
        answer = _finished(swarm_hub, KEPT)
    finally:
        swarm_hub.swarm.loaded.get(target.name, set()).discard(image_id)
        swarm_hub.swarm.load_image(lab_image, [target])

    move = answer["move"]
    assert move["state"] == "failed", move
    assert "No such image" in move["error"] or "not found" in move["error"], move
    assert answer["node"] == old
    assert _volumes_of(swarm_hub, new, KEPT) == {}
    assert _volumes_of(swarm_hub, old, KEPT) == before
    assert _started_on(swarm_hub, KEPT) == old
    assert read_file(swarm_hub, KEPT, "stays.txt") == content
    stop(swarm_hub, KEPT)
