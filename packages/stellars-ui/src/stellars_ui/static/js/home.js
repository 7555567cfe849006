// Home page controls: "Manage volumes" for a stopped server, "Restart" for a
// running one. Both ask for confirmation, show progress and the outcome.
import { apiRequest, hubData, userPath } from "./api.js";
import { formatBytes } from "./format.js";

const user = hubData().user;
const panel = document.getElementById("stellars-server-controls");
const manageButton = document.getElementById("stellars-manage-volumes");
const restartButton = document.getElementById("stellars-restart");
const status = document.getElementById("stellars-status");
const volumesDialog = document.getElementById("stellars-volumes-dialog");
const restartDialog = document.getElementById("stellars-restart-dialog");

function say(message, kind = "info") {
  status.textContent = message;
  status.className = `alert alert-${kind} mt-3`;
  status.hidden = false;
}

async function serverState() {
  const { data } = await apiRequest("GET", `users/${encodeURIComponent(user)}`);
  const server = data.servers && data.servers[""];
  if (!server) return "stopped";
  if (server.pending) return "pending";
  return server.ready ? "running" : "pending";
}

async function showControls() {
  const state = await serverState();
  manageButton.hidden = state !== "stopped";
  restartButton.hidden = state !== "running";
  panel.dataset.state = state;
  return state;
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
  title.textContent = `${volume.suffix} — ${volume.description}`;
  const detail = document.createElement("small");
  detail.className = "d-block text-body-secondary";
  detail.textContent = `${volume.mount_point} · ${volume.name} · ${formatBytes(volume.size_bytes)}`;
  text.append(title, detail);
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

function askToDelete() {
  const chosen = chosenVolumes();
  const confirmation = volumesDialog.querySelector(".stellars-confirmation");
  confirmation.querySelector(".stellars-confirmation-text").textContent =
    `Delete ${chosen.join(", ")}? Everything stored in ${chosen.length === 1 ? "it" : "them"} ` +
    "is lost for good.";
  confirmation.hidden = false;
}

async function deleteChosen() {
  const chosen = chosenVolumes();
  volumesDialog.close();
  say(`Deleting ${chosen.join(", ")}…`);
  try {
    const { data } = await apiRequest("DELETE", userPath(user, "manage-volumes"), {
      volumes: chosen,
    });
    const outcome = data.volumes.map((v) => (v.deleted ? `${v.suffix}: deleted` : `${v.suffix}: failed (${v.error})`));
    say(outcome.join("; "), data.volumes.every((v) => v.deleted) ? "success" : "warning");
  } catch (error) {
    const detail = error.body && error.body.volumes
      ? error.body.volumes.map((v) => `${v.suffix}: failed (${v.error})`).join("; ")
      : error.message;
    say(`Nothing deleted: ${detail}`, "danger");
  }
}

// ---- restart

async function restart() {
  restartDialog.close();
  restartButton.disabled = true;
  say("Restarting your server…");
  try {
    await apiRequest("POST", userPath(user, "restart-server"));
    say("Your server restarted. Your files and settings are as you left them.", "success");
  } catch (error) {
    say(`Restart failed: ${error.message}`, "danger");
  } finally {
    restartButton.disabled = false;
    await showControls();
  }
}

function wire() {
  manageButton.addEventListener("click", openVolumes);
  volumesDialog.addEventListener("change", () => {
    volumesDialog.querySelector(".stellars-delete").disabled = chosenVolumes().length === 0;
    volumesDialog.querySelector(".stellars-confirmation").hidden = true;
  });
  volumesDialog.querySelector(".stellars-delete").addEventListener("click", askToDelete);
  volumesDialog.querySelector(".stellars-confirm-delete").addEventListener("click", deleteChosen);
  volumesDialog.querySelectorAll(".stellars-cancel").forEach((b) => b.addEventListener("click", () => volumesDialog.close()));
  restartButton.addEventListener("click", () => restartDialog.showModal());
  restartDialog.querySelector(".stellars-confirm-restart").addEventListener("click", restart);
  restartDialog.querySelector(".stellars-cancel").addEventListener("click", () => restartDialog.close());
  // JupyterHub's own "Stop My Server" changes the state without a reload.
  const stop = document.getElementById("stop");
  if (stop) {
    stop.addEventListener("click", async () => {
      for (let tries = 0; tries < 120; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if ((await showControls()) === "stopped") return;
      }
    });
  }
}

wire();
showControls();
