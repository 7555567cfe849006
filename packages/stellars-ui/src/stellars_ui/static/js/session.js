// The home page's idle-session card: how long the idle culler leaves the
// server running without activity, ticking every second, and a control that
// extends it by whole hours, up to the hours on offer. The card is shown only
// while a culler runs and the server is up; it asks session-info again every
// 30 s, so it follows the server starting, stopping and being culled.
// Everything the hub says goes in through textContent, never as HTML.
import { apiRequest, describeError, hubData, userPath } from "./api.js";
import { formatCountdown } from "./format.js";

const SYNC_EVERY_MS = 30_000;
const WARNING_BELOW_S = 3600;
const DANGER_BELOW_S = 1800;
// Each level's Bootstrap colour for the whole card.
const LEVEL_CLASSES = { normal: "alert-secondary", warning: "alert-warning", danger: "alert-danger" };

const user = hubData().user;
const card = document.getElementById("stellars-session");
const countdown = document.getElementById("stellars-session-remaining");
const form = document.getElementById("stellars-session-extend");
const hoursInput = document.getElementById("stellars-session-hours");
const extendButton = document.getElementById("stellars-session-extend-button");
const longest = document.getElementById("stellars-session-longest");
const status = document.getElementById("stellars-session-status");

// The countdown runs on the browser's monotonic clock from the last answer:
// the remaining time the hub gave and the moment it arrived. The two clocks
// are never compared, so a browser whose clock is off still counts right.
let synced = null; // {remaining, at} of the last answer for a running server, else null
let syncTimer = null; // the one pending sync, if any
let generation = 0; // an answer older than the newest request is dropped

function levelOf(seconds) {
  if (seconds < DANGER_BELOW_S) return "danger";
  if (seconds < WARNING_BELOW_S) return "warning";
  return "normal";
}

function say(message, kind) {
  status.textContent = message;
  status.dataset.kind = kind;
  status.classList.toggle("text-danger", kind === "danger");
  status.hidden = false;
}

function setEnabled(enabled) {
  hoursInput.disabled = !enabled;
  extendButton.disabled = !enabled;
}

// ---- the countdown

function tick() {
  if (!synced) return;
  const elapsed = (performance.now() - synced.at) / 1000;
  const seconds = Math.max(0, Math.ceil(synced.remaining - elapsed));
  const level = levelOf(seconds);
  countdown.textContent = formatCountdown(seconds);
  countdown.dataset.seconds = String(seconds);
  card.dataset.level = level;
  card.classList.remove(...Object.values(LEVEL_CLASSES));
  card.classList.add(LEVEL_CLASSES[level]);
}

// Show the card for a session-info (or extend-session) answer, or hide it.
function render(info) {
  const running = info.server_running && info.remaining_seconds !== null;
  card.dataset.state = !info.culler_enabled ? "off" : running ? "running" : "stopped";
  card.hidden = card.dataset.state !== "running";
  if (card.hidden) {
    synced = null;
    status.hidden = true; // an outcome belongs to the server it was about
    return;
  }
  synced = { remaining: info.remaining_seconds, at: performance.now() };
  const offer = info.hours_on_offer;
  hoursInput.max = String(offer);
  // Hours no longer on offer are not left in the box, even a disabled one.
  const most = Math.max(offer, 1);
  if (hoursInput.valueAsNumber > most) hoursInput.value = String(most);
  setEnabled(offer > 0);
  longest.hidden = offer > 0;
  tick();
}

// ---- following the server

function scheduleSync() {
  clearTimeout(syncTimer);
  // A hidden tab does not poll; it catches up as soon as it is shown again.
  syncTimer = document.hidden ? null : setTimeout(sync, SYNC_EVERY_MS);
}

async function sync() {
  clearTimeout(syncTimer);
  generation += 1;
  const mine = generation;
  try {
    const { data } = await apiRequest("GET", userPath(user, "session-info"));
    if (mine === generation) render(data);
  } catch (error) {
    // The last answer is still the best guess: the countdown goes on from it
    // and the next sync tries again.
    console.warn("stellars: session-info failed:", describeError(error));
  }
  if (mine === generation) scheduleSync();
}

// ---- extending

async function extend(event) {
  event.preventDefault();
  const hours = hoursInput.valueAsNumber;
  if (!Number.isInteger(hours) || hours < 1) {
    say("Choose a whole number of hours, from 1.", "danger");
    return;
  }
  // Hours above the input's max are sent as asked: the hub grants what is on
  // offer and says so, and its answer, not this page's, is the one that counts.
  clearTimeout(syncTimer);
  generation += 1; // a session-info answer still on its way must not undo this one
  setEnabled(false);
  say(`Extending by ${hours} h…`, "info");
  try {
    const { data } = await apiRequest("POST", userPath(user, "extend-session"), { hours });
    const granted = data.granted_hours;
    say(
      data.truncated
        ? `Extended by ${granted} h, all that was on offer (${hours} h asked).`
        : `Extended by ${granted} h.`,
      "success",
    );
    render(data); // the answer carries the new remaining time and offer
    scheduleSync();
  } catch (error) {
    say(`Could not extend: ${describeError(error)}`, "danger");
    await sync(); // a refusal may mean the session changed: stopped, or at its longest
  }
}

function wire() {
  form.addEventListener("submit", extend);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(syncTimer);
      syncTimer = null;
    } else {
      sync();
    }
  });
  // JupyterHub's own "Stop My Server" stops the server without a reload: look
  // again shortly after, rather than counting down for a stopped server.
  const stop = document.getElementById("stop");
  if (stop) stop.addEventListener("click", () => setTimeout(sync, 1000));
  // The countdown is computed from the clock, so a late or skipped tick
  // (a throttled background tab) never makes it drift.
  setInterval(tick, 1000);
}

wire();
sync();
