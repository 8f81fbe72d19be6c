// Pan and zoom for the pathway diagrams (inline SVG in a .diagram-view): the buttons + / − / Tilpass,
// the arrow keys and + / − when the diagram has focus, dragging with mouse or finger, Ctrl + wheel.
// Zoom and pan change the SVG's viewBox. data-focus="now": start at reading size centred on the
// highlighted step (class "naa"). Without JavaScript the diagram is shown whole and the buttons stay hidden.
(function () {
  var MAX = 12;

  function setUp(view, start) {  // start: a viewBox to begin at (the editor's preview keeps its zoom)
    var svg = view.querySelector("svg");
    if (!svg || view.dataset.ready) return;
    view.dataset.ready = "1";
    svg.dataset.full = svg.getAttribute("viewBox");
    var home = svg.viewBox.baseVal, full = [home.x, home.y, home.width, home.height], box = full.slice();
    var status = view.querySelector(".diagram-zoom-level");

    function show() {
      svg.setAttribute("viewBox", box.map(function (n) { return n.toFixed(2); }).join(" "));
      var zoom = full[2] / box[2];
      svg.style.touchAction = zoom > 1.01 ? "none" : "";  // at full view a finger scrolls the page
      if (status) status.textContent = Math.round(zoom * 100) + " %";
    }
    function zoomBy(factor, cx, cy) {
      var zoom = Math.min(MAX, Math.max(1, full[2] / box[2] * factor));
      if (cx === undefined) { cx = box[0] + box[2] / 2; cy = box[1] + box[3] / 2; }
      var w = full[2] / zoom, h = full[3] / zoom;
      box = [cx - (cx - box[0]) * w / box[2], cy - (cy - box[1]) * h / box[3], w, h];
      show();
    }
    function panBy(dx, dy) { box[0] += dx; box[1] += dy; show(); }
    function toSvg(clientX, clientY) {  // a point on the screen in the viewBox's coordinates
      var point = svg.createSVGPoint(); point.x = clientX; point.y = clientY;
      return point.matrixTransform(svg.getScreenCTM().inverse());
    }
    function readingSize() {  // the zoom at which 1 unit (pt) of the drawing is 1.33 px, as printed
      var rect = svg.getBoundingClientRect();
      return 1.333 / Math.min(rect.width / full[2], rect.height / full[3]);
    }
    function focusOn(node) {
      var r = node.getBoundingClientRect(), c = toSvg(r.left + r.width / 2, r.top + r.height / 2);
      var zoom = Math.min(MAX, Math.max(1, readingSize()));
      box = [c.x - full[2] / zoom / 2, c.y - full[3] / zoom / 2, full[2] / zoom, full[3] / zoom];
      show();
    }
    function fit() { box = full.slice(); show(); }

    view.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "in") zoomBy(1.5);
        else if (how === "out") zoomBy(1 / 1.5);
        else if (how === "now" && svg.querySelector(".naa")) focusOn(svg.querySelector(".naa"));
        else fit();
      });
    });
    svg.setAttribute("tabindex", "0");
    svg.addEventListener("keydown", function (event) {
      var step = box[2] / 8, keys = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step],
                                     ArrowDown: [0, step]};
      if (keys[event.key]) panBy(keys[event.key][0], keys[event.key][1]);
      else if (event.key === "+" || event.key === "=") zoomBy(1.5);
      else if (event.key === "-") zoomBy(1 / 1.5);
      else if (event.key === "0") fit();
      else return;
      event.preventDefault();
    });
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return;  // plain scrolling scrolls the page
      event.preventDefault();
      var c = toSvg(event.clientX, event.clientY);
      zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, c.x, c.y);
    }, {passive: false});
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (full[2] / box[2] <= 1.01) return;
      drag = toSvg(event.clientX, event.clientY);
      svg.setPointerCapture(event.pointerId);
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var here = toSvg(event.clientX, event.clientY);
      panBy(drag.x - here.x, drag.y - here.y);
    });
    ["pointerup", "pointercancel"].forEach(function (name) { svg.addEventListener(name, function () { drag = null; }); });
    var now = svg.querySelector(".naa");
    if (start) { box = start.split(/[\s,]+/).map(Number); show(); }
    else if (view.dataset.focus === "now" && now) focusOn(now); else show();
  }

  window.pathwaysDiagram = setUp;  // the editor calls it for each new preview
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".diagram-view").forEach(setUp);
  });
})();
