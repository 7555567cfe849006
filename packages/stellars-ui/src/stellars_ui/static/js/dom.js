// Small DOM helpers shared by the platform's pages. Text goes in as text
// nodes, never as markup: user-supplied strings cannot become elements.

// An element with a class and children; string children become text nodes.
export function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

// Show *message* in the status box *status* as a Bootstrap alert of *kind*
// (success, danger, ...). The box's first class names it and stays.
export function showStatus(status, message, kind) {
  status.textContent = message;
  status.className = `${status.classList[0]} alert alert-${kind}`;
  status.hidden = false;
}

// "1 user", "3 users".
export function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
