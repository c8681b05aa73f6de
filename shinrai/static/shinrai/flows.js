// Business flow diagrams: zoom and pan by changing the SVG viewBox; flow steps open their page on click.
// Everything the script needs comes from data- attributes on the viewer (the page has no inline script).
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function parseList(value) {
    try {
      var list = JSON.parse(value || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function halo(group, className, pad) {
    var box;
    try {
      box = group.getBBox();
    } catch (e) {
      return;
    }
    if (!box || (!box.width && !box.height)) return;
    var rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("x", box.x - pad);
    rect.setAttribute("y", box.y - pad);
    rect.setAttribute("width", box.width + 2 * pad);
    rect.setAttribute("height", box.height + 2 * pad);
    rect.setAttribute("rx", 6);
    rect.setAttribute("class", className);
    group.insertBefore(rect, group.firstChild);
  }

  function setUp(viewer) {
    var viewport = viewer.querySelector(".flow-viewport");
    var svg = viewport && viewport.querySelector("svg");
    if (!svg) return;
    var base = svg.viewBox && svg.viewBox.baseVal;
    var home;
    if (base && base.width && base.height) {
      home = { x: base.x, y: base.y, w: base.width, h: base.height };
    } else {
      var b = svg.getBBox();
      home = { x: b.x, y: b.y, w: b.width || 1, h: b.height || 1 };
    }
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.classList.add("flow-svg");
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
      viewer.setAttribute("data-zoom-level", (home.w / view.w).toFixed(3));
    }
    // Diagram units per screen pixel (the SVG keeps its aspect ratio, "meet").
    function unitsPerPixel() {
      var rect = svg.getBoundingClientRect();
      if (!rect.width || !rect.height) return 1;
      return Math.max(view.w / rect.width, view.h / rect.height);
    }
    function toDiagram(clientX, clientY) {
      var rect = svg.getBoundingClientRect();
      var k = unitsPerPixel();
      var cx = view.x + view.w / 2 + (clientX - (rect.left + rect.width / 2)) * k;
      var cy = view.y + view.h / 2 + (clientY - (rect.top + rect.height / 2)) * k;
      return { x: cx, y: cy };
    }
    function zoom(factor, at) {
      var w = view.w / factor;
      var h = view.h / factor;
      if (w > home.w * 20 || w < home.w / 40) return;
      var p = at || { x: view.x + view.w / 2, y: view.y + view.h / 2 };
      view.x = p.x - (p.x - view.x) / factor;
      view.y = p.y - (p.y - view.y) / factor;
      view.w = w;
      view.h = h;
      apply();
    }
    function fit() {
      view = { x: home.x, y: home.y, w: home.w, h: home.h };
      apply();
    }
    function actualSize() {
      var rect = svg.getBoundingClientRect();
      if (!rect.width) return;
      var cx = view.x + view.w / 2;
      var cy = view.y + view.h / 2;
      view.w = rect.width;
      view.h = rect.height;
      view.x = cx - view.w / 2;
      view.y = cy - view.h / 2;
      apply();
    }
    function pan(dxPixels, dyPixels) {
      var k = unitsPerPixel();
      view.x -= dxPixels * k;
      view.y -= dyPixels * k;
      apply();
    }

    viewer.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-zoom");
        if (what === "in") zoom(1.25);
        else if (what === "out") zoom(0.8);
        else if (what === "fit") fit();
        else actualSize();
      });
    });
    viewport.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, toDiagram(event.clientX, event.clientY));
      },
      { passive: false }
    );
    viewport.addEventListener("keydown", function (event) {
      var step = 40;
      var handled = true;
      if (event.key === "+" || event.key === "=") zoom(1.25);
      else if (event.key === "-" || event.key === "_") zoom(0.8);
      else if (event.key === "0") fit();
      else if (event.key === "ArrowLeft") pan(step, 0);
      else if (event.key === "ArrowRight") pan(-step, 0);
      else if (event.key === "ArrowUp") pan(0, step);
      else if (event.key === "ArrowDown") pan(0, -step);
      else handled = false;
      if (handled) event.preventDefault();
    });

    var drag = null;
    var dragged = false;
    viewport.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, id: event.pointerId };
      dragged = false;
    });
    viewport.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!dragged) {
        dragged = true;
        viewport.classList.add("flow-dragging");
        try {
          viewport.setPointerCapture(drag.id);
        } catch (e) {
          /* the pointer may be gone already */
        }
      }
      pan(dx, dy);
      drag.x = event.clientX;
      drag.y = event.clientY;
    });
    function endDrag() {
      drag = null;
      viewport.classList.remove("flow-dragging");
    }
    viewport.addEventListener("pointerup", endDrag);
    viewport.addEventListener("pointercancel", endDrag);

    // Flow steps: clickable, and outlined in amber when no requirement serves them.
    var steps = parseList(viewer.getAttribute("data-steps"));
    var unlinked = parseList(viewer.getAttribute("data-unlinked"));
    var urlTemplate = viewer.getAttribute("data-step-url");
    var placeholder = viewer.getAttribute("data-step-placeholder");
    if (steps.length && urlTemplate && placeholder) {
      var isStep = {};
      steps.forEach(function (id) { isStep[id] = true; });
      var isGap = {};
      unlinked.forEach(function (id) { isGap[id] = true; });
      svg.querySelectorAll("[data-bpmn-id]").forEach(function (group) {
        var id = group.getAttribute("data-bpmn-id");
        if (!isStep[id]) return;
        group.classList.add("flow-step");
        halo(group, "flow-step-halo", 5);
        if (isGap[id]) {
          group.classList.add("flow-step-gap");
          halo(group, "flow-gap-halo", 4);
        }
      });
      svg.addEventListener("click", function (event) {
        if (dragged) {
          dragged = false;
          return;
        }
        var group = event.target.closest && event.target.closest("[data-bpmn-id]");
        while (group && !isStep[group.getAttribute("data-bpmn-id")]) {
          group = group.parentElement && group.parentElement.closest("[data-bpmn-id]");
        }
        if (!group) return;
        var id = group.getAttribute("data-bpmn-id");
        window.location.assign(urlTemplate.replace(placeholder, encodeURIComponent(id)));
      });
    }
    viewer.classList.add("flow-viewer-ready");
    apply();
  }

  function start() {
    document.querySelectorAll("[data-flow-viewer]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
