const statusEl = document.getElementById('status');

/** What the bench page is doing, on the page (for a human watching, and for screenshots). */
export const say = (text: string) => {
  if (statusEl) statusEl.textContent = text;
};
