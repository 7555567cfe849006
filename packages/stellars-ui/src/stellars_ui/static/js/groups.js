// The Groups page: every group with its policy, and an editor that saves a
// policy with PUT /hub/api/stellars/group-policies/{group}. The API is the
// one judge of a policy: each field its 400 names gets the message next to
// the field, and nothing is saved.

import { apiRequest, describeError, ApiError } from "./api.js";
import { el, plural } from "./dom.js";
import { NO_VALUE } from "./format.js";

const API = "stellars/group-policies";
const root = document.getElementById("stellars-groups");
const canWrite = root.dataset.canWrite === "true";
const canManageMembers = root.dataset.canManageMembers === "true";
const tbody = document.querySelector("#stellars-groups-table tbody");
const statusBox = document.getElementById("stellars-groups-status");
const form = document.getElementById("stellars-policy-form");
const editor = document.getElementById("stellars-policy-editor");

// The fields edited as one input each; numbers are sent as numbers when they read as one.
const NUMBER_FIELDS = ["cpu_limit", "cpu_guarantee", "max_servers", "volume_warning_percent", "priority"];
const SIZE_FIELDS = ["mem_limit", "mem_guarantee", "volume_quota"];
const PROFILE_FIELDS = [
  ["name", "Name", "text"],
  ["display_name", "Display name", "text"],
  ["image", "Image", "text"],
  ["description", "Description", "text"],
  ["cpu_limit", "CPU limit", "number"],
  ["cpu_guarantee", "CPU guarantee", "number"],
  ["mem_limit", "Memory limit", "text"],
  ["mem_guarantee", "Memory guarantee", "text"],
  ["gpus", "GPUs (none, all, a count, or 0,1)", "text"],
];

const state = { groups: new Map(), gpus: [], editing: null, rowCounter: 0 };

// ------------------------------------------------------------------ reading

// "4G" for 4 GiB, "512M", else the bytes: what an admin would type back.
function sizeText(bytes) {
  if (bytes === null || bytes === undefined) return "";
  for (const [unit, size] of [["T", 1024 ** 4], ["G", 1024 ** 3], ["M", 1024 ** 2]]) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function gpuText(gpus) {
  if (gpus === null || gpus === undefined) return "";
  return Array.isArray(gpus) ? gpus.join(",") : String(gpus);
}

function summary(entry) {
  const policy = entry.policy;
  if (!policy) return "No policy";
  const parts = [];
  if (policy.cpu_limit != null) parts.push(`CPU ${policy.cpu_limit}`);
  if (policy.mem_limit != null) parts.push(`memory ${sizeText(policy.mem_limit)}`);
  if (policy.gpus != null) parts.push(`GPUs ${gpuText(policy.gpus)}`);
  if (policy.profiles && policy.profiles.length) parts.push(plural(policy.profiles.length, "profile"));
  if (policy.environment && policy.environment.length) {
    parts.push(plural(policy.environment.length, "variable"));
  }
  if (policy.max_servers != null) parts.push(`${policy.max_servers} server(s) at once`);
  if (policy.volume_quota != null) parts.push(`quota ${sizeText(policy.volume_quota)}`);
  if (policy.docker_access && policy.docker_access !== "none") {
    const counts = entry.docker_access_counts ? "" : " (does not count: not saved by a full admin)";
    parts.push(`Docker ${policy.docker_access}${counts}`);
  }
  return parts.length ? parts.join(" · ") : "Policy sets nothing";
}

function groupRow(entry) {
  const name = el("td", "stellars-group-name", el("span", "fw-semibold", entry.name));
  if (entry.builtin) name.append(" ", el("span", "badge text-bg-secondary", "built-in"));
  const servers = el("td", "stellars-group-servers");
  if (entry.outdated_servers > 0) {
    const badge = el(
      "span",
      "badge text-bg-warning",
      `${plural(entry.outdated_servers, "server")} on an older policy`,
    );
    badge.title = "Running servers started before the policy changed; it applies at their next start.";
    servers.append(badge);
  } else {
    servers.append(NO_VALUE);
  }
  const actions = el("td", "text-end stellars-group-actions");
  if (canWrite) {
    const edit = el("button", "btn btn-sm btn-outline-primary stellars-edit-policy", "Edit policy");
    edit.type = "button";
    edit.setAttribute("aria-label", `Edit policy of ${entry.name}`);
    edit.addEventListener("click", () => openEditor(entry.name));
    actions.append(edit, " ");
  }
  if (canManageMembers) {
    const members = el("a", "btn btn-sm btn-outline-secondary", "Manage members");
    members.href = root.dataset.adminGroupsUrl;
    members.setAttribute("aria-label", `Manage members of ${entry.name}`);
    actions.append(members);
  }
  const row = el(
    "tr",
    null,
    name,
    el("td", "text-end", String(entry.members)),
    el("td", "stellars-group-policy", summary(entry)),
    servers,
    actions,
  );
  row.dataset.group = entry.name;
  if (entry.updated_by) {
    row.title = `Revision ${entry.revision}, saved by ${entry.updated_by} at ${new Date(entry.updated_at).toLocaleString()}`;
  }
  return row;
}

function render() {
  tbody.replaceChildren(...[...state.groups.values()].map(groupRow));
  if (!state.groups.size) {
    tbody.replaceChildren(el("tr", null, el("td", "text-body-secondary", "No groups yet.")));
    tbody.firstChild.firstChild.colSpan = 5;
  }
}

function showStatus(kind, text) {
  statusBox.className = `alert alert-${kind}`;
  statusBox.textContent = text;
  statusBox.hidden = false;
}

async function load() {
  try {
    const { data } = await apiRequest("GET", API);
    state.groups = new Map(data.groups.map((entry) => [entry.name, entry]));
    state.gpus = data.gpus_available ? data.gpus : [];
    // GPUs the engine does not have are no part of what anyone gets.
    const shown = data.gpus_available ? data.default_policy : { ...data.default_policy, gpus: null };
    const text = summary({ policy: shown, docker_access_counts: true });
    document.getElementById("stellars-groups-default").textContent =
      `Users in no group get the default policy (the hub's settings): ${
        text === "Policy sets nothing" ? "no limits" : text
      }.`;
    render();
  } catch (error) {
    showStatus("danger", `The groups could not be read: ${describeError(error)}`);
  }
}

// ------------------------------------------------------------------ the editor

function input(id, type, value, label) {
  const node = el("input", "form-control form-control-sm");
  node.type = type;
  node.id = id;
  if (type === "number") node.step = "any";
  node.value = value ?? "";
  node.autocomplete = "off";
  if (label) node.setAttribute("aria-label", label);
  return node;
}

function removeButton(row, what) {
  const button = el("button", "btn btn-sm btn-outline-danger", "Remove");
  button.type = "button";
  button.setAttribute("aria-label", `Remove ${what}`);
  button.addEventListener("click", () => row.remove());
  return button;
}

function rowError() {
  return el("div", "invalid-feedback d-block stellars-field-error", "");
}

function variableRow(variable = { name: "", value: "", secret: false }) {
  const n = (state.rowCounter += 1);
  const row = el("div", "row g-2 align-items-end mb-2 stellars-variable");
  const kept = variable.secret && variable.value === null;
  const name = input(`stellars-variable-${n}-name`, "text", variable.name);
  const value = input(`stellars-variable-${n}-value`, variable.secret ? "password" : "text", kept ? "" : variable.value);
  if (kept) {
    value.placeholder = "•••••• kept unless retyped";
    row.dataset.kept = "true";
  }
  const secret = el("input", "form-check-input");
  secret.type = "checkbox";
  secret.id = `stellars-variable-${n}-secret`;
  secret.checked = variable.secret;
  secret.addEventListener("change", () => {
    value.type = secret.checked ? "password" : "text";
  });
  const labelled = (node, text, cls) =>
    el("div", cls, Object.assign(el("label", "form-label small", text), { htmlFor: node.id }), node);
  const error = rowError();
  error.hidden = true;
  row.append(
    labelled(name, "Name", "col-sm-4"),
    labelled(value, "Value", "col-sm-4"),
    el(
      "div",
      "col-auto form-check ms-2 mb-1",
      secret,
      Object.assign(el("label", "form-check-label", "Secret"), { htmlFor: secret.id }),
    ),
    el("div", "col-auto", removeButton(row, "this variable")),
    el("div", "col-12 mt-0", error),
  );
  row.fields = { name, value, secret, error };
  return row;
}

function profileRow(profile = {}) {
  const n = (state.rowCounter += 1);
  const row = el("div", "row g-2 mb-3 pb-2 border-bottom stellars-profile");
  const fields = {};
  for (const [key, label, type] of PROFILE_FIELDS) {
    let value = profile[key];
    if (key.startsWith("mem_")) value = sizeText(value);
    if (key === "gpus") value = gpuText(value);
    const node = input(`stellars-profile-${n}-${key}`, type, value);
    node.dataset.profileField = key;
    fields[key] = node;
    row.append(
      el(
        "div",
        key === "description" ? "col-12 col-lg-6" : "col-sm-6 col-lg-3",
        Object.assign(el("label", "form-label small", label), { htmlFor: node.id }),
        node,
      ),
    );
  }
  fields.error = rowError();
  fields.error.hidden = true;
  row.append(el("div", "col-12 text-end", removeButton(row, "this profile")), el("div", "col-12", fields.error));
  row.fields = fields;
  return row;
}

function fieldInput(name) {
  return document.getElementById(`stellars-policy-${name}`);
}

function setGpus(gpus) {
  const mode = fieldInput("gpus");
  const count = document.getElementById("stellars-policy-gpu-count");
  const devices = document.getElementById("stellars-policy-gpu-devices");
  devices.replaceChildren(
    ...state.gpus.map((gpu) => {
      const box = el("input", "form-check-input");
      box.type = "checkbox";
      box.id = `stellars-gpu-${gpu.index}`;
      box.value = String(gpu.index);
      box.checked = Array.isArray(gpus) && (gpus.includes(String(gpu.index)) || gpus.includes(gpu.uuid));
      const label = el("label", "form-check-label", `GPU ${gpu.index}: ${gpu.name} (${gpu.memory_mib} MiB)`);
      label.htmlFor = box.id;
      return el("div", "form-check", box, label);
    }),
  );
  mode.querySelector('option[value="devices"]').disabled = !state.gpus.length;
  mode.value = gpus == null ? "" : Array.isArray(gpus) ? "devices" : typeof gpus === "number" ? "count" : gpus;
  count.value = typeof gpus === "number" ? gpus : "";
  showGpuParts();
}

function showGpuParts() {
  const mode = fieldInput("gpus").value;
  document.getElementById("stellars-policy-gpu-count-box").hidden = mode !== "count";
  document.getElementById("stellars-policy-gpu-devices-box").hidden = mode !== "devices";
}

function clearErrors() {
  for (const node of form.querySelectorAll(".stellars-field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of form.querySelectorAll(".is-invalid")) node.classList.remove("is-invalid");
  document.getElementById("stellars-policy-error").hidden = true;
}

function openEditor(name) {
  const entry = state.groups.get(name);
  const policy = entry.policy || {};
  state.editing = entry;
  clearErrors();
  document.getElementById("stellars-policy-title").textContent = `Policy of ${name}`;
  for (const key of NUMBER_FIELDS) fieldInput(key).value = policy[key] ?? "";
  for (const key of SIZE_FIELDS) fieldInput(key).value = sizeText(policy[key]);
  fieldInput("default_profile").value = policy.default_profile ?? "";
  const access = fieldInput("docker_access");
  access.value = policy.docker_access ?? "";
  // A built-in group's access is what the platform gives it, whatever is saved.
  access.disabled = entry.builtin;
  setGpus(policy.gpus);
  document
    .getElementById("stellars-policy-environment")
    .replaceChildren(...(policy.environment || []).map(variableRow));
  document.getElementById("stellars-policy-profiles").replaceChildren(...(policy.profiles || []).map(profileRow));
  editor.hidden = false;
  editor.scrollIntoView({ block: "start" });
  fieldInput("cpu_limit").focus();
}

// ------------------------------------------------------------------ saving

// A number when the text reads as one; otherwise the text, for the API to name.
function numberValue(text) {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : trimmed;
}

function sizeValue(text) {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return /^[0-9]+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function gpuValue(text) {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed === "none" || trimmed === "all") return trimmed;
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(",").map((part) => part.trim());
}

function collect() {
  const policy = {};
  for (const key of NUMBER_FIELDS) {
    const value = numberValue(fieldInput(key).value);
    if (value !== undefined) policy[key] = value;
  }
  for (const key of SIZE_FIELDS) {
    const value = sizeValue(fieldInput(key).value);
    if (value !== undefined) policy[key] = value;
  }
  const mode = fieldInput("gpus").value;
  if (mode === "none" || mode === "all") policy.gpus = mode;
  if (mode === "count") policy.gpus = numberValue(document.getElementById("stellars-policy-gpu-count").value) ?? "";
  if (mode === "devices") {
    policy.gpus = [...document.querySelectorAll("#stellars-policy-gpu-devices input:checked")].map((box) => box.value);
  }
  const access = fieldInput("docker_access");
  if (!access.disabled && access.value) policy.docker_access = access.value;
  const defaultProfile = fieldInput("default_profile").value.trim();
  if (defaultProfile) policy.default_profile = defaultProfile;
  policy.environment = [...document.querySelectorAll(".stellars-variable")].map((row) => {
    const { name, value, secret } = row.fields;
    // A secret left empty keeps its stored value (null asks the API to keep it).
    const kept = secret.checked && value.value === "";
    return { name: name.value.trim(), value: kept ? null : value.value, secret: secret.checked };
  });
  policy.profiles = [...document.querySelectorAll(".stellars-profile")].map((row) => {
    const profile = {};
    for (const [key] of PROFILE_FIELDS) {
      const text = row.fields[key].value;
      let value;
      if (key === "gpus") value = gpuValue(text);
      else if (key.startsWith("mem_")) value = sizeValue(text);
      else if (key.startsWith("cpu_")) value = numberValue(text);
      else value = key === "description" ? text : text.trim() || undefined;
      if (value !== undefined) profile[key] = value;
    }
    return profile;
  });
  return policy;
}

// The API's 400 reads "policy.mem_limit: why; policy.profiles.0.image: why".
function markError(location, message) {
  const parts = location.replace(/^policy\.?/, "").split(".").filter(Boolean);
  let field = parts[0];
  // A check across fields ("cpu_guarantee is above cpu_limit") names its field first.
  if (!field) field = (message.match(/^([a-z_]+)\b/) || [])[1];
  if ((field === "environment" || field === "profiles") && /^\d+$/.test(parts[1] || "")) {
    const rows = document.querySelectorAll(field === "environment" ? ".stellars-variable" : ".stellars-profile");
    const row = rows[Number(parts[1])];
    if (row) {
      const subfield = parts[2];
      const target = subfield && row.fields[subfield];
      if (target && target.setAttribute) {
        target.classList.add("is-invalid");
        target.setAttribute("aria-invalid", "true");
      }
      row.fields.error.textContent = [row.fields.error.textContent, `${subfield || field}: ${message}`]
        .filter(Boolean)
        .join(" ");
      row.fields.error.hidden = false;
      return true;
    }
  }
  const error = document.getElementById(`stellars-policy-${field}-error`);
  if (!error) return false;
  const target = fieldInput(field);
  if (target) {
    target.classList.add("is-invalid");
    target.setAttribute("aria-invalid", "true");
  }
  error.textContent = [error.textContent, message].filter(Boolean).join(" ");
  error.hidden = false;
  return true;
}

function showErrors(message) {
  const unplaced = [];
  for (const problem of message.split("; ")) {
    const match = problem.match(/^([A-Za-z0-9_.]+): (.*)$/);
    const placed = match ? markError(match[1], match[2]) : markError("", problem);
    if (!placed) unplaced.push(problem);
  }
  const general = document.getElementById("stellars-policy-error");
  general.textContent = unplaced.length
    ? unplaced.join(" ")
    : "The policy was not saved: correct the fields marked below.";
  general.hidden = false;
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const entry = state.editing;
  const button = document.getElementById("stellars-policy-save");
  button.disabled = true;
  try {
    const { data } = await apiRequest("PUT", `${API}/${encodeURIComponent(entry.name)}`, {
      policy: collect(),
      revision: entry.revision,
    });
    state.groups.set(data.name, data);
    render();
    editor.hidden = true;
    showStatus("success", `Saved the policy of ${data.name} (revision ${data.revision}). It applies at each member's next start.`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      showErrors(error.message);
    } else {
      const general = document.getElementById("stellars-policy-error");
      general.textContent = `Not saved: ${describeError(error)}`;
      general.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
}

if (canWrite) {
  form.addEventListener("submit", save);
  fieldInput("gpus").addEventListener("change", showGpuParts);
  document.getElementById("stellars-policy-cancel").addEventListener("click", () => {
    editor.hidden = true;
  });
  document.getElementById("stellars-policy-add-variable").addEventListener("click", () => {
    document.getElementById("stellars-policy-environment").append(variableRow());
  });
  document.getElementById("stellars-policy-add-profile").addEventListener("click", () => {
    document.getElementById("stellars-policy-profiles").append(profileRow());
  });
}

load();
