// Live verifiability check: while a requirement is typed, vague words are highlighted below the field.
// Everything is built with textContent (never innerHTML), so requirement text cannot inject markup.
(() => {
  const DELAY_MS = 350;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render(panel, text, result) {
    // Offsets from the server count Unicode code points; JavaScript strings count UTF-16 units.
    const chars = Array.from(text);
    const slice = (start, end) => chars.slice(start, end).join("");
    panel.replaceChildren();
    if (!result.findings.length) {
      const ok = document.createElement("p");
      ok.className = "verifiability-ok";
      ok.textContent = panel.dataset.labelOk;
      panel.append(ok);
      return;
    }
    const preview = document.createElement("p");
    preview.className = "verifiability-preview";
    let cursor = 0;
    for (const finding of result.findings) {
      if (finding.start < cursor) continue;
      preview.append(document.createTextNode(slice(cursor, finding.start)));
      const mark = document.createElement("mark");
      mark.textContent = slice(finding.start, finding.end);
      mark.title = finding.message;
      mark.dataset.category = finding.category;
      preview.append(mark);
      cursor = finding.end;
    }
    preview.append(document.createTextNode(slice(cursor)));
    const list = document.createElement("ul");
    list.className = "verifiability-findings";
    for (const finding of result.findings) {
      const item = document.createElement("li");
      const message = document.createElement("span");
      message.textContent = `${finding.message} `;
      const suggestion = document.createElement("span");
      suggestion.className = "suggestion";
      suggestion.textContent = `→ ${finding.suggestion}`;
      item.append(message, suggestion);
      list.append(item);
    }
    panel.append(preview, list);
  }

  function attach(panel) {
    const field = document.getElementById(panel.dataset.verifiabilityFor);
    if (!field) return;
    let timer = null;
    let sequence = 0;
    const run = async () => {
      const text = field.value;
      const mine = ++sequence;
      if (!text.trim()) {
        panel.replaceChildren();
        return;
      }
      try {
        const response = await fetch(panel.dataset.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(field.form) },
          body: JSON.stringify({ text }),
        });
        if (!response.ok) throw new Error(String(response.status));
        const result = await response.json();
        if (mine === sequence) render(panel, text, result);
      } catch (error) {
        if (mine === sequence) panel.textContent = panel.dataset.labelError;
      }
    };
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(run, DELAY_MS);
    });
    run();
  }

  document.querySelectorAll("[data-verifiability-for]").forEach(attach);
})();
