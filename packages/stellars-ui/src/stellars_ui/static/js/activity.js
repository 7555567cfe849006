// The Activity page: a table of the users the reader may see, a page at a
// time from GET /hub/api/activity, which searches, filters, sorts and pages
// on the hub; refreshed on a timer. What the reader chose (search, filter,
// sort, page) lives in the page's URL, so a refresh or a reload keeps it.
// "Sample now" and "Reset activity" for those whose scopes allow them (the
// template renders those buttons only then); CSV and HTML exports of the
// whole filtered table. User-supplied text goes in through textContent and
// DOM nodes only, never as HTML.
import { ApiError, apiRequest, describeError, hubData } from "./api.js";
import { el, plural } from "./dom.js";
import {
  NO_VALUE,
  formatBytes,
  formatDuration,
  formatHours,
  formatPercent,
  formatRelativeTime,
  formatTimestamp,
} from "./format.js";

const page = document.getElementById("stellars-activity");
const table = document.getElementById("stellars-activity-table");
const tbody = table.tBodies[0];
const headers = [...table.querySelectorAll("th[data-sort-key]")];
const summary = document.getElementById("stellars-activity-summary");
const sampling = document.getElementById("stellars-activity-sampling");
const missingNodes = document.getElementById("stellars-activity-nodes");
const status = document.getElementById("stellars-activity-status");
const updated = document.getElementById("stellars-activity-updated");
const sampleButton = document.getElementById("stellars-activity-sample");
const resetButton = document.getElementById("stellars-activity-reset");
const resetDialog = document.getElementById("stellars-activity-reset-dialog");
const searchBox = document.getElementById("stellars-activity-search");
const chips = [...document.querySelectorAll("#stellars-activity-controls .stellars-chip")];
const exportButtons = [...document.querySelectorAll("#stellars-activity-controls [data-export]")];
const range = document.getElementById("stellars-activity-range");
const previousButton = document.getElementById("stellars-activity-previous");
const nextButton = document.getElementById("stellars-activity-next");
const limitSelect = document.getElementById("stellars-activity-limit");

const refreshSeconds = Math.max(1, Number(page.dataset.refreshInterval) || 60);
const SVG = "http://www.w3.org/2000/svg";
const DAY_MS = 86400 * 1000;

let users = []; // the rows of the last answer, in the hub's order
let total = 0; // how many users the search and filter keep, on every page
let settings = {}; // the monitor's settings from the same answer
let hubNow = Date.now(); // the hub's clock at that answer: "5 minutes ago" is measured from it
let timer = null; // the one pending refresh, if any
let searchTimer = null; // typing waits for a pause before it asks the hub
let generation = 0; // answers to a request older than the newest one are dropped

// ------------------------------------------------------------ the reader's choices

const SORT_KEYS = new Set(headers.map((header) => header.dataset.sortKey));
const STATES = new Set(chips.map((chip) => chip.dataset.state));
const LIMITS = new Set([...limitSelect.options].map((option) => Number(option.value)));
const DEFAULT_VIEW = { name: "", state: "", sort: "username", order: "asc", offset: 0, limit: 50 };

// The view from the page's URL; anything unknown there falls back to the default.
function viewFromUrl() {
  const query = new URLSearchParams(window.location.search);
  const offset = Number(query.get("offset"));
  const limit = Number(query.get("limit"));
  return {
    name: (query.get("name") || "").slice(0, 255),
    state: STATES.has(query.get("state")) ? query.get("state") : DEFAULT_VIEW.state,
    sort: SORT_KEYS.has(query.get("sort")) ? query.get("sort") : DEFAULT_VIEW.sort,
    order: query.get("order") === "desc" ? "desc" : "asc",
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
    limit: LIMITS.has(limit) ? limit : DEFAULT_VIEW.limit,
  };
}

let view = viewFromUrl();

// The query the hub reads: only what differs from its defaults (and the page size).
function viewQuery({ paged = true } = {}) {
  const query = new URLSearchParams();
  if (view.name) query.set("name", view.name);
  if (view.state) query.set("state", view.state);
  query.set("sort", view.sort);
  query.set("order", view.order);
  if (paged) {
    query.set("offset", String(view.offset));
    query.set("limit", String(view.limit));
  }
  return query;
}

// The URL keeps the view: a reload, a bookmark or a shared link shows the same table.
function keepInUrl() {
  const url = new URL(window.location.href);
  url.search = viewQuery().toString();
  window.history.replaceState(null, "", url);
}

function changeView(changes) {
  view = { ...view, ...changes };
  keepInUrl();
  renderControls();
  refresh();
}

// ------------------------------------------------------------ small helpers

function isMissing(value) {
  return value === null || value === undefined;
}

function say(message, kind, source = "action") {
  status.textContent = message;
  status.className = `alert alert-${kind}`;
  // A refresh that works again clears its own error, never an action's outcome.
  status.dataset.source = source;
  status.hidden = false;
}

function dailyHours(user) {
  return user.daily_hours || [];
}

// ------------------------------------------------------------ server state

// green: running and recently active; amber: running but idle; grey: offline.
function serverState(user) {
  if (!user.server_active) return "offline";
  return user.recently_active ? "active" : "idle";
}

function stateText(user, state) {
  const minutes = settings.inactive_after_minutes;
  const recent = isMissing(minutes) ? "" : ` (last ${minutes} min)`;
  const text = {
    active: `Running and recently active${recent}`,
    idle: `Running but idle: no activity${recent}`,
    offline: "Offline: no server running",
  }[state];
  const pending = { spawn: "starting", stop: "stopping" }[user.server_pending];
  return pending ? `${text} · ${pending}` : text;
}

// ------------------------------------------------------------ sorting

// The hub sorts (a missing value last in either direction); a header asks it to.
function sortBy(header) {
  const key = header.dataset.sortKey;
  const first = header.dataset.sortFirst === "descending" ? "desc" : "asc";
  const order = view.sort === key ? (view.order === "asc" ? "desc" : "asc") : first;
  changeView({ sort: key, order, offset: 0 });
}

function renderSortState() {
  for (const header of headers) {
    if (header.dataset.sortKey === view.sort) {
      header.setAttribute("aria-sort", view.order === "desc" ? "descending" : "ascending");
    } else {
      header.removeAttribute("aria-sort");
    }
  }
}

// ------------------------------------------------------------ cells

// Quantities line up on the right, as in their headers.
const NUMERIC_COLUMNS = new Set(["cpu", "memory", "volumes", "time_left"]);

function cell(column, ...children) {
  const td = el("td", NUMERIC_COLUMNS.has(column) ? "text-end" : "", ...children);
  td.dataset.column = column;
  return td;
}

function userCell(user) {
  const td = cell("username", user.username);
  td.title = user.username; // the whole name, should the column cut it
  if (user.admin) td.append(" ", el("span", "badge text-bg-light border", "admin"));
  return td;
}

function authorizedCell(user) {
  if (isMissing(user.authorized)) {
    const unknown = el("span", "", NO_VALUE);
    unknown.title = "Not known";
    return cell("authorized", unknown);
  }
  return cell("authorized", user.authorized ? "yes" : "no");
}

function statusCell(user) {
  const state = serverState(user);
  const text = stateText(user, state);
  const dot = el("span", `stellars-dot stellars-dot-${state}`);
  dot.title = text;
  dot.dataset.state = state;
  // The colour alone says nothing to a screen reader.
  const parts = [dot, el("span", "visually-hidden", text)];
  if (user.policy_outdated) {
    const badge = el("span", "badge ms-1 stellars-policy-outdated", "older policy");
    badge.title = "Started under an older group policy: the current one applies at the next start";
    parts.push(badge);
  }
  if (user.node) {
    // On a swarm: where the server runs, or where the user's files are.
    parts.push(el("small", "ms-1 text-body-secondary stellars-node", user.node));
  }
  return cell("status", ...parts);
}

// Memory in use against the container's limit: "310 MB / 512 MB (61%)".
function memoryText(user) {
  if (isMissing(user.memory_mb)) return NO_VALUE;
  const megabytes = (value) => `${Math.round(value).toLocaleString("en")} MB`;
  const used = isMissing(user.memory_limit_mb)
    ? megabytes(user.memory_mb)
    : `${megabytes(user.memory_mb)} / ${megabytes(user.memory_limit_mb)}`;
  return isMissing(user.memory_percent) ? used : `${used} (${formatPercent(user.memory_percent)})`;
}

const QUOTA_WORDS = { warning: "near quota", over: "over quota" };

// Total size, and against the quota when there is one; a warning or an
// excess shows as a badge with the numbers, not by colour alone.
function volumesCell(user) {
  const volumes = user.volumes || [];
  const quota = user.quota || { state: "ok", quota_bytes: null };
  const totalText = isMissing(user.volumes_total_bytes) ? NO_VALUE : formatBytes(user.volumes_total_bytes);
  const total = el(
    "span",
    "",
    isMissing(quota.quota_bytes) ? totalText : `${totalText} / ${formatBytes(quota.quota_bytes)}`,
  );
  const lines = volumes.length
    ? volumes.map((v) => `${v.suffix}: ${formatBytes(v.size_bytes)} (${v.name})`)
    : ["No volumes"];
  if (!isMissing(quota.quota_bytes)) {
    lines.push(
      `Quota ${formatBytes(quota.quota_bytes)} from ${quota.source}, warning from ${quota.warning_percent}%`,
    );
  }
  total.title = lines.join("\n");
  const parts = [total];
  const word = QUOTA_WORDS[quota.state];
  if (word) {
    const badge = el(
      "span",
      `badge ms-1 stellars-quota stellars-quota-${quota.state}`,
      `${word} ${formatPercent(quota.percent)}`,
    );
    badge.dataset.quota = quota.state;
    parts.push(badge);
  }
  return cell("volumes", ...parts);
}

function timeLeftCell(user) {
  const left = el("span", "", formatDuration(user.time_left_seconds));
  left.title = isMissing(user.time_left_seconds)
    ? "No idle culler, or no server running"
    : "Until the idle culler stops this server";
  return cell("time_left", left);
}

function lastActiveCell(user) {
  if (!user.last_activity) return cell("last_activity", "never");
  const time = el("time", "", formatRelativeTime(user.last_activity, hubNow));
  time.dateTime = user.last_activity;
  time.title = formatTimestamp(user.last_activity);
  return cell("last_activity", time);
}

// What the activity bar's tooltip says, and the word shown beside it.
function activityText(user) {
  if (isMissing(user.score)) {
    return { word: "no data", detail: "No data: no activity sample yet" };
  }
  const collected = formatHours(user.hours_collected);
  const facts = [
    `Score ${user.score.toFixed(1)}`,
    `${formatPercent(user.percentage)} of the daily target`,
  ];
  if (!user.enough_data) {
    // Below a day of samples the level would mislead: say so instead.
    facts.push(`not enough data (${collected} collected)`, plural(user.samples, "sample"));
    return { word: "not enough data", detail: facts.join(" · ") };
  }
  facts.push(`level: ${user.level_name}`, plural(user.samples, "sample"));
  facts.push(`${collected} collected`);
  return { word: user.level_name, detail: facts.join(" · ") };
}

// The bar's width is the percentage of the daily target, its colour the
// level; without enough data it is hatched (activity.css).
function activityCell(user) {
  const { word, detail } = activityText(user);
  const fill = el("div", "stellars-activity-fill");
  const bar = el("div", "stellars-activity-bar", fill);
  bar.title = detail;
  bar.setAttribute("role", "img");
  bar.setAttribute("aria-label", detail);
  if (isMissing(user.score)) {
    bar.dataset.level = "none";
  } else {
    fill.style.width = `${Math.min(100, Math.max(0, user.percentage))}%`;
    bar.dataset.level = String(user.level);
    bar.dataset.enoughData = String(Boolean(user.enough_data));
  }
  const label = el("small", "stellars-activity-label", word);
  return cell("activity", el("div", "stellars-activity-meter", bar, label));
}

// Daily active hours as bars, oldest day first, the last day the hub's today
// (UTC, as the hours are counted), with the week's total beside them. The
// picture has a text alternative listing every day, for a screen reader and
// as a tooltip.
function historyCell(user) {
  const hours = dailyHours(user);
  if (hours.length === 0) return cell("history", NO_VALUE);
  const [barWidth, gap, height] = [8, 2, 28];
  // A day at the target fills the height; a longer one sets the scale.
  const top = Math.max(settings.target_hours || 1, ...hours);
  const today = Math.floor(hubNow / DAY_MS);
  const lines = hours.map((value, index) => {
    const day = new Date((today - (hours.length - 1 - index)) * DAY_MS).toISOString().slice(0, 10);
    return `${day}: ${formatHours(value)}`;
  });
  const sum = hours.reduce((all, value) => all + value, 0);
  const text = `Active hours per day, ${formatHours(sum)} in ${plural(hours.length, "day")}: ${lines.join(", ")}`;

  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "stellars-sparkline");
  svg.setAttribute("width", String(hours.length * (barWidth + gap) - gap));
  svg.setAttribute("height", String(height));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", text);
  const title = document.createElementNS(SVG, "title");
  title.textContent = `Active hours per day\n${lines.join("\n")}`;
  svg.append(title);
  hours.forEach((value, index) => {
    // A day without activity still shows as a thin line, so every day has a place.
    const barHeight = Math.max(2, Math.round((Math.min(value, top) / top) * height));
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", String(index * (barWidth + gap)));
    rect.setAttribute("y", String(height - barHeight));
    rect.setAttribute("width", String(barWidth));
    rect.setAttribute("height", String(barHeight));
    rect.setAttribute("rx", "1");
    rect.setAttribute("class", value > 0 ? "stellars-sparkline-day" : "stellars-sparkline-none");
    svg.append(rect);
  });
  // The total is text next to the picture: hidden from a screen reader, which reads it above.
  const totalText = el("small", "stellars-sparkline-total", formatHours(sum));
  totalText.setAttribute("aria-hidden", "true");
  return cell("history", el("span", "stellars-sparkline-wrap", svg, totalText));
}

function userRow(user) {
  const row = el(
    "tr",
    "",
    userCell(user),
    authorizedCell(user),
    statusCell(user),
    cell("cpu", formatPercent(user.cpu_percent)),
    cell("memory", memoryText(user)),
    volumesCell(user),
    timeLeftCell(user),
    lastActiveCell(user),
    activityCell(user),
    historyCell(user),
  );
  row.dataset.username = user.username;
  row.dataset.state = serverState(user);
  return row;
}

// ------------------------------------------------------------ rendering

function renderRows() {
  renderSortState();
  if (users.length === 0) {
    const empty = cell("empty", view.name || view.state ? "No user matches." : "No users to show.");
    empty.colSpan = headers.length;
    tbody.replaceChildren(el("tr", "", empty));
    return;
  }
  tbody.replaceChildren(...users.map(userRow));
}

function renderControls() {
  if (searchBox.value !== view.name && document.activeElement !== searchBox) {
    searchBox.value = view.name;
  }
  for (const chip of chips) {
    chip.setAttribute("aria-pressed", String(chip.dataset.state === view.state));
  }
  limitSelect.value = String(view.limit);
  renderSortState();
}

function renderPager() {
  const first = total === 0 ? 0 : view.offset + 1;
  const last = Math.min(view.offset + users.length, total);
  range.textContent = total === 0 ? "No users" : `${first}–${last} of ${total.toLocaleString("en")}`;
  previousButton.disabled = view.offset === 0;
  nextButton.disabled = view.offset + view.limit >= total;
}

function renderSummary(counts) {
  summary.textContent =
    `${plural(counts.total, "user")} · ${counts.active} active · ` +
    `${counts.idle} idle · ${counts.offline} offline`;
}

const SAMPLING_MODES = { hub: "in the hub", service: "by a service" };
const SAMPLING_STATES = {
  ok: "Samples arrive on time.",
  waiting: "Waiting for the first sample.",
  late: "Late: no sample for longer than expected. Is the sampler running?",
};

function renderSampling(state) {
  if (!state) return;
  const mode = SAMPLING_MODES[state.mode] || state.mode;
  const last = state.last_tick
    ? `last sample ${formatRelativeTime(state.last_tick, hubNow)}`
    : "no sample yet";
  const parts = [`Sampling ${mode} every ${formatDuration(state.interval_seconds)}`, last];
  if (state.state !== "ok") parts.push(state.state);
  sampling.textContent = parts.join(" · ");
  sampling.title = SAMPLING_STATES[state.state] || state.state;
  sampling.className = `badge ${state.state === "ok" ? "text-bg-light border" : "text-bg-warning"}`;
  sampling.dataset.state = state.state;
  sampling.hidden = false;
}

// A swarm node whose agent did not answer: its servers' figures are missing or older.
function renderMissingNodes(nodes) {
  missingNodes.textContent = nodes.length ? `No figures from ${nodes.join(", ")}` : "";
  missingNodes.title = "The node agent of these swarm nodes did not answer the last refresh";
  missingNodes.hidden = nodes.length === 0;
}

function render(data) {
  // A hub answer in JupyterHub's paging envelope; the plain shape too.
  users = data.items || data.users || [];
  total = data._pagination ? data._pagination.total : users.length;
  settings = data.settings || {};
  hubNow = Date.parse(data.timestamp) || Date.now();
  renderSummary(data.summary);
  renderSampling(data.summary.sampling);
  renderMissingNodes(settings.unreachable_nodes || []);
  renderRows();
  renderPager();
  updated.textContent =
    `Updated ${new Date().toLocaleTimeString()}; ` +
    `refreshes every ${formatDuration(refreshSeconds)}.`;
}

// ------------------------------------------------------------ loading

const PAGED = "application/jupyterhub-pagination+json";

async function fetchPage() {
  const { base_url: baseUrl, xsrf_token: xsrfToken } = hubData();
  const response = await fetch(`${baseUrl}api/activity?${viewQuery()}`, {
    credentials: "same-origin",
    headers: { "X-XSRFToken": xsrfToken, Accept: PAGED },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.message) || response.statusText, data);
  }
  return data;
}

async function load() {
  generation += 1;
  const mine = generation;
  // Busy until the hub's rows for the current view are shown.
  table.setAttribute("aria-busy", "true");
  try {
    const data = await fetchPage();
    if (mine !== generation) return;
    // A page past the end (users went away, a narrower filter): go to the last one.
    if (data._pagination && data.items.length === 0 && view.offset > 0 && data._pagination.total > 0) {
      view = { ...view, offset: Math.floor((data._pagination.total - 1) / view.limit) * view.limit };
      keepInUrl();
      await load();
      return;
    }
    render(data);
    if (status.dataset.source === "load") status.hidden = true;
  } catch (error) {
    if (mine !== generation) return;
    say(`Could not load activity: ${describeError(error)}`, "danger", "load");
  }
  if (mine === generation) table.removeAttribute("aria-busy");
}

// Load now, then again after the interval. The pending timer is cleared
// before a load and before a new one is set, so timers never stack, however
// refreshes overlap (timer, buttons, the tab coming back).
async function refresh() {
  clearTimeout(timer);
  timer = null;
  await load();
  clearTimeout(timer);
  timer = document.hidden ? null : setTimeout(refresh, refreshSeconds * 1000);
}

// ------------------------------------------------------------ export

// The file comes through the API client's credentials (XSRF header), then is
// handed to the browser as a download under the hub's own file name.
async function exportAs(format, button) {
  button.disabled = true;
  try {
    const { base_url: baseUrl, xsrf_token: xsrfToken } = hubData();
    const query = viewQuery({ paged: false });
    query.set("format", format);
    const response = await fetch(`${baseUrl}api/activity/export?${query}`, {
      credentials: "same-origin",
      headers: { "X-XSRFToken": xsrfToken },
    });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiError(response.status, (data && data.message) || response.statusText, data);
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const link = el("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = match ? match[1] : `activity.${format}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  } catch (error) {
    say(`Export failed: ${describeError(error)}`, "danger");
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------ actions

async function sampleNow() {
  sampleButton.disabled = true;
  say("Recording a sample…", "info");
  try {
    const { data } = await apiRequest("POST", "activity/sample");
    say(
      data.recorded
        ? `Sample recorded for ${plural(data.recorded, "user")}.`
        : "Nothing new recorded: this moment is sampled already.",
      "success",
    );
    await refresh();
  } catch (error) {
    say(`Sampling failed: ${describeError(error)}`, "danger");
  } finally {
    sampleButton.disabled = false;
  }
}

async function resetActivity() {
  resetDialog.close();
  resetButton.disabled = true;
  say("Resetting activity…", "info");
  try {
    await apiRequest("POST", "activity/reset");
    say("Activity reset: scores start again from the next sample.", "success");
    await refresh();
  } catch (error) {
    say(`Reset failed: ${describeError(error)}`, "danger");
  } finally {
    resetButton.disabled = false;
  }
}

function wire() {
  for (const header of headers) {
    header.querySelector("button").addEventListener("click", () => sortBy(header));
  }
  document.getElementById("stellars-activity-controls").addEventListener("submit", (event) => {
    event.preventDefault(); // Enter in the search box searches at once
    clearTimeout(searchTimer);
    changeView({ name: searchBox.value.trim(), offset: 0 });
  });
  searchBox.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => changeView({ name: searchBox.value.trim(), offset: 0 }), 300);
  });
  for (const chip of chips) {
    chip.addEventListener("click", () => changeView({ state: chip.dataset.state, offset: 0 }));
  }
  for (const button of exportButtons) {
    button.addEventListener("click", () => exportAs(button.dataset.export, button));
  }
  previousButton.addEventListener("click", () =>
    changeView({ offset: Math.max(0, view.offset - view.limit) }),
  );
  nextButton.addEventListener("click", () => changeView({ offset: view.offset + view.limit }));
  limitSelect.addEventListener("change", () =>
    changeView({ limit: Number(limitSelect.value), offset: 0 }),
  );
  if (sampleButton) sampleButton.addEventListener("click", sampleNow);
  if (resetButton) {
    resetButton.addEventListener("click", () => resetDialog.showModal());
    resetDialog.querySelector(".stellars-confirm-reset").addEventListener("click", resetActivity);
    resetDialog.querySelector(".stellars-cancel").addEventListener("click", () => resetDialog.close());
  }
  // A hidden tab does not poll; it catches up as soon as it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else {
      refresh();
    }
  });
}

wire();
renderControls();
refresh();
