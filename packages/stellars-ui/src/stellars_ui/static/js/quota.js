// Home page: a warning when the user's volumes near or pass their quota.
// The user's own quota state (GET users/{name}/quota: their policy and the
// sizes last measured); nothing shows while all is well.
import { apiRequest, hubData, userPath } from "./api.js";
import { formatBytes, formatPercent } from "./format.js";

const card = document.getElementById("stellars-quota");
const text = document.getElementById("stellars-quota-text");

function describe(quota) {
  const numbers =
    `Your volumes hold ${formatBytes(quota.used_bytes)} of your ` +
    `${formatBytes(quota.quota_bytes)} quota (${formatPercent(quota.percent)}).`;
  if (quota.state === "over") {
    return `${numbers} You are over your quota: free space, or ask an admin to raise it.`;
  }
  return `${numbers} You are near your quota (warning from ${quota.warning_percent}%): free space soon.`;
}

async function show() {
  const { data: quota } = await apiRequest("GET", userPath(hubData().user, "quota"));
  card.dataset.state = quota ? quota.state : "unknown";
  if (!quota || (quota.state !== "warning" && quota.state !== "over")) {
    card.hidden = true;
    return;
  }
  card.classList.toggle("alert-warning", quota.state === "warning");
  card.classList.toggle("alert-danger", quota.state === "over");
  text.textContent = describe(quota);
  card.hidden = false;
}

show().catch(() => {
  // The warning is advice: a hub that cannot answer now leaves the page as it is.
  card.hidden = true;
});
