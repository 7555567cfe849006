// The home page's server card: the default server's state and uptime, the
// profile it started with, CPU and memory against the limits in force, and
// each volume with its size, with "Measure now" while a size is not known.
// It tells the page's other modules what it found with a "stellars:server"
// event ({state, volumes}) and looks again on "stellars:refresh".
// Everything the hub says goes in through textContent, never as HTML.
import { apiRequest, describeError, hubData, userPath } from "./api.js";
import { formatBytes, formatDuration, formatPercent, NO_VALUE, volumeTitle } from "./format.js";

const REFRESH_EVERY_MS = 15_000;
const STATES = {
  running: ["Running", "text-bg-success"],
  starting: ["Starting", "text-bg-info"],
  stopping: ["Stopping", "text-bg-warning"],
  stopped: ["Stopped", "text-bg-secondary"],
  unknown: ["Unknown", "text-bg-secondary"],
};

const user = hubData().user;
const card = document.getElementById("stellars-server-card");
const badge = document.getElementById("stellars-server-state");
const byId = (id) => document.getElementById(id);
const volumesSection = byId("stellars-server-volumes-section");
const volumeList = byId("stellars-server-volumes");
const measureButton = byId("stellars-measure");
const measureStatus = byId("stellars-measure-status");

// A hub without stellars-docker (Kubernetes) serves no volume, policy or stats
// routes: the card never asks them.
const docker = card.dataset.docker !== "no";
let volumes = []; // the user's volumes as manage-volumes last listed them
let state = "unknown";
let timer = null;

// ---- state, uptime and profile

function stateOf(model) {
  const server = model.servers && model.servers[""];
  if (!server) return { state: "stopped", started: null };
  if (server.pending === "stop") return { state: "stopping", started: server.started };
  if (server.pending || !server.ready) return { state: "starting", started: server.started };
  return { state: "running", started: server.started };
}

function showRow(name, text) {
  byId(`stellars-server-${name}-row`).hidden = text === null;
  if (text !== null) byId(`stellars-server-${name}`).textContent = text;
}

function showBar(name, percent) {
  const bar = byId(`stellars-server-${name}-bar`);
  bar.hidden = percent === null;
  if (percent === null) return;
  const shown = Math.min(100, Math.max(0, percent));
  bar.setAttribute("aria-valuenow", String(Math.round(shown)));
  const fill = bar.querySelector(".progress-bar");
  fill.style.width = `${shown}%`;
  fill.classList.toggle("bg-danger", shown >= 90);
  fill.classList.toggle("bg-warning", shown >= 75 && shown < 90);
}

// The profile the running server started with, by the name people chose it
// by; null when no group policy offered one.
function profileOf(policy) {
  const server = policy && policy.servers.find((entry) => entry.name === "");
  if (!server || !server.profile) return null;
  const offered = policy.policy.profiles.find((profile) => profile.name === server.profile);
  return offered ? offered.display_name : server.profile;
}

// ---- CPU and memory

function showResources(stats, policy) {
  const sampled = state === "running" && stats && stats.sampled_at;
  // Without containers (the local spawner) nothing is ever sampled: no rows.
  if (state !== "running" || (stats && !stats.containers)) {
    showRow("cpu", null);
    showRow("memory", null);
    return;
  }
  if (!sampled) {
    showRow("cpu", "not measured yet");
    showRow("memory", "not measured yet");
    showBar("cpu", null);
    showBar("memory", null);
    return;
  }
  const cores = policy ? policy.cpu_limit : null;
  if (cores) {
    const share = stats.cpu_percent / cores;
    showRow("cpu", `${formatPercent(share)} of ${cores} CPU${cores === 1 ? "" : "s"}`);
    showBar("cpu", share);
  } else {
    showRow("cpu", `${formatPercent(stats.cpu_percent)} of one CPU (no limit)`);
    showBar("cpu", null);
  }
  const limitBytes = stats.memory_limit_bytes;
  const ofWhat = policy && policy.mem_limit ? "" : " (the host's memory: no limit)";
  showRow("memory", `${formatBytes(stats.memory_bytes)} of ${formatBytes(limitBytes)}${ofWhat}`);
  showBar("memory", limitBytes ? (100 * stats.memory_bytes) / limitBytes : null);
}

// ---- volumes

function volumeItem(volume) {
  const item = document.createElement("li");
  item.className = "stellars-volume";
  item.dataset.suffix = volume.suffix;
  const head = document.createElement("div");
  head.className = "stellars-volume-head";
  const name = document.createElement("strong");
  name.textContent = volumeTitle(volume.suffix);
  const size = document.createElement("span");
  size.className = "stellars-volume-size";
  size.dataset.known = String(volume.size_bytes !== null);
  size.textContent = volume.size_bytes === null ? "not measured yet" : formatBytes(volume.size_bytes);
  head.append(name, size);
  const detail = document.createElement("div");
  detail.className = "small text-body-secondary stellars-volume-detail";
  detail.textContent = [volume.description, volume.mount_point, volume.name]
    .filter(Boolean)
    .join(" · ");
  item.append(head, detail);
  return item;
}

function renderVolumes() {
  volumesSection.hidden = volumes.length === 0;
  volumeList.replaceChildren(...volumes.map(volumeItem));
  measureButton.hidden = !volumes.some((volume) => volume.size_bytes === null);
}

async function listVolumes() {
  if (!docker) {
    renderVolumes();
    return;
  }
  try {
    const { data } = await apiRequest("GET", userPath(user, "manage-volumes"));
    volumes = data.volumes;
  } catch (error) {
    // 501: servers are not containers here, so there are no volumes to show.
    if (error.status !== 501) console.warn("stellars: volumes:", describeError(error));
    volumes = [];
  }
  renderVolumes();
}

async function measure() {
  measureButton.disabled = true;
  measureStatus.dataset.outcome = "progress";
  measureStatus.textContent = "Measuring your volumes…";
  try {
    const { data } = await apiRequest("POST", userPath(user, "volume-sizes"), {});
    const sizes = new Map(data.volumes.map((volume) => [volume.suffix, volume.size_bytes]));
    volumes = volumes.map((volume) =>
      sizes.has(volume.suffix) ? { ...volume, size_bytes: sizes.get(volume.suffix) } : volume,
    );
    renderVolumes();
    measureStatus.dataset.outcome = "done";
    measureStatus.textContent = "Measured just now.";
    document.dispatchEvent(new CustomEvent("stellars:volume-sizes"));
  } catch (error) {
    measureStatus.dataset.outcome = "failed";
    measureStatus.textContent = `Could not measure: ${describeError(error)}`;
  } finally {
    measureButton.disabled = false;
  }
}

// ---- following the server

async function optional(path) {
  try {
    return (await apiRequest("GET", userPath(user, path))).data;
  } catch (error) {
    console.warn(`stellars: ${path}:`, describeError(error));
    return null;
  }
}

async function refresh() {
  clearTimeout(timer);
  try {
    const [{ data: model }, policy, stats] = await Promise.all([
      apiRequest("GET", `users/${encodeURIComponent(user)}`),
      docker ? optional("effective-policy") : null,
      docker ? optional("server-stats") : null,
    ]);
    const found = stateOf(model);
    const changed = found.state !== state;
    state = found.state;
    card.dataset.state = state;
    const [word, colour] = STATES[state];
    badge.textContent = word;
    badge.dataset.state = state;
    badge.className = `badge stellars-server-state ${colour}`;
    const up = state === "running" && found.started;
    showRow("uptime", up ? formatDuration((Date.now() - Date.parse(found.started)) / 1000) : null);
    showRow("profile", state === "running" ? profileOf(policy) : null);
    showResources(stats, policy && policy.policy);
    // Volumes appear at a first start and go at a reset: list them again
    // when the state changes, not at every refresh (each listing asks the engine).
    if (changed) await listVolumes();
    document.dispatchEvent(new CustomEvent("stellars:server", { detail: { state, volumes } }));
  } catch (error) {
    console.warn("stellars: server state:", describeError(error));
  }
  timer = document.hidden ? null : setTimeout(refresh, REFRESH_EVERY_MS);
}

async function followStop() {
  // JupyterHub's own "Stop My Server" stops the server without a reload.
  for (let tries = 0; tries < 120 && state !== "stopped"; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await refresh();
  }
}

function wire() {
  measureButton.addEventListener("click", measure);
  document.addEventListener("stellars:refresh", async () => {
    await listVolumes();
    await refresh();
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  // JupyterHub's Start and Stop join the card's actions: every action in one place.
  const actions = byId("stellars-server-controls");
  const stop = byId("stop");
  const start = byId("start");
  if (stop) {
    actions.prepend(stop);
    stop.addEventListener("click", followStop);
  }
  if (start) actions.prepend(start);
  for (const button of [start, stop]) {
    if (button) button.classList.remove("btn-lg");
  }
  showRow("uptime", null);
  badge.textContent = NO_VALUE;
}

wire();
refresh();
