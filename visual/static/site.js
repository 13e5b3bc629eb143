/* Chain Atlas pages: sortable tables, search suggestions (same-origin /api/v1/search) and
 * the print button. Every string from the server is shown with textContent, never HTML. */
(function () {
  "use strict";
  var KIND_ZH = { chain: "产业链", segment: "环节", company: "企业", institute: "院所",
                  association: "商协会", county: "县区", park: "园区", project: "项目",
                  product: "产品", campaign: "行动" };
  var ID = /^[A-Za-z0-9._-]+$/;

  function sortValue(td) {
    var v = td.getAttribute("data-sort");
    if (v !== null && v !== "" && !isNaN(Number(v))) { return Number(v); }
    return (v !== null ? v : td.textContent).trim();
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.setAttribute("tabindex", "0");
      function go() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a.cells[col]), y = sortValue(b.cells[col]);
          var c = (typeof x === "number" && typeof y === "number") ? x - y
            : String(x).localeCompare(String(y), "zh-CN");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
    });
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);

  var input = document.getElementById("q");
  var box = document.getElementById("suggest");
  if (input && box) {
    var api = input.getAttribute("data-api");
    var root = input.getAttribute("data-root") || "";
    var timer = null, seq = 0;
    function hide() { box.hidden = true; box.replaceChildren(); }
    function show(hits) {
      box.replaceChildren();
      hits.forEach(function (h) {
        if (!ID.test(h.id) || !KIND_ZH[h.kind]) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + "/" + h.kind + "/" + encodeURIComponent(h.id);
        a.textContent = "［" + KIND_ZH[h.kind] + "］" + h.name;
        li.appendChild(a);
        box.appendChild(li);
      });
      box.hidden = !box.children.length;
    }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (!q) { hide(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(api + "?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { data: [] }; })
          .then(function (body) { if (mine === seq) { show(body.data || []); } })
          .catch(function () { hide(); });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { hide(); }
    });
    document.addEventListener("click", function (e) {
      if (!box.contains(e.target) && e.target !== input) { hide(); }
    });
  }

  var printBtn = document.getElementById("print-btn");
  if (printBtn) { printBtn.addEventListener("click", function () { window.print(); }); }
  document.body.setAttribute("data-ready", "1");
}());
