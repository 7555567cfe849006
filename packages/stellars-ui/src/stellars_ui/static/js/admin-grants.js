// The admin page's "Docker access" panel: each member of docker-sock and
// docker-privileged (root on the host), who granted the membership and when,
// and whether a spawn honours it. A membership no full admin granted is
// flagged "ignored at spawn" with the reason and the fix the hub gives.
//
// Its own module and section, apart from admin.js's passwords dialog: the
// panel lives outside JupyterHub's React root, and reloads after the page
// changes a group's members (JupyterHub's React app does that with fetch on
// <base_url>api/groups/<name>/users), or when the admin asks.
//
// Names and texts from the hub reach the page through textContent only.
import { apiRequest, describeError, hubData } from "./api.js";
import { el, showStatus } from "./dom.js";
import { formatRelativeTime, formatTimestamp } from "./format.js";

const panel = document.getElementById("stellars-docker-grants");
const groupsBox = panel.querySelector(".stellars-grants-groups");
const status = panel.querySelector(".stellars-grants-status");

const GROUPS_PATH = new URL(`${hubData().base_url}api/groups/`, window.location.origin).pathname;

function say(message, kind) {
  showStatus(status, message, kind);
}

function granterCell(member) {
  const cell = el("td", "stellars-grant-by");
  cell.dataset.label = "Granted by";
  if (member.granted_by === null) {
    cell.append(el("span", "text-body-secondary", "no record"));
    return cell;
  }
  cell.append(member.granted_by);
  if (member.granted_by_full_admin) {
    cell.append(" ", el("span", "badge text-bg-light border", "full admin"));
  }
  return cell;
}

function whenCell(member) {
  const cell = el("td", "stellars-grant-when");
  cell.dataset.label = "When";
  if (member.granted_at === null) {
    cell.append(el("span", "text-body-secondary", "—"));
    return cell;
  }
  const time = el("time", "", formatRelativeTime(member.granted_at, Date.now()));
  time.dateTime = member.granted_at;
  time.title = formatTimestamp(member.granted_at);
  cell.append(time);
  return cell;
}

function verdictCell(member) {
  const cell = el("td", "stellars-grant-verdict");
  cell.dataset.label = "At spawn";
  if (member.counts_at_spawn) {
    cell.append(el("span", "badge text-bg-success", "counts"));
    return cell;
  }
  cell.append(
    el("span", "badge text-bg-warning", "ignored at spawn"),
    el("div", "small mt-1 stellars-grant-reason", `Why: ${member.ignored_because}.`),
    el("div", "small stellars-grant-fix", `Fix: ${member.fix}`),
  );
  return cell;
}

function memberRow(member) {
  const name = el("th", "stellars-grant-user", member.username);
  name.scope = "row";
  const row = el("tr", member.counts_at_spawn ? "" : "table-warning", name);
  row.dataset.username = member.username;
  row.dataset.counts = String(member.counts_at_spawn);
  row.append(granterCell(member), whenCell(member), verdictCell(member));
  return row;
}

function groupBlock(group) {
  const block = el("div", "stellars-grants-group mt-3");
  block.dataset.group = group.name;
  const titleId = `stellars-grants-${group.name}`;
  const title = el("h3", "h6 mb-1", el("code", "", group.name));
  title.id = titleId;
  block.append(title, el("p", "small text-body-secondary mb-2", `Gives ${group.gives}.`));
  if (group.members.length === 0) {
    block.append(el("p", "small fst-italic stellars-grants-empty", "No members."));
    return block;
  }
  const head = el(
    "tr",
    "",
    ...["User", "Granted by", "When", "At spawn"].map((label) => {
      const th = el("th", "", label);
      th.scope = "col";
      return th;
    }),
  );
  const table = el(
    "table",
    "table table-sm align-middle mb-0 stellars-grants-table",
    el("thead", "", head),
    el("tbody", "", ...group.members.map(memberRow)),
  );
  table.setAttribute("aria-labelledby", titleId);
  block.append(table);
  return block;
}

async function load() {
  try {
    const { data } = await apiRequest("GET", "stellars/docker-grants");
    groupsBox.replaceChildren(...data.groups.map(groupBlock));
    const ignored = data.groups.flatMap((group) => group.members).filter((m) => !m.counts_at_spawn);
    if (ignored.length > 0) {
      say(
        `${ignored.length} membership${ignored.length === 1 ? " is" : "s are"} ignored at spawn: ` +
          "no full admin granted them. See each one's fix below.",
        "warning",
      );
    } else {
      status.hidden = true;
    }
  } catch (error) {
    say(`Could not read who holds Docker access: ${describeError(error)}.`, "danger");
  }
}

// A change of some group's members on this page, through JupyterHub's own API.
function isMembershipChange(input, init) {
  try {
    const request = input instanceof Request ? input : null;
    const method = ((init && init.method) || (request ? request.method : "GET")).toUpperCase();
    const url = new URL(request ? request.url : String(input), window.location.href);
    return (
      (method === "POST" || method === "DELETE") &&
      url.origin === window.location.origin &&
      url.pathname.startsWith(GROUPS_PATH)
    );
  } catch {
    return false;
  }
}

// The page's fetch (perhaps already wrapped by admin.js), wrapped once more:
// every call goes through untouched; a membership change reloads the panel.
const pageFetch = window.fetch;
window.fetch = function fetchWatchingGroupChanges(...args) {
  const answer = pageFetch.apply(window, args);
  if (isMembershipChange(...args)) {
    answer.then(load, () => {});
  }
  return answer;
};

panel.querySelector(".stellars-grants-refresh").addEventListener("click", load);
load();
