// Home page actions on the server card: "Restart" for a running server, and
// "Manage volumes" (reset chosen volumes) for a stopped one that has volumes.
// Both ask for confirmation; progress, done and failed look different and are
// announced (the status is a live region). The card (server-card.js) says
// what state the server is in with a "stellars:server" event.
import { apiRequest, hubData, userPath } from "./api.js";
import { formatBytes, volumeTitle } from "./format.js";

const user = hubData().user;
const panel = document.getElementById("stellars-server-controls");
const manageButton = document.getElementById("stellars-manage-volumes");
const restartButton = document.getElementById("stellars-restart");
// Restart is a Docker action: a hub without stellars-docker (Kubernetes) has no route for it.
const docker = document.getElementById("stellars-server-card")?.dataset.docker !== "no";
const status = document.getElementById("stellars-status");
const volumesDialog = document.getElementById("stellars-volumes-dialog");
const restartDialog = document.getElementById("stellars-restart-dialog");
// Each outcome's look: progress, done and failed never share a colour.
const OUTCOMES = {
  progress: "alert-info",
  done: "alert-success",
  partial: "alert-warning",
  failed: "alert-danger",
};

function say(message, outcome) {
  status.replaceChildren();
  if (outcome === "progress") {
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-2";
    spinner.setAttribute("aria-hidden", "true");
    status.append(spinner);
  }
  status.append(message);
  status.dataset.outcome = outcome;
  status.className = `alert ${OUTCOMES[outcome]} mt-3 mb-0`;
  status.hidden = false;
}

function showControls({ state, volumes }) {
  manageButton.hidden = state !== "stopped" || volumes.length === 0;
  restartButton.hidden = !docker || state !== "running";
  panel.dataset.state = state;
}

function refreshCard() {
  document.dispatchEvent(new CustomEvent("stellars:refresh"));
}

// ---- manage volumes

function volumeRow(volume) {
  const row = document.createElement("label");
  row.className = "list-group-item d-flex gap-2 align-items-start";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "form-check-input mt-1";
  box.value = volume.suffix;
  box.name = "volume";
  const text = document.createElement("span");
  const title = document.createElement("strong");
  title.textContent = volumeTitle(volume.suffix);
  const description = document.createElement("span");
  description.className = "d-block";
  description.textContent = volume.description;
  // The on-disk name is the secondary detail, for whoever needs to find it.
  const detail = document.createElement("small");
  detail.className = "d-block text-body-secondary";
  const size = volume.size_bytes === null ? "size not measured yet" : formatBytes(volume.size_bytes);
  detail.textContent = `${volume.mount_point} · ${volume.name} · ${size}`;
  text.append(title, description, detail);
  row.append(box, text);
  return row;
}

function chosenVolumes() {
  return [...volumesDialog.querySelectorAll("input[name=volume]:checked")].map((box) => box.value);
}

async function openVolumes() {
  const list = volumesDialog.querySelector(".stellars-volume-list");
  const confirmation = volumesDialog.querySelector(".stellars-confirmation");
  list.replaceChildren();
  confirmation.hidden = true;
  volumesDialog.querySelector(".stellars-delete").disabled = true;
  volumesDialog.showModal();
  try {
    const { data } = await apiRequest("GET", userPath(user, "manage-volumes"));
    if (data.volumes.length === 0) {
      list.textContent = "You have no volumes to reset.";
    }
    data.volumes.forEach((volume) => list.append(volumeRow(volume)));
  } catch (error) {
    list.textContent = `Could not list your volumes: ${error.message}`;
  }
}

function names(suffixes) {
  return suffixes.map(volumeTitle).join(", ");
}

function askToReset() {
  const chosen = chosenVolumes();
  const confirmation = volumesDialog.querySelector(".stellars-confirmation");
  confirmation.querySelector(".stellars-confirmation-text").textContent =
    `Reset ${names(chosen)}? Everything stored in ${chosen.length === 1 ? "it" : "them"} ` +
    "is lost for good; your next start creates " +
    `${chosen.length === 1 ? "it" : "them"} again, empty.`;
  confirmation.hidden = false;
}

function outcomeOf(volume) {
  return volume.deleted
    ? `${volumeTitle(volume.suffix)}: reset`
    : `${volumeTitle(volume.suffix)}: not reset (${volume.error})`;
}

async function resetChosen() {
  const chosen = chosenVolumes();
  volumesDialog.close();
  say(`Resetting ${names(chosen)}…`, "progress");
  try {
    const { data } = await apiRequest("DELETE", userPath(user, "manage-volumes"), {
      volumes: chosen,
    });
    const allReset = data.volumes.every((volume) => volume.deleted);
    say(data.volumes.map(outcomeOf).join("; "), allReset ? "done" : "partial");
  } catch (error) {
    const detail = error.body && error.body.volumes
      ? error.body.volumes.map(outcomeOf).join("; ")
      : error.message;
    say(`Nothing reset: ${detail}`, "failed");
  }
  refreshCard();
}

// ---- restart

async function restart() {
  restartDialog.close();
  restartButton.disabled = true;
  say("Restarting your server…", "progress");
  try {
    await apiRequest("POST", userPath(user, "restart-server"));
    say("Your server restarted. Your files and settings are as you left them.", "done");
  } catch (error) {
    say(`Restart failed: ${error.message}`, "failed");
  } finally {
    restartButton.disabled = false;
    refreshCard();
  }
}

function wire() {
  manageButton.addEventListener("click", openVolumes);
  volumesDialog.addEventListener("change", () => {
    volumesDialog.querySelector(".stellars-delete").disabled = chosenVolumes().length === 0;
    volumesDialog.querySelector(".stellars-confirmation").hidden = true;
  });
  volumesDialog.querySelector(".stellars-delete").addEventListener("click", askToReset);
  volumesDialog.querySelector(".stellars-confirm-delete").addEventListener("click", resetChosen);
  volumesDialog.querySelectorAll(".stellars-cancel").forEach((b) => b.addEventListener("click", () => volumesDialog.close()));
  restartButton.addEventListener("click", () => restartDialog.showModal());
  restartDialog.querySelector(".stellars-confirm-restart").addEventListener("click", restart);
  restartDialog.querySelector(".stellars-cancel").addEventListener("click", () => restartDialog.close());
  document.addEventListener("stellars:server", (event) => showControls(event.detail));
}

wire();
