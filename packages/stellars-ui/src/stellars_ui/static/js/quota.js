// Home page: the user's volumes against their quota. A bar on the server
// card whenever a quota is set and the sizes are known, and a warning when
// they near or pass it; nothing else while all is well. The user's own quota
// state (GET users/{name}/quota: their policy and the sizes last measured);
// asked again when the card measured the volumes ("stellars:volume-sizes").
import { apiRequest, hubData, userPath } from "./api.js";
import { formatBytes, formatPercent } from "./format.js";

const card = document.getElementById("stellars-quota");
const text = document.getElementById("stellars-quota-text");
const bar = document.getElementById("stellars-quota-bar");
const barText = document.getElementById("stellars-quota-bar-text");

function describe(quota) {
  const numbers =
    `Your volumes hold ${formatBytes(quota.used_bytes)} of your ` +
    `${formatBytes(quota.quota_bytes)} quota (${formatPercent(quota.percent)}).`;
  if (quota.state === "over") {
    return `${numbers} You are over your quota: free space, or ask an admin to raise it.`;
  }
  return `${numbers} You are near your quota (warning from ${quota.warning_percent}%): free space soon.`;
}

function showBar(quota) {
  const shown = quota && quota.quota_bytes !== null && quota.percent !== null;
  bar.hidden = !shown;
  if (!shown) return;
  const percent = Math.min(100, Math.max(0, quota.percent));
  barText.textContent =
    `${formatBytes(quota.used_bytes)} of your ${formatBytes(quota.quota_bytes)} quota ` +
    `(${formatPercent(quota.percent)})`;
  const meter = bar.querySelector("[role=progressbar]");
  meter.setAttribute("aria-valuenow", String(Math.round(percent)));
  const fill = meter.querySelector(".progress-bar");
  fill.style.width = `${percent}%`;
  fill.classList.toggle("bg-warning", quota.state === "warning");
  fill.classList.toggle("bg-danger", quota.state === "over");
}

async function show() {
  const { data: quota } = await apiRequest("GET", userPath(hubData().user, "quota"));
  card.dataset.state = quota ? quota.state : "unknown";
  showBar(quota);
  if (!quota || (quota.state !== "warning" && quota.state !== "over")) {
    card.hidden = true;
    return;
  }
  card.classList.toggle("alert-warning", quota.state === "warning");
  card.classList.toggle("alert-danger", quota.state === "over");
  text.textContent = describe(quota);
  card.hidden = false;
}

function showOrLeave() {
  show().catch(() => {
    // The warning is advice: a hub that cannot answer now leaves the page as it is.
    card.hidden = true;
  });
}

document.addEventListener("stellars:volume-sizes", showOrLeave);
showOrLeave();
