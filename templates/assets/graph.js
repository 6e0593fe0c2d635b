/* introchain graphs: draws every [data-graph] block with the vendored vis-network.
 *
 * The data comes from a <script type="application/json"> block written at build time.
 * Everything shown to the reader is set with textContent (never innerHTML), and vis-network
 * renders string tooltips as text, so names and notes stay plain text.
 *
 * Public API (for readers' scripts and tests): window.introchain.graphs[id] =
 * { network, nodes, edges, focus(nodeId), reset(), path(fromId, toId) }.
 */
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var registry = {};
  window.introchain = { graphs: registry };

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function adjacency(edges) {
    var around = {};
    edges.forEach(function (edge) {
      (around[edge.from] = around[edge.from] || []).push({ node: edge.to, edge: edge.id });
      (around[edge.to] = around[edge.to] || []).push({ node: edge.from, edge: edge.id });
    });
    return around;
  }

  /* Breadth-first search: the shortest chain of introductions, as node and edge ids. */
  function shortestPath(around, from, to) {
    if (from === to) return { nodes: [from], edges: [] };
    var previous = {};
    previous[from] = null;
    var queue = [from];
    while (queue.length) {
      var current = queue.shift();
      var next = around[current] || [];
      for (var i = 0; i < next.length; i++) {
        var step = next[i];
        if (Object.prototype.hasOwnProperty.call(previous, step.node)) continue;
        previous[step.node] = { node: current, edge: step.edge };
        if (step.node === to) {
          var nodes = [to], edges = [], at = to;
          while (previous[at]) { edges.unshift(previous[at].edge); at = previous[at].node; nodes.unshift(at); }
          return { nodes: nodes, edges: edges };
        }
        queue.push(step.node);
      }
    }
    return null;
  }

  function setup(block) {
    var id = block.getAttribute("data-graph");
    var dataElement = document.getElementById("graph-data-" + id);
    var container = document.getElementById("graph-" + id);
    if (!dataElement || !container || typeof vis === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    var textColor = cssVar("--graph-text", "#1c1f24");
    data.nodes.forEach(function (node) { node.font = { color: textColor }; });
    data.edges.forEach(function (edge) { edge.font = { color: textColor, strokeWidth: 3, strokeColor: cssVar("--graph-bg", "#ffffff") }; });
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var options = data.options;
    if (reducedMotion && options.physics && options.physics.stabilization) {
      options.physics.stabilization.updateInterval = 1000;
    }
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    var around = adjacency(data.edges);
    var panel = block.querySelector("[data-graph-panel]");
    var select = block.querySelector("[data-graph-focus]");
    var animation = reducedMotion ? false : { duration: 400, easingFunction: "easeInOutQuad" };

    network.once("afterDrawing", function () { block.querySelector(".graph-stage").classList.add("graph-ready"); });
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });

    function dim(keepNodes, keepEdges) {
      nodes.update(data.nodes.map(function (node) { return { id: node.id, opacity: keepNodes[node.id] ? 1 : 0.2 }; }));
      edges.update(data.edges.map(function (edge) {
        var color = Object.assign({}, edge.color, { opacity: keepEdges[edge.id] ? 1 : 0.12 });
        return { id: edge.id, color: color, width: keepEdges[edge.id] ? edge.width + 1 : edge.width };
      }));
    }

    function undim() {
      nodes.update(data.nodes.map(function (node) { return { id: node.id, opacity: 1 }; }));
      edges.update(data.edges.map(function (edge) { return { id: edge.id, color: edge.color, width: edge.width }; }));
    }

    function showPanel(nodeId) {
      var details = data.details[nodeId];
      if (!panel || !details) return;
      panel.replaceChildren();
      panel.appendChild(element("h3", details.name));
      panel.appendChild(element("p", details.kind + (details.location ? " · " + details.location : ""), "muted"));
      var list = element("ul");
      (around[nodeId] || []).forEach(function (step) {
        var edge = edges.get(step.edge);
        var other = data.details[step.node];
        if (!edge || !other) return;
        var how = edge.label ? edge.label : "brought together";
        list.appendChild(element("li", other.name + ": " + how));
      });
      if (list.children.length) panel.appendChild(list);
      var link = element("a", "Open their page");
      link.href = details.url;
      var paragraph = element("p");
      paragraph.appendChild(link);
      panel.appendChild(paragraph);
      panel.hidden = false;
    }

    function focus(nodeId) {
      if (!nodeId || !nodes.get(nodeId)) return reset();
      var keepNodes = {}, keepEdges = {};
      keepNodes[nodeId] = true;
      (around[nodeId] || []).forEach(function (step) { keepNodes[step.node] = true; keepEdges[step.edge] = true; });
      dim(keepNodes, keepEdges);
      network.selectNodes([nodeId]);
      showPanel(nodeId);
      if (select && select.value !== nodeId) select.value = nodeId;
    }

    function reset() {
      undim();
      network.unselectAll();
      if (panel) { panel.hidden = true; panel.replaceChildren(); }
      if (select) select.value = "";
      network.fit({ animation: animation });
    }

    function path(from, to) {
      var found = shortestPath(around, from, to);
      if (!found) { undim(); return null; }
      var keepNodes = {}, keepEdges = {};
      found.nodes.forEach(function (node) { keepNodes[node] = true; });
      found.edges.forEach(function (edge) { keepEdges[edge] = true; });
      dim(keepNodes, keepEdges);
      network.selectNodes(found.nodes);
      network.fit({ nodes: found.nodes, animation: animation });
      return found;
    }

    network.on("click", function (event) {
      if (event.nodes.length) focus(event.nodes[0]);
      else if (!event.edges.length) reset();
    });
    if (select) select.addEventListener("change", function () { focus(select.value); });
    var fit = block.querySelector("[data-graph-fit]");
    if (fit) fit.addEventListener("click", function () { network.fit({ animation: animation }); });
    var resetButton = block.querySelector("[data-graph-reset]");
    if (resetButton) resetButton.addEventListener("click", reset);

    registry[id] = { network: network, nodes: nodes, edges: edges, focus: focus, reset: reset, path: path, details: data.details };
  }

  function setupPathFinder(finder) {
    var graph = registry[finder.getAttribute("data-path-finder")];
    var form = finder.querySelector("[data-path-form]");
    var result = finder.querySelector("[data-path-result]");
    if (!graph || !form || !result) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var from = form.querySelector("[data-path-from]").value;
      var to = form.querySelector("[data-path-to]").value;
      var found = graph.path(from, to);
      if (!found) {
        result.textContent = "No chain of introductions joins them yet.";
        return;
      }
      var names = found.nodes.map(function (node) { return graph.details[node].name; });
      var steps = found.edges.length;
      result.textContent = names.join(" → ") + " (" + steps + " step" + (steps === 1 ? "" : "s") + ")";
    });
  }

  function start() {
    document.querySelectorAll("[data-graph]").forEach(setup);
    document.querySelectorAll("[data-path-finder]").forEach(setupPathFinder);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
