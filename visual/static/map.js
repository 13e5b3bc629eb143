/* Chain Atlas map page: draws the JSON in #map-data with vis-network. The nodes, edges and
 * options under data.vis were built in Python with pyvis (visual/network.py) and go to
 * vis-network as they are. Every string from the data is shown with textContent, canvas
 * labels or plain-text tooltips (a string title is innerText in vis-network 9): never HTML. */
(function () {
  "use strict";
  var LINK = /^((chains|atlas|regions)(\/[A-Za-z0-9._-]+)?(\/(routes|applications))?|\/(chain|segment|company|institute|association|county|park|project|brief\/chain|brief\/segment\/[A-Za-z0-9._%-]+)\/[A-Za-z0-9._%-]+)$/;
  var DROP = /[\s\u3000.,;:!?'"()\[\]{}<>\/\\|_·、，。：；！？（）【】《》“”‘’-]+/g;
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

  /* A panel link: "/company/x" is a page of the site, "chains/x" another map. */
  function href(root, link) {
    return link.charAt(0) === "/" ? root.slice(0, -6) + link : root + link;
  }

  function norm(text) { return String(text).toLowerCase().replace(DROP, ""); }

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
          a.href = href(root, it.link);
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
    nodes.update(graph.nodes.map(function (n) {
      return visNode(n, !visible(n.id) || hiddenByLevel(n.id));
    }));
    $("filter-note").textContent = active ? active.note : "";
    $("subtitle").textContent = (active && active.headline) ? active.headline : data.subtitle;
    network.redraw();
    $("filter").value = active ? active.id : "";
    if (current) { openPanel(current); }
  }

  function search(next) {
    var q = norm($("search").value);
    if (!q) { matches = []; network.unselectAll(); $("search-result").textContent = ""; return; }
    if (!next) {
      matches = data.nodes.filter(function (n) {
        var text = norm(n.label + " " + n.search + " " + n.id);
        return visible(n.id) && text.indexOf(q) >= 0;
      }).map(function (n) { return n.id; });
      matchAt = -1;
    }
    $("search-result").textContent = matches.length ? "找到 " + matches.length + " 个" : "无匹配";
    network.selectNodes(matches.filter(function (i) { return !hiddenByLevel(i); }));
    if (!matches.length) { return; }
    var at = next ? (matchAt = (matchAt + 1) % matches.length) : 0;
    if (hiddenByLevel(matches[at])) {
      var owner = Object.keys(data.expand).filter(function (k) {
        return data.expand[k].indexOf(matches[at]) >= 0;
      })[0];
      if (owner === undefined) { return; }
      setLevel(owner);
      network.selectNodes([matches[at]]);
    }
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
      if (item.shape === "area") { sw.style.borderColor = item.border; }
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

  /* Overview: only chain nodes at first; a click on a chain shows its segments alone. */
  var expanded = null;
  var levelShow = {};
  function hiddenByLevel(id) {
    if (!data.collapsed) { return false; }
    if (expanded === null) { return !(data.expand[id] !== undefined); }
    return levelShow[id] !== true;
  }
  function setLevel(chainId) {
    expanded = chainId;
    levelShow = {};
    if (chainId !== null) {
      (data.expand[chainId] || []).forEach(function (i) { levelShow[i] = true; });
    }
    nodes.update(graph.nodes.map(function (n) {
      return visNode(n, !visible(n.id) || hiddenByLevel(n.id));
    }));
    $("back").hidden = chainId === null;
    var ids = graph.nodes.filter(function (n) {
      return visible(n.id) && !hiddenByLevel(n.id);
    }).map(function (n) { return n.id; });
    network.fit({ nodes: ids, animation: false });
  }

  /* County outlines (and the active filter's choropleth) under the nodes. */
  function drawShapes(ctx) {
    var fills = (active && active.fills) || {};
    (data.shapes || []).forEach(function (s) {
      ctx.beginPath();
      s.rings.forEach(function (ring) {
        ring.forEach(function (p, i) { if (i) { ctx.lineTo(p[0], p[1]); } else { ctx.moveTo(p[0], p[1]); } });
        ctx.closePath();
      });
      ctx.fillStyle = fills[s.id] || s.fill;
      ctx.fill("evenodd");
      ctx.lineWidth = 3 / Math.max(network.getScale(), 0.05) * 0.5;
      ctx.strokeStyle = s.stroke;
      ctx.stroke();
    });
  }

  /* Fit the drawing: the county outlines when there are any, else the visible nodes. */
  function fitAll() {
    var pts = [];
    (data.shapes || []).forEach(function (s) {
      s.rings.forEach(function (r) { r.forEach(function (p) { pts.push(p); }); });
    });
    if (!pts.length || (data.collapsed && expanded !== null)) {
      network.fit({ animation: false });
      return;
    }
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    pts.forEach(function (p) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    });
    var box = $("network").getBoundingClientRect();
    var scale = 0.96 * Math.min(box.width / (x1 - x0), box.height / (y1 - y0));
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: scale,
                     animation: false });
  }

  function exportPng() {
    var src = $("network").querySelector("canvas");
    if (!src) { return; }
    var c = document.createElement("canvas");
    c.width = src.width; c.height = src.height;
    var g = c.getContext("2d");
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, c.width, c.height);
    g.drawImage(src, 0, 0);
    var a = document.createElement("a");
    a.download = (data.title || "map") + ".png";
    a.href = c.toDataURL("image/png");
    document.body.appendChild(a); a.click(); a.remove();
  }

  data.nodes.forEach(function (n) { byId[n.id] = n; });
  $("title").textContent = data.title;
  $("subtitle").textContent = data.subtitle;
  legend();
  filterMenu();
  var nodes = new vis.DataSet(graph.nodes.map(function (n) {
    return visNode(n, hiddenByLevel(n.id));
  }));
  var edges = new vis.DataSet(graph.edges);
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, graph.options);
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-ready", "1");
    window.__mapReadyAt = performance.now();
  });
  network.on("beforeDrawing", drawShapes);
  network.on("click", function (p) {
    if (!p.nodes.length) { closePanel(); return; }
    var id = p.nodes[0];
    if (data.collapsed && data.expand[id] !== undefined && expanded !== id) { setLevel(id); }
    else if (data.focus && data.focus[id]) {
      network.fit({ nodes: data.focus[id], animation: false });
    }
    openPanel(id);
  });
  $("back").addEventListener("click", function () { setLevel(null); closePanel(); });
  $("export-png").addEventListener("click", exportPng);
  if (linkRoot() !== null) {
    var svg = $("export-svg");
    svg.href = window.location.pathname.replace("/maps/", "/maps/svg/") + window.location.search;
    svg.setAttribute("download", (data.title || "map") + ".svg");
    svg.hidden = false;
    $("home-link").href = linkRoot().slice(0, -5);
    $("home-link").hidden = false;
  }
  $("panel-close").addEventListener("click", closePanel);
  $("search").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); search(true); }
  });
  $("search").addEventListener("input", function () { search(false); });
  if (data.initial_filter && filters[data.initial_filter]) { applyFilter(data.initial_filter); }
  fitAll();
  window.chainMap = { network: network, nodes: nodes, edges: edges, data: data,
                      openPanel: openPanel, applyFilter: applyFilter, byId: byId,
                      expand: setLevel };
}());
