// The pathway editor: Ace (vendored) over the form's textarea, validation as you type (debounced), the
// problems listed and marked at their lines, and the diagram of a valid draft beside it. Without
// JavaScript the textarea and the "Lagre utkast" button do the same on the server.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("editor-form");
  var textarea = document.getElementById("document");
  if (!form || !textarea) return;
  var list = document.getElementById("problems");
  var count = document.getElementById("problem-count");
  var timing = document.getElementById("check-time");
  var preview = document.getElementById("preview");
  var editor = null;

  if (window.ace) {
    var host = document.getElementById("ace");
    host.hidden = false;
    textarea.hidden = true;
    editor = ace.edit(host, {
      mode: "ace/mode/yaml", theme: "ace/theme/textmate", value: textarea.value, tabSize: 2, useSoftTabs: true,
      showPrintMargin: false, enableKeyboardAccessibility: true, basePath: "/static/ace/",
      useWorker: false  // our own check marks the problems; a worker would need a blob: script (CSP)
    });
    ace.config.set("basePath", "/static/ace/");
    editor.renderer.textarea.setAttribute("aria-label", "Dokument (YAML)");
    editor.session.on("change", function () { textarea.value = editor.getValue(); schedule(); });
    window.pathwaysEditor = editor;
  } else {
    textarea.addEventListener("input", schedule);
  }

  function goTo(line, column) {
    if (editor) { editor.gotoLine(line, Math.max(0, column - 1), true); editor.focus(); return; }
    var lines = textarea.value.split("\n"), at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(at + column - 1, at + column - 1);
  }
  list.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-line]");
    if (!link) return;
    event.preventDefault();
    goTo(+link.dataset.line, +link.dataset.column);
  });

  var timer = null, seq = 0;
  function schedule() { clearTimeout(timer); timer = setTimeout(check, 400); }

  function show(problems) {
    list.textContent = "";
    count.textContent = problems.length;
    if (!problems.length) {
      var ok = document.createElement("li"); ok.className = "ok-text"; ok.textContent = "✓ Ingen feil"; list.appendChild(ok);
    }
    problems.forEach(function (p) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#document"; a.dataset.line = p.line; a.dataset.column = p.column;
      a.textContent = "linje " + p.line + ", kolonne " + p.column;
      li.appendChild(a); li.appendChild(document.createTextNode(": " + p.message)); list.appendChild(li);
    });
    if (editor) {
      editor.session.setAnnotations(problems.map(function (p) {
        return {row: p.line - 1, column: p.column - 1, text: p.message, type: "error"};
      }));
    }
  }

  // The draft's diagram inline in the zoomable view of diagram.js (the server's SVG, parsed as XML: no
  // script runs from it), at the zoom and place the author had before when the drawing is as large.
  function showPreview(text) {
    var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    var old = preview.querySelector(".diagram-view");
    if (svg.nodeName !== "svg" || !old) return;
    svg.querySelectorAll("title").forEach(function (t) { t.remove(); });
    svg.removeAttribute("width"); svg.removeAttribute("height");
    svg.setAttribute("class", "diagram-svg"); svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Diagram over utkastet");
    var before = old.querySelector("svg");
    var keep = before && before.dataset.full === svg.getAttribute("viewBox") ? before.getAttribute("viewBox") : null;
    var view = document.createElement("div");
    view.className = old.className; view.id = "preview-view";
    view.appendChild(old.querySelector(".diagram-tools").cloneNode(true));
    view.appendChild(document.importNode(svg, true));
    old.replaceWith(view);
    window.pathwaysDiagram(view, keep);
  }

  function check() {
    var mine = ++seq, data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("document", editor ? editor.getValue() : textarea.value);
    var started = performance.now();
    fetch(form.dataset.check, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (mine !== seq) return; // a newer check is on its way
        show(answer.problems);
        timing.textContent = "Sjekket på " + Math.round(performance.now() - started) + " ms";
        form.dataset.checked = String(mine);
        if (answer.svg) {
          showPreview(answer.svg);
          preview.dataset.svgLength = String(answer.svg.length);
          preview.dataset.version = String(mine);
        }
      });
  }
  check();
});
