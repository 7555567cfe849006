// JupyterHub's admin page: once an admin has added users ("Add Users"), a
// dialog lists each new user with the password the authenticator generated
// for them, to copy or to download as a text file.
//
// The admin page is JupyterHub's own React bundle, which the platform does
// not change. It creates users with fetch (POST <base_url>api/users) and
// reads only the status of the answer, so this module wraps window.fetch:
// every call goes through untouched, and when that one answers 201, a copy
// of the answer (the created users' models) says who is new. Their passwords
// are read right then, exactly once: the hub forgets each as it hands it out.
// The names the request asked for and the answer did not create are listed
// too, with why: JupyterHub skips a name that exists (201, or 409 when all
// do) and refuses the whole batch for an invalid one (400).
//
// Usernames and passwords reach the page through textContent only. They are
// never logged, and the download is made in the browser, never sent anywhere.
import { apiRequest, describeError, hubData } from "./api.js";
import { el, showStatus } from "./dom.js";

const dialog = document.getElementById("stellars-credentials-dialog");
const tbody = dialog.querySelector(".stellars-credentials-list tbody");
const passwordList = dialog.querySelector(".stellars-credentials-list");
const skippedList = dialog.querySelector(".stellars-credentials-skipped");
const status = dialog.querySelector(".stellars-credentials-status");
const copyAllButton = dialog.querySelector(".stellars-copy-all");
const downloadButton = dialog.querySelector(".stellars-download");

// The one path "Add Users" posts to; /api/users/<name> creates no batch.
const USERS_PATH = new URL(`${hubData().base_url}api/users`, window.location.origin).pathname;
const UNAVAILABLE = "no generated password (already had an account)";
const LOST = "password no longer available: shown before, expired, or the hub restarted since";
const EXISTS = "already exists";

// The rows the dialog shows now: {username, password, note}, password null
// where there is none (note says why). Emptied as soon as the dialog closes.
let shown = [];

// ------------------------------------------------------------ small helpers

function say(message, kind) {
  showStatus(status, message, kind);
}

// ------------------------------------------------------------ the dialog

function nameRow(username) {
  const name = el("th", "", username);
  name.scope = "row";
  const row = el("tr", "", name);
  row.dataset.username = username;
  return row;
}

// JupyterHub's form for an admin to set someone's password, in a new tab:
// this dialog (and the passwords it shows) stays open.
function setPasswordLink(username) {
  const link = el("a", "btn btn-sm btn-outline-primary", "Set a new password");
  link.href = `${hubData().base_url}change-password/${encodeURIComponent(username)}`;
  link.target = "_blank";
  link.rel = "noopener";
  return link;
}

function passwordRow(entry) {
  const row = nameRow(entry.username);
  if (entry.password === null) {
    const note = el("td", "text-body-secondary", entry.note);
    row.append(note, el("td", "text-end", entry.lost ? setPasswordLink(entry.username) : ""));
    return row;
  }
  const copyButton = el("button", "btn btn-sm btn-outline-secondary stellars-copy", "Copy");
  copyButton.type = "button";
  copyButton.addEventListener("click", () => copy(entry.password, copyButton, "Copied"));
  row.append(
    el("td", "", el("code", "stellars-password", entry.password)),
    el("td", "text-end", copyButton),
  );
  return row;
}

function withPasswords() {
  return shown.filter((entry) => entry.password !== null);
}

function skippedRow(entry) {
  const row = nameRow(entry.username);
  row.append(el("td", "", entry.why));
  return row;
}

// Adds *entries* (and the *skipped* names, {username, why}) to the dialog
// and opens it. A batch that arrives while the dialog is still open joins
// the one shown, so no password is ever dropped.
function show(entries, skipped = []) {
  if (!dialog.open) forget();
  shown.push(...entries);
  tbody.append(...entries.map(passwordRow));
  skippedList.querySelector("tbody").append(...skipped.map(skippedRow));
  passwordList.hidden = shown.length === 0;
  skippedList.hidden = skippedList.querySelector("tbody").rows.length === 0;
  const none = withPasswords().length === 0;
  copyAllButton.disabled = none;
  downloadButton.disabled = none;
  if (!dialog.open) dialog.showModal();
}

function forget() {
  shown = [];
  tbody.replaceChildren();
  skippedList.querySelector("tbody").replaceChildren();
  status.hidden = true;
  copyAllButton.textContent = "Copy all";
}

// ------------------------------------------------------------ copy and download

// One "username<TAB>password" line per user with a password: readable, and
// it pastes into a spreadsheet as two columns.
function passwordLines() {
  return withPasswords()
    .map((entry) => `${entry.username}\t${entry.password}\n`)
    .join("");
}

// A button says "Copied" from then on, so the admin sees which they have handed out.
async function copy(text, button, done) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = done;
  } catch {
    // No clipboard (a page served over plain HTTP, or permission refused).
    say("The browser did not allow copying: click a password to select it, then copy it.", "warning");
  }
}

function fileName(now) {
  const pad = (number) => String(number).padStart(2, "0");
  return `credentials-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.txt`;
}

function download() {
  const blob = new Blob([passwordLines()], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = el("a");
  link.href = url;
  link.download = fileName(new Date());
  // Inside the dialog: everything outside a modal dialog is inert.
  dialog.append(link);
  link.click();
  link.remove();
  // Freed once the browser has surely taken the data for the file.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ------------------------------------------------------------ reading the passwords

// The rows for *names*, their passwords read once. Should the read fail, the
// users are still listed (their accounts exist), with what went wrong.
async function readPasswords(names) {
  try {
    const { data } = await apiRequest("POST", "admin/credentials", { usernames: names });
    const passwords = new Map(data.credentials.map((entry) => [entry.username, entry.password]));
    const lost = new Set(data.lost);
    const entries = names.map((username) => ({
      username,
      password: passwords.get(username) ?? null,
      note: lost.has(username) ? LOST : UNAVAILABLE,
      lost: lost.has(username),
    }));
    return { entries, error: null };
  } catch (error) {
    const entries = names.map((username) => ({ username, password: null, note: "password not shown" }));
    return { entries, error };
  }
}

async function createdNames(response) {
  const users = await response.json();
  if (!Array.isArray(users)) return [];
  return users.map((user) => user && user.name).filter((name) => typeof name === "string");
}

// A POST to exactly <base_url>api/users on this hub. Deciding must never
// break the request itself, whatever it was called with.
function isUserCreation(input, init) {
  try {
    const request = input instanceof Request ? input : null;
    const method = (init && init.method) || (request ? request.method : "GET");
    const url = new URL(request ? request.url : String(input), window.location.href);
    return (
      method.toUpperCase() === "POST" &&
      url.origin === window.location.origin &&
      url.pathname === USERS_PATH
    );
  } catch {
    return false;
  }
}

// The usernames the request asks for, as typed; [] when its body is not
// JSON with a list of them (then only the answer says anything).
function requestedNames(init) {
  try {
    const names = JSON.parse(init && typeof init.body === "string" ? init.body : "{}").usernames;
    return Array.isArray(names) ? names.filter((name) => typeof name === "string") : [];
  } catch {
    return [];
  }
}

// How the hub stores a name (NFKC, lower case), to tell which were created.
function normalized(name) {
  return name.normalize("NFKC").toLowerCase().normalize("NFKC");
}

async function refusal(response) {
  try {
    return (await response.json()).message || `the hub answered ${response.status}`;
  } catch {
    return `the hub answered ${response.status}`;
  }
}

async function onUsersCreated(response, requested) {
  if (response.status === 400 || response.status === 409) {
    // Nothing was created: every name is listed with the hub's reason.
    const message = await refusal(response);
    const why = response.status === 409 ? EXISTS : "not created: the batch was refused";
    show([], requested.map((username) => ({ username, why })));
    say(`No user was created: ${message}`, response.status === 409 ? "info" : "danger");
    return;
  }
  if (response.status !== 201) return;
  const names = await createdNames(response);
  const created = new Set(names);
  const skipped = requested
    .filter((name) => !created.has(normalized(name)))
    .map((username) => ({ username, why: EXISTS }));
  if (names.length === 0 && skipped.length === 0) return;
  const { entries, error } = names.length ? await readPasswords(names) : { entries: [], error: null };
  show(entries, skipped);
  if (error) {
    say(
      `Could not read the new users' passwords: ${describeError(error)}. ` +
        "Their accounts exist; give them new passwords instead.",
      "danger",
    );
  }
}

// The page's own fetch, wrapped: the caller gets the very same promise. Our
// callback is attached first, so it copies the answer before the caller can
// read its body.
const pageFetch = window.fetch;
window.fetch = function fetchWatchingUserCreation(...args) {
  const answer = pageFetch.apply(window, args);
  if (isUserCreation(...args)) {
    const requested = requestedNames(args[1]);
    answer
      // A failed request is the caller's to handle, and shows nothing here.
      .then((response) => onUsersCreated(response.clone(), requested), () => {})
      .catch((error) => console.error("Could not show the new users' passwords:", error.message));
  }
  return answer;
};

function wire() {
  copyAllButton.addEventListener("click", () => copy(passwordLines(), copyAllButton, "Copied all"));
  downloadButton.addEventListener("click", download);
  dialog.querySelector(".stellars-close").addEventListener("click", () => dialog.close());
  // Escape would close the dialog, and the passwords with it, for good: only
  // the Close button does that.
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  dialog.addEventListener("close", forget);
}

wire();
