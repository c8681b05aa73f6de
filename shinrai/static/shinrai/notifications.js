// The unread badge on the bell: filled after the page loads from the small unread-count endpoint, so that
// rendering a page never costs a query for it. Refreshed when the tab becomes visible again.
(function () {
  "use strict";

  function refresh(badge) {
    var source = badge.getAttribute("data-unread-source");
    if (!source || !window.fetch) {
      return;
    }
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || typeof data.unread !== "number") {
          return;
        }
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.hidden = data.unread === 0;
        var label = badge.getAttribute("data-unread-label");
        if (label) {
          badge.setAttribute("aria-label", label.replace("%(count)s", String(data.unread)));
        }
      })
      .catch(function () {
        // The badge is a convenience: on a network error the bell link still works.
      });
  }

  function start() {
    var badges = document.querySelectorAll("[data-unread-source]");
    Array.prototype.forEach.call(badges, refresh);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        Array.prototype.forEach.call(badges, refresh);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
