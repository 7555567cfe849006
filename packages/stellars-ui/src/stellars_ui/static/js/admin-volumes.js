// JupyterHub's admin page: what becomes of a deleted user's volumes, and the
// archive of deleted accounts' volumes.
//
// The admin page's React bundle deletes a user with fetch
// (DELETE <base_url>api/users/<name>) and reads only the answer's status.
// This module wraps window.fetch: that one request is held back while a
// dialog shows the user's volumes with their sizes and asks "Delete volumes"
// or "Keep as archive"; the platform's DELETE .../users/<name>/account then
// does the deletion, and the page gets a 204 as from core, so it refreshes
// its list as usual. Cancel answers the page 409 (nothing deleted). On a hub
// whose servers are not containers (the volume list answers 501) the request
// goes through to core unchanged. Every other request passes untouched.
//
// Names reach the page through textContent only.
import { apiRequest, describeError, hubData, userPath } from "./api.js";
import { el, showStatus as say } from "./dom.js";
import { formatBytes, formatTimestamp } from "./format.js";

const USERS_PATH = new URL(`${hubData().base_url}api/users/`, window.location.origin).pathname;
const NOT_DOCKER = 501;

// ------------------------------------------------------------ small helpers

function jsonResponse(status, body) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: body === null ? {} : { "Content-Type": "application/json" },
  });
}

// ------------------------------------------------------------ the delete dialog

const dialog = document.getElementById("stellars-delete-dialog");

// The user named by a DELETE of exactly <base_url>api/users/<name>, or null.
// Deciding must never break the request itself, whatever it was called with.
function deletedUser(input, init) {
  try {
    const request = input instanceof Request ? input : null;
    const method = (init && init.method) || (request ? request.method : "GET");
    const url = new URL(request ? request.url : String(input), window.location.href);
    if (method.toUpperCase() !== "DELETE" || url.origin !== window.location.origin) return null;
    if (!url.pathname.startsWith(USERS_PATH)) return null;
    const rest = url.pathname.slice(USERS_PATH.length);
    return rest && !rest.includes("/") ? decodeURIComponent(rest) : null;
  } catch {
    return null;
  }
}

function volumeRow(volume) {
  const name = el("th", "", el("span", "", volume.suffix), el("div", "small text-body-secondary", volume.name));
  name.scope = "row";
  const row = el("tr", "", name, el("td", "text-end", formatBytes(volume.size_bytes)));
  row.dataset.volume = volume.name;
  return row;
}

// Opens the dialog for *user* and resolves with the answer the page gets.
function askAndDelete(user, volumes) {
  const status = dialog.querySelector(".stellars-delete-status");
  const tbody = dialog.querySelector("tbody");
  const buttons = [...dialog.querySelectorAll("button")];
  dialog.querySelector(".stellars-delete-user").textContent = user;
  status.hidden = true;
  tbody.replaceChildren(
    ...(volumes.length ? volumes.map(volumeRow) : [el("tr", "", el("td", "text-body-secondary", "No volumes."))]),
  );
  return new Promise((resolve) => {
    const done = (response) => {
      controller.abort();
      dialog.close();
      resolve(response);
    };
    const controller = new AbortController();
    const { signal } = controller;
    const choose = async (choice) => {
      buttons.forEach((button) => (button.disabled = true));
      say(status, choice === "delete" ? "Deleting the user and the volumes…" : "Deleting the user…", "info");
      try {
        await apiRequest("DELETE", userPath(user, "account"), { volumes: choice });
        done(jsonResponse(204, null));
      } catch (error) {
        say(status, `Not deleted: ${describeError(error)}`, "danger");
        buttons.forEach((button) => (button.disabled = false));
      }
    };
    dialog.querySelector(".stellars-delete").addEventListener("click", () => choose("delete"), { signal });
    dialog.querySelector(".stellars-archive").addEventListener("click", () => choose("archive"), { signal });
    const cancel = () => done(jsonResponse(409, { status: 409, message: "Deletion cancelled." }));
    dialog.querySelector(".stellars-cancel").addEventListener("click", cancel, { signal });
    dialog.addEventListener(
      "cancel",
      (event) => {
        event.preventDefault();
        cancel();
      },
      { signal },
    );
    buttons.forEach((button) => (button.disabled = false));
    dialog.showModal();
  });
}

async function interceptDelete(user, pageFetch, args) {
  let volumes;
  try {
    ({ data: { volumes } } = await apiRequest("GET", userPath(user, "manage-volumes")));
  } catch (error) {
    // No containers, no volumes: core's delete is the whole story.
    if (error.status === NOT_DOCKER) return pageFetch.apply(window, args);
    volumes = [];
    const answer = askAndDelete(user, volumes);
    say(dialog.querySelector(".stellars-delete-status"), `The volumes could not be listed: ${describeError(error)}`, "warning");
    return answer;
  }
  return askAndDelete(user, volumes);
}

if (dialog) {
  const pageFetch = window.fetch;
  window.fetch = function fetchAskingAboutVolumes(...args) {
    const user = deletedUser(...args);
    if (user === null) return pageFetch.apply(window, args);
    return interceptDelete(user, pageFetch, args);
  };
}

// ------------------------------------------------------------ the archive

const archive = document.getElementById("stellars-volume-archive");

function actionButton(label, className, action) {
  const button = el("button", `btn btn-sm ${className}`, label);
  button.type = "button";
  button.addEventListener("click", () => action(button));
  return button;
}

async function act(method, path, body, success) {
  let outcome;
  try {
    await apiRequest(method, path, body);
    outcome = [success, "success"];
  } catch (error) {
    outcome = [describeError(error), "danger"];
  }
  // The outcome is said once the rows are redrawn: a row clicked before
  // then (a purge being confirmed) would be replaced under the pointer.
  if (await loadArchive()) say(archive.querySelector(".stellars-archive-status"), ...outcome);
}

function archiveRow(volume) {
  const path = `stellars/archived-volumes/${encodeURIComponent(volume.name)}`;
  const assign = actionButton(`Assign to ${volume.owner_name}`, "btn-outline-primary stellars-assign", () =>
    act("POST", `${path}/assign`, { user: volume.owner_name }, `${volume.name} now belongs to ${volume.owner_name}.`),
  );
  // Two clicks: purging removes the files for good.
  const purge = actionButton("Purge", "btn-outline-danger stellars-purge", (button) => {
    if (button.dataset.armed !== "true") {
      button.dataset.armed = "true";
      button.textContent = "Confirm purge";
      return;
    }
    act("DELETE", path, undefined, `${volume.name} purged.`);
  });
  // On a swarm whose volumes are each node's own, where the files are.
  const where = volume.nodes.length
    ? el("div", "small fw-normal text-body-secondary stellars-archive-nodes", `on ${volume.nodes.join(", ")}`)
    : "";
  const name = el("th", "", el("code", "stellars-archive-name", volume.name), where);
  name.scope = "row";
  const row = el(
    "tr",
    "",
    name,
    el("td", "stellars-archive-owner", volume.owner_name),
    el("td", "", volume.deleted_at ? formatTimestamp(volume.deleted_at) : "not recorded"),
    el("td", "text-end", formatBytes(volume.size_bytes)),
    el("td", "text-end text-nowrap", assign, " ", purge),
  );
  row.dataset.volume = volume.name;
  return row;
}

// Returns whether the archive could be read (when not, the status says why).
async function loadArchive() {
  const tbody = archive.querySelector("tbody");
  const empty = archive.querySelector(".stellars-archive-empty");
  tbody.setAttribute("aria-busy", "true");
  try {
    const { data } = await apiRequest("GET", "stellars/archived-volumes");
    tbody.replaceChildren(...data.volumes.map(archiveRow));
    empty.hidden = data.volumes.length > 0;
    return true;
  } catch (error) {
    tbody.replaceChildren();
    empty.hidden = true;
    if (error.status === NOT_DOCKER) {
      archive.hidden = true;
      return false;
    }
    say(archive.querySelector(".stellars-archive-status"), `The archive could not be read: ${describeError(error)}`, "danger");
    return false;
  } finally {
    tbody.removeAttribute("aria-busy");
  }
}

if (archive) {
  loadArchive();
  // A delete through the dialog may have archived volumes: show them.
  if (dialog) dialog.addEventListener("close", loadArchive);
}
