/* Chain Atlas map page: draws the JSON in #map-data with vis-network (positions are
 * precomputed, physics off). Every string from the data is shown with textContent, canvas
 * labels or plain-text tooltips: never as HTML. */
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif';
  var LINK = /^(chains|atlas|regions)(\/[A-Za-z0-9._-]+)?$/;
  var BIG = 1000;
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var byId = {};
  var filters = {};
  var active = null;
  var current = null;
  var matches = [];
  var matchAt = -1;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function visNode(n, style, hidden) {
    var s = style || n;
    var box = n.shape === "box";
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, shape: n.shape, size: s.size,
      title: s.title, hidden: !!hidden, borderWidth: n.border_width,
      borderWidthSelected: n.border_width + 2,
      color: { background: s.color, border: s.border,
               highlight: { background: s.color, border: "#000000" },
               hover: { background: s.color, border: "#263238" } },
      shapeProperties: { borderDashes: s.dashed ? [6, 4] : false },
      font: { size: n.font_size, face: FONT, color: box ? "#ffffff" : "#263238",
              strokeWidth: box ? 0 : 3, strokeColor: "#ffffff" },
      margin: box ? 8 : undefined
    };
  }

  function visEdge(e, i) {
    return {
      id: "e" + i, from: e.source, to: e.target, width: e.width, dashes: e.dashed,
      arrows: e.arrow ? { to: { enabled: true, scaleFactor: 0.6 } } : "",
      color: { color: e.color, highlight: "#37474f", hover: "#37474f" }, smooth: false
    };
  }

  function linkRoot() {
    var path = window.location.pathname;
    var i = path.indexOf("/maps/");
    return (data.links && window.location.protocol.indexOf("http") === 0 && i >= 0)
      ? path.slice(0, i + 6) : null;
  }

  function renderSection(body, s) {
    var sec = el("section");
    sec.setAttribute("data-key", s.key);
    sec.appendChild(el("h3", s.heading));
    if (!s.items.length) {
      sec.appendChild(el("p", s.empty, "empty"));
    } else {
      var ul = el("ul");
      var root = linkRoot();
      s.items.forEach(function (it) {
        var li = el("li");
        if (it.link && root !== null && LINK.test(it.link)) {
          var a = el("a", it.text);
          a.href = root + it.link;
          li.appendChild(a);
        } else {
          li.appendChild(el("span", it.text));
        }
        if (it.notes.length) {
          var sub = el("ul");
          it.notes.forEach(function (t) { sub.appendChild(el("li", t)); });
          li.appendChild(sub);
        }
        ul.appendChild(li);
      });
      sec.appendChild(ul);
    }
    body.appendChild(sec);
  }

  function openPanel(id) {
    var d = data.details[id];
    if (!d) { closePanel(); return; }
    current = id;
    var over = {};
    ((active && active.sections[id]) || []).forEach(function (s) { over[s.key] = s; });
    $("panel-title").textContent = d.title;
    $("panel-subtitle").textContent = d.subtitle;
    var body = $("panel-body");
    body.replaceChildren();
    d.sections.forEach(function (s) { renderSection(body, over[s.key] || s); });
    $("panel").hidden = false;
    $("panel").setAttribute("data-node", id);
  }

  function closePanel() {
    current = null;
    $("panel").hidden = true;
    $("panel").removeAttribute("data-node");
  }

  function visible(id) {
    return !(active && active.show) || active.showSet[id] === true;
  }

  function applyFilter(id) {
    active = filters[id] || null;
    nodes.update(data.nodes.map(function (n) {
      return visNode(n, active && active.restyle[n.id], !visible(n.id));
    }));
    $("filter-note").textContent = active ? active.note : "";
    $("filter").value = active ? active.id : "";
    if (current) { openPanel(current); }
  }

  function search(next) {
    var q = $("search").value.trim().toLowerCase();
    if (!q) { matches = []; network.unselectAll(); $("search-result").textContent = ""; return; }
    if (!next) {
      matches = data.nodes.filter(function (n) {
        var text = (n.label + " " + n.search + " " + n.id).toLowerCase();
        return visible(n.id) && text.indexOf(q) >= 0;
      }).map(function (n) { return n.id; });
      matchAt = -1;
    }
    $("search-result").textContent = matches.length ? "找到 " + matches.length + " 个" : "无匹配";
    network.selectNodes(matches);
    if (!matches.length) { return; }
    var at = next ? (matchAt = (matchAt + 1) % matches.length) : 0;
    network.focus(matches[at], { scale: Math.max(network.getScale(), 0.8), animation: false });
    if (next) { openPanel(matches[at]); }
  }

  function legend() {
    var ul = $("legend-list");
    data.legend.forEach(function (item) {
      var li = el("li");
      var sw = el("span", null, "swatch " + item.shape + (item.dashed ? " dashed" : ""));
      sw.style.backgroundColor = item.shape === "line" ? "transparent" : item.color;
      sw.style.borderColor = item.shape === "line" ? item.color : item.border;
      if (item.shape === "star") { sw.style.borderWidth = "0"; }
      li.appendChild(sw);
      li.appendChild(el("span", item.label));
      ul.appendChild(li);
    });
    $("note").textContent = data.note;
  }

  function filterMenu() {
    var sel = $("filter");
    var groups = {};
    $("filter-label").textContent = data.filter_label;
    if (!data.filters.length) { $("filter-box").hidden = true; }
    data.filters.forEach(function (f) {
      f.showSet = {};
      (f.show || []).forEach(function (i) { f.showSet[i] = true; });
      filters[f.id] = f;
      if (!groups[f.group]) {
        groups[f.group] = document.createElement("optgroup");
        groups[f.group].label = f.group;
        sel.appendChild(groups[f.group]);
      }
      var o = el("option", f.label);
      o.value = f.id;
      groups[f.group].appendChild(o);
    });
    sel.addEventListener("change", function () { applyFilter(sel.value); });
  }

  data.nodes.forEach(function (n) { byId[n.id] = n; });
  $("title").textContent = data.title;
  $("subtitle").textContent = data.subtitle;
  legend();
  filterMenu();
  var big = data.nodes.length > BIG;
  var nodes = new vis.DataSet(data.nodes.map(function (n) { return visNode(n, null, false); }));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, {
    physics: { enabled: !!data.physics },
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: !big, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   keyboard: { enabled: true, bindToWindow: false }, multiselect: false },
    nodes: { font: { face: FONT } },
    edges: { smooth: false }
  });
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-ready", "1");
    window.__mapReadyAt = performance.now();
  });
  network.on("click", function (p) {
    if (p.nodes.length) { openPanel(p.nodes[0]); } else { closePanel(); }
  });
  $("panel-close").addEventListener("click", closePanel);
  $("search").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); search(true); }
  });
  $("search").addEventListener("input", function () { search(false); });
  if (data.initial_filter && filters[data.initial_filter]) { applyFilter(data.initial_filter); }
  network.fit({ animation: false });
  window.chainMap = { network: network, nodes: nodes, edges: edges, data: data,
                      openPanel: openPanel, applyFilter: applyFilter, byId: byId };
}());
