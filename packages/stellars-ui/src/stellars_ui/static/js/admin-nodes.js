// JupyterHub's admin page on a swarm: the swarm's nodes, and moving a stopped
// user to another.
//
// The section stays hidden unless GET .../stellars/swarm-nodes answers: on
// one engine (409), without Docker (501), or for an admin whose
// admin:servers is filtered to some users (403), there is nothing to show.
// A move is POST .../users/<name>/node; the copy runs in the hub's
// background, and this module follows it with GET on the same address once
// a second, showing each volume's bytes copied, until it is done or failed.
// Typing a user's name says which node their files are on, and picks up a
// move of theirs already under way.
//
// Names and texts from the hub reach the page through textContent only.
import { apiRequest, describeError, userPath } from "./api.js";
import { el, showStatus } from "./dom.js";
import { formatBytes } from "./format.js";

const section = document.getElementById("stellars-swarm-nodes");
const tbody = section.querySelector("tbody");
const form = section.querySelector(".stellars-move-form");
const userInput = form.querySelector("#stellars-move-user");
const nodeSelect = form.querySelector("#stellars-move-node");
const where = form.querySelector("#stellars-move-where");
const submit = form.querySelector(".stellars-move-submit");
const nodesStatus = section.querySelector(".stellars-nodes-status");
const moveStatus = section.querySelector(".stellars-move-status");
const volumesList = section.querySelector(".stellars-move-volumes");

const FOLLOW_EVERY_MS = 1000;
const COPYING = "copying";

// ------------------------------------------------------------ the nodes

function stateText(node) {
  if (node.takes_servers) return "ready";
  return node.state === "ready" ? node.availability : node.state;
}

function nodeRow(node) {
  const name = el("th", "stellars-node-name", node.name);
  name.scope = "row";
  const state = el("td", "stellars-node-state", stateText(node));
  if (!node.takes_servers) {
    state.replaceChildren(el("span", "badge text-bg-warning", stateText(node)));
    state.title = "It takes no servers now: its users cannot start, and nobody can be moved there";
  }
  const row = el("tr", "", name, el("td", "", node.role), state, el("td", "text-end", String(node.users)));
  row.dataset.node = node.name;
  return row;
}

function nodeOption(node) {
  const option = el("option", "", node.takes_servers ? node.name : `${node.name} (${stateText(node)})`);
  option.value = node.name;
  option.disabled = !node.takes_servers;
  return option;
}

// Returns whether the swarm answered (the section is shown only then).
async function loadNodes() {
  let data;
  try {
    ({ data } = await apiRequest("GET", "stellars/swarm-nodes"));
  } catch (error) {
    if (!section.hidden) showStatus(nodesStatus, `The nodes could not be read: ${describeError(error)}`, "danger");
    return false;
  }
  nodesStatus.hidden = true;
  tbody.replaceChildren(...data.nodes.map(nodeRow));
  const chosen = nodeSelect.value;
  nodeSelect.replaceChildren(el("option", "", "Choose a node"), ...data.nodes.map(nodeOption));
  nodeSelect.firstChild.value = "";
  nodeSelect.value = data.nodes.some((node) => node.name === chosen && node.takes_servers) ? chosen : "";
  form.hidden = !data.moves_files;
  section.querySelector(".stellars-nodes-intro").hidden = !data.moves_files;
  section.querySelector(".stellars-nodes-shared").hidden = data.moves_files;
  section.hidden = false;
  return true;
}

// ------------------------------------------------------------ a move

function volumeItem(copy) {
  const total = copy.size_bytes;
  const said = copy.done ? "copied" : `${formatBytes(copy.copied_bytes)}${total === null ? "" : ` of ${formatBytes(total)}`}`;
  const bar = el("progress", "stellars-move-bar w-100");
  bar.max = 1;
  // A size not known, or outgrown (the files changed since it was measured): no fraction to show.
  if (copy.done) bar.value = 1;
  else if (total) bar.value = Math.min(copy.copied_bytes / total, 1);
  else bar.removeAttribute("value");
  const label = el("div", "small d-flex justify-content-between gap-2", el("code", "", copy.name), el("span", "", said));
  bar.setAttribute("aria-label", `${copy.name}: ${said}`);
  const item = el("li", "mb-2", label, bar);
  item.dataset.volume = copy.name;
  return item;
}

function showMove(user, move) {
  volumesList.replaceChildren(...move.volumes.map(volumeItem));
  volumesList.hidden = move.volumes.length === 0;
  if (move.state === COPYING) {
    showStatus(moveStatus, `Moving ${user} to ${move.target}: copying their files…`, "info");
  } else if (move.state === "done") {
    const how = move.files === "copy" ? "with their files" : "without their files";
    const note = move.note ? ` Note: ${move.note}.` : "";
    showStatus(moveStatus, `${user} moved to ${move.target} ${how}: their server starts there.${note}`, "success");
  } else {
    const stays = move.source ? ` ${user} stays on ${move.source} with their files.` : "";
    showStatus(moveStatus, `The move of ${user} to ${move.target} failed: ${move.error}.${stays}`, "danger");
  }
}

function whereText(node) {
  return node ? `Their files are on ${node}.` : "They have no files on any node yet.";
}

let following = null;

// Follows *user*'s move until it ends; a newer follow stops an older one.
async function follow(user) {
  const mine = Symbol(user);
  following = mine;
  submit.disabled = true;
  try {
    for (;;) {
      let data;
      try {
        ({ data } = await apiRequest("GET", userPath(user, "node")));
      } catch (error) {
        if (following === mine) showStatus(moveStatus, `The move could not be followed: ${describeError(error)}`, "danger");
        return;
      }
      if (following !== mine) return;
      if (data.move) showMove(user, data.move);
      if (!data.move || data.move.state !== COPYING) {
        if (userInput.value.trim() === user) where.textContent = whereText(data.node);
        await loadNodes();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_EVERY_MS));
      if (following !== mine) return;
    }
  } finally {
    if (following === mine) {
      following = null;
      submit.disabled = false;
    }
  }
}

async function move(event) {
  event.preventDefault();
  const user = userInput.value.trim();
  const node = nodeSelect.value;
  if (!user || !node) {
    showStatus(moveStatus, !user ? "Say which user to move." : "Choose the node to move them to.", "warning");
    (user ? nodeSelect : userInput).focus();
    return;
  }
  const files = form.querySelector("input[name=files]:checked").value;
  submit.disabled = true;
  volumesList.hidden = true;
  try {
    await apiRequest("POST", userPath(user, "node"), { node, files });
  } catch (error) {
    showStatus(moveStatus, `${user} was not moved: ${describeError(error)}`, "danger");
    submit.disabled = following !== null;
    return;
  }
  follow(user);
}

// Where the user named now has their files, and their move if one is under way.
async function lookUp() {
  const user = userInput.value.trim();
  where.textContent = "";
  if (!user) return;
  try {
    const { data } = await apiRequest("GET", userPath(user, "node"));
    if (userInput.value.trim() !== user) return;
    where.textContent = whereText(data.node);
    if (data.move && data.move.state === COPYING && following === null) follow(user);
  } catch (error) {
    if (userInput.value.trim() === user) where.textContent = describeError(error);
  }
}

// admin.html includes this module exactly where it renders the section.
form.addEventListener("submit", move);
userInput.addEventListener("change", lookUp);
loadNodes();
