// The Notifications page: a message broadcast into running JupyterLab
// servers (every one, or those of the users chosen), what happened at each
// server, and the broadcasts sent before. The running servers come from
// GET /hub/api/notifications/active-servers, the history from
// GET /hub/api/notifications/history; Send posts to
// /hub/api/notifications/broadcast, and an entry of the history is deleted
// with DELETE /hub/api/notifications/history/<id>. User-supplied text (messages, usernames,
// the hub's reasons) goes in through textContent and DOM nodes only, never
// as HTML.
import { apiRequest, describeError } from "./api.js";
import { el, plural } from "./dom.js";
import { NO_VALUE, formatDuration, formatRelativeTime, formatTimestamp } from "./format.js";

const page = document.getElementById("stellars-notifications");
const form = document.getElementById("stellars-broadcast-form");
const messageInput = document.getElementById("stellars-broadcast-message");
const counter = document.getElementById("stellars-broadcast-counter");
const variantSelect = document.getElementById("stellars-broadcast-variant");
const autoCloseBox = document.getElementById("stellars-broadcast-autoclose");
const autoCloseSeconds = document.getElementById("stellars-broadcast-autoclose-seconds");
const recipientRadios = [...form.querySelectorAll('input[name="stellars-broadcast-recipients"]')];
const serverList = document.getElementById("stellars-broadcast-servers");
const refreshButton = document.getElementById("stellars-broadcast-refresh");
const sendButton = document.getElementById("stellars-broadcast-send");
const status = document.getElementById("stellars-broadcast-status");
const report = document.getElementById("stellars-broadcast-report");
const totals = document.getElementById("stellars-broadcast-totals");
const resultsBody = document.getElementById("stellars-broadcast-results").tBodies[0];
const historyTable = document.getElementById("stellars-broadcast-history");
const historyBody = historyTable.tBodies[0];
const historyEmpty = document.getElementById("stellars-broadcast-history-empty");
const historyKept = document.getElementById("stellars-broadcast-history-kept");
const deleteDialog = document.getElementById("stellars-broadcast-delete-dialog");
const deleteMessage = document.getElementById("stellars-broadcast-delete-message");
const deleteConfirm = document.getElementById("stellars-broadcast-delete-confirm");
const deleteCancel = document.getElementById("stellars-broadcast-delete-cancel");

// The server's limit, as the template rendered it; the textarea's maxlength is the same.
const maxLength = Number(page.dataset.maxLength) || messageInput.maxLength;
// The API takes at most a day; the seconds field says the same in its max.
const MAX_AUTO_CLOSE_SECONDS = 86400;
// From this many characters left the counter turns amber, so the limit is no surprise.
const COUNTER_WARNING_LEFT = 20;
// JupyterLab's notification types, in the colours a reader expects of them.
const VARIANT_BADGES = {
  default: "text-bg-secondary",
  info: "text-bg-info",
  success: "text-bg-success",
  warning: "text-bg-warning",
  error: "text-bg-danger",
  "in-progress": "text-bg-light border",
};

let sending = false; // a broadcast is on its way: Send stays disabled
let serversGeneration = 0; // answers to a request older than the newest one are dropped
let historyGeneration = 0;
let deleting = null; // the history entry the delete dialog asks about

// ------------------------------------------------------------ small helpers

function say(message, kind, source = "action") {
  status.textContent = message;
  status.className = `alert alert-${kind}`;
  // A load that works again clears its own error, never an action's outcome.
  status.dataset.source = source;
  status.hidden = false;
}

function clearLoadError() {
  if (status.dataset.source === "load") status.hidden = true;
}

// The hub's clock at an answer ("timestamp"): "5 minutes ago" is measured
// from it, so a browser whose clock is off still says the right thing.
function hubClock(answer) {
  return Date.parse(answer.timestamp) || Date.now();
}

function timeElement(iso, now) {
  const time = el("time", "", formatRelativeTime(iso, now));
  time.dateTime = iso;
  time.title = formatTimestamp(iso);
  return time;
}

// "3 delivered, 1 failed of 4": the totals of a broadcast, shown once in the
// report (the status line says only how it went) and as the history's title.
function totalsText({ delivered, failed, recipients }) {
  return `${delivered} delivered, ${failed} failed of ${recipients}`;
}

// "85 ms", "10,012 ms": a delivery's time, whole milliseconds being precise enough.
function formatMilliseconds(milliseconds) {
  return `${Math.round(milliseconds).toLocaleString("en")} ms`;
}

// ------------------------------------------------------------ the form

function recipientsMode() {
  return recipientRadios.find((radio) => radio.checked).value;
}

function serverBoxes() {
  return [...serverList.querySelectorAll("input[type=checkbox][data-username]")];
}

// Each user once, however many of their servers run: the API sends to them all.
function chosenUsernames() {
  const names = serverBoxes()
    .filter((box) => box.checked)
    .map((box) => box.dataset.username);
  return [...new Set(names)];
}

// The autoClose the API expects: false (stays until dismissed), milliseconds,
// or null when the seconds typed are not a whole number in range.
function autoCloseValue() {
  if (!autoCloseBox.checked) return false;
  const seconds = Number(autoCloseSeconds.value);
  const valid =
    autoCloseSeconds.value.trim() !== "" &&
    Number.isInteger(seconds) &&
    seconds >= 1 &&
    seconds <= MAX_AUTO_CLOSE_SECONDS;
  return valid ? seconds * 1000 : null;
}

// Why the form cannot be sent as it is, or null when it can.
function formProblem() {
  const message = messageInput.value;
  if (message.trim() === "") return "Write a message first.";
  if (message.length > maxLength) return `The message is longer than ${maxLength} characters.`;
  if (autoCloseValue() === null) {
    return `The seconds must be a whole number from 1 to ${MAX_AUTO_CLOSE_SECONDS}.`;
  }
  if (recipientsMode() === "chosen" && chosenUsernames().length === 0) {
    return "Choose at least one user.";
  }
  return null;
}

// Every character typed counts, spaces included: it is what the field holds.
function renderCounter() {
  const length = messageInput.value.length;
  const left = maxLength - length;
  counter.textContent = `${length} / ${maxLength}`;
  counter.classList.toggle("text-danger", left <= 0);
  counter.classList.toggle("text-warning-emphasis", left > 0 && left <= COUNTER_WARNING_LEFT);
}

function renderForm() {
  renderCounter();
  autoCloseSeconds.disabled = !autoCloseBox.checked;
  autoCloseSeconds.classList.toggle("is-invalid", autoCloseValue() === null);
  // The boxes choose only in "chosen" mode; in "all" they would mislead.
  const choosing = recipientsMode() === "chosen";
  for (const box of serverBoxes()) box.disabled = !choosing;
  const problem = formProblem();
  sendButton.disabled = sending || problem !== null;
  sendButton.title = problem || "";
}

// ------------------------------------------------------------ running servers

function serverLine(server, now) {
  const line = el("small", "d-block text-body-secondary");
  if (server.server_name) line.append(el("span", "stellars-server-name", server.server_name), ": ");
  line.append("started ");
  line.append(server.started ? timeElement(server.started, now) : "at a time not known");
  line.append(" · last active ");
  line.append(server.last_activity ? timeElement(server.last_activity, now) : "never");
  return line;
}

function userItem(username, servers, checked, now) {
  const box = el("input", "form-check-input mt-1 flex-shrink-0");
  box.type = "checkbox";
  box.dataset.username = username;
  box.checked = checked;
  // The label wraps its box: usernames make poor element ids.
  const name = el("span", "fw-semibold stellars-username", username);
  name.title = username; // the whole name, should the list cut it
  const text = el("span", "stellars-username-line", name);
  text.append(...servers.map((server) => serverLine(server, now)));
  return el("label", "list-group-item d-flex gap-2 align-items-start", box, text);
}

function renderServers(servers, now) {
  // What was ticked stays ticked for the users who still run a server.
  const checked = new Set(chosenUsernames());
  if (servers.length === 0) {
    serverList.replaceChildren(
      el(
        "div",
        "list-group-item text-body-secondary",
        "No server is running: a broadcast to everyone would reach nobody.",
      ),
    );
    return;
  }
  const byUser = new Map(); // the API's order: by username
  for (const server of servers) {
    if (!byUser.has(server.username)) byUser.set(server.username, []);
    byUser.get(server.username).push(server);
  }
  serverList.replaceChildren(
    ...[...byUser].map(([username, theirs]) =>
      userItem(username, theirs, checked.has(username), now),
    ),
  );
}

async function loadServers() {
  serversGeneration += 1;
  const mine = serversGeneration;
  refreshButton.disabled = true;
  try {
    const { data } = await apiRequest("GET", "notifications/active-servers");
    if (mine !== serversGeneration) return;
    renderServers(data.servers || [], hubClock(data));
    clearLoadError();
  } catch (error) {
    if (mine !== serversGeneration) return;
    say(`Could not list the running servers: ${describeError(error)}`, "danger", "load");
  } finally {
    if (mine === serversGeneration) {
      refreshButton.disabled = false;
      renderForm();
    }
  }
}

// ------------------------------------------------------------ the report of a broadcast

function resultRow(result) {
  const user = el("td", "", result.username);
  if (result.server_name) {
    user.append(" ", el("small", "text-body-secondary", `(${result.server_name})`));
  }
  const outcome = el(
    "td",
    "stellars-outcome",
    result.delivered ? "Delivered" : result.reason || "failed",
  );
  if (result.status !== null && result.status !== undefined) {
    outcome.title = `The server answered ${result.status}`;
  }
  // Nothing was sent to a user without a running server: no time to show.
  const time = el(
    "td",
    "text-end",
    result.elapsed_ms === null ? NO_VALUE : formatMilliseconds(result.elapsed_ms),
  );
  user.dataset.column = "user";
  outcome.dataset.column = "outcome";
  time.dataset.column = "time";
  const row = el("tr", "", user, outcome, time);
  row.dataset.username = result.username;
  row.dataset.serverName = result.server_name || "";
  row.dataset.delivered = String(result.delivered);
  return row;
}

function renderReport(answer) {
  totals.textContent = totalsText(answer.totals);
  resultsBody.replaceChildren(...answer.results.map(resultRow));
  report.hidden = false;
}

// ------------------------------------------------------------ history

function autoCloseText(autoClose) {
  return autoClose === false
    ? "Stays until dismissed"
    : `Closes after ${formatDuration(autoClose / 1000)}`;
}

function historyRow(sent, now) {
  const when = el("td", "text-nowrap", timeElement(sent.sent_at, now));
  const badge = VARIANT_BADGES[sent.variant] || "text-bg-secondary";
  const variant = el("span", `badge ${badge}`, sent.variant);
  variant.title = autoCloseText(sent.autoClose);
  const delivered = el("td", "text-end text-nowrap", `${sent.delivered} / ${sent.recipients}`);
  delivered.title = totalsText(sent);
  const cells = {
    sent_at: when,
    sender: el("td", "", sent.sender),
    message: el("td", "stellars-broadcast-message-text", sent.message),
    variant: el("td", "", variant),
    delivered,
  };
  const deleteButton = el("button", "btn btn-sm btn-outline-danger", "Delete");
  deleteButton.type = "button";
  // Each button names its broadcast's time, for a screen reader's list of buttons.
  deleteButton.setAttribute("aria-label", `Delete the broadcast sent ${formatTimestamp(sent.sent_at)}`);
  deleteButton.addEventListener("click", () => askToDelete(sent));
  cells.delete = el("td", "text-end", deleteButton);
  for (const [column, cell] of Object.entries(cells)) cell.dataset.column = column;
  const row = el("tr", "", ...Object.values(cells));
  row.dataset.broadcastId = String(sent.id);
  return row;
}

function renderHistory(answer) {
  const broadcasts = answer.broadcasts || [];
  const now = hubClock(answer);
  historyBody.replaceChildren(...broadcasts.map((sent) => historyRow(sent, now)));
  historyTable.hidden = broadcasts.length === 0;
  historyEmpty.hidden = broadcasts.length !== 0;
  historyKept.textContent =
    answer.keep === 1
      ? "Only the last broadcast is kept."
      : `The last ${plural(answer.keep, "broadcast")} are kept.`;
}

async function loadHistory() {
  historyGeneration += 1;
  const mine = historyGeneration;
  try {
    const { data } = await apiRequest("GET", "notifications/history");
    if (mine !== historyGeneration) return;
    renderHistory(data);
    clearLoadError();
  } catch (error) {
    if (mine !== historyGeneration) return;
    say(`Could not load the history: ${describeError(error)}`, "danger", "load");
  }
}

// ------------------------------------------------------------ deleting from the history

function askToDelete(sent) {
  deleting = sent;
  deleteMessage.textContent = sent.message;
  deleteConfirm.disabled = false;
  deleteDialog.showModal();
}

async function deleteAsked() {
  const sent = deleting;
  if (sent === null) return;
  deleteConfirm.disabled = true;
  try {
    await apiRequest("DELETE", `notifications/history/${encodeURIComponent(sent.id)}`);
    say("Deleted from the history.", "success");
  } catch (error) {
    // Gone already (another admin, or trimmed by a newer broadcast): the
    // history below shows it is not there any more.
    say(`Not deleted: ${describeError(error)}`, "danger");
  } finally {
    deleting = null;
    deleteDialog.close();
  }
  await loadHistory();
}

// ------------------------------------------------------------ sending

function broadcastBody() {
  const body = {
    message: messageInput.value.trim(),
    variant: variantSelect.value,
    autoClose: autoCloseValue(),
  };
  // Left out, the hub sends to every server running when it receives the request.
  if (recipientsMode() === "chosen") body.recipients = chosenUsernames();
  return body;
}

async function send(event) {
  event.preventDefault();
  if (sending || formProblem() !== null) return;
  const body = broadcastBody();
  sending = true;
  renderForm();
  say("Sending…", "info");
  try {
    const { data } = await apiRequest("POST", "notifications/broadcast", body);
    renderReport(data);
    // The totals are the report's, right below: said once, not here again.
    const failed = data.totals.failed > 0;
    say(
      failed ? "Sent, but not everywhere: see each server below." : "Sent.",
      failed ? "warning" : "success",
    );
    // Sent once is enough: an empty field keeps a second click from sending it again.
    messageInput.value = "";
  } catch (error) {
    say(`Not sent: ${describeError(error)}`, "danger");
  } finally {
    sending = false;
    renderForm();
  }
  // Either way the servers may have changed (the hub may have just said none
  // runs), and a broadcast that was sent is now the newest in the history.
  await Promise.all([loadHistory(), loadServers()]);
}

function wire() {
  form.addEventListener("submit", send);
  messageInput.addEventListener("input", renderForm);
  // Ctrl+Enter (Cmd+Enter) sends from the message, as in chat and mail clients.
  messageInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  autoCloseBox.addEventListener("change", renderForm);
  autoCloseSeconds.addEventListener("input", renderForm);
  for (const radio of recipientRadios) radio.addEventListener("change", renderForm);
  serverList.addEventListener("change", renderForm);
  refreshButton.addEventListener("click", loadServers);
  deleteConfirm.addEventListener("click", deleteAsked);
  deleteCancel.addEventListener("click", () => deleteDialog.close());
  deleteDialog.addEventListener("close", () => {
    deleting = null;
  });
}

wire();
renderForm();
loadServers();
loadHistory();
