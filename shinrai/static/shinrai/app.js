// Progressive enhancement only: every form also works without this file.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});

// A table wider than the screen scrolls inside its .table-wrap. Keyboard users can scroll it only if the box
// itself can take the focus (WCAG 2.1.1; axe's "scrollable-region-focusable"), so an overflowing box gets
// tabindex=0 and the name of its table. Deferred scripts run once the document is parsed.
function focusableScrollBoxes() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) continue;
    box.tabIndex = 0;
    const caption = box.querySelector("caption");
    const name = caption ? caption.textContent.trim() : "";
    if (name) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name);
    }
  }
}
focusableScrollBoxes();
window.addEventListener("resize", focusableScrollBoxes);
