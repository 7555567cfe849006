// JupyterHub's admin page (its own React bundle, which the platform does not
// change) draws each user's row with a button that shows or hides the row's
// details: an icon and no text, so a screen reader announces a nameless
// button. This module names each such button after its user, also those the
// bundle draws later (paging, a search, a refresh), and keeps the name in
// step when the bundle reuses a button for another row.
const BUTTONS = 'button[data-testid$="-collapse-button"]';

function nameButton(button) {
  const row = button.closest("tr");
  const nameCell = row && row.querySelector('[data-testid^="user-name-div-"]');
  const username = nameCell ? nameCell.textContent.trim() : "";
  const label = username ? `Show or hide the details of ${username}` : "Show or hide details";
  if (button.getAttribute("aria-label") !== label) button.setAttribute("aria-label", label);
}

function nameAll(root) {
  for (const button of root.querySelectorAll(BUTTONS)) nameButton(button);
}

// Nodes and text only, not attributes: setting a name never wakes it again.
new MutationObserver(() => nameAll(document)).observe(document.body, {
  childList: true,
  subtree: true,
  characterData: true,
});
nameAll(document);
