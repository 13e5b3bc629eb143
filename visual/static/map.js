/* Chain Atlas map page: draws the JSON in #map-data with vis-network. The nodes, edges and
 * options under data.vis were built in Python with pyvis (visual/network.py) and go to
 * vis-network as they are. Every string from the data is shown with textContent, canvas
 * labels or plain-text tooltips (a string title is innerText in vis-network 9): never HTML. */
(function () {
  "use strict";
  var LINK = /^(chains|atlas|regions)(\/[A-Za-z0-9._-]+)?(\/(routes|applications))?$/;
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var graph = data.vis;
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

  /* A fresh copy of a node's vis-network options as pyvis built them (data.vis.nodes), with
   * the active filter's patch (data.vis.restyle) and visibility. No styling happens here. */
  function visNode(n, hidden) {
    var patch = (active && graph.restyle[active.id] && graph.restyle[active.id][n.id]) || {};
    return Object.assign(JSON.parse(JSON.stringify(n)), patch, { hidden: !!hidden });
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
    nodes.update(graph.nodes.map(function (n) { return visNode(n, !visible(n.id)); }));
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
  var nodes = new vis.DataSet(graph.nodes.map(function (n) { return visNode(n, false); }));
  var edges = new vis.DataSet(graph.edges);
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, graph.options);
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
