/* introchain graphs: draws every [data-graph] block with the vendored vis-network.
 *
 * The data comes from a <script type="application/json"> block written at build time.
 * Everything shown to the reader is set with textContent (never innerHTML), and vis-network
 * renders string tooltips as text, so names and notes stay plain text.
 *
 * vis-network (about 470 KB) is fetched when a graph comes within a screen of the viewport, and
 * run, drawing the graph, once a third of the graph is on screen or a reader uses its controls:
 * a reader who never scrolls to a graph never pays for it, and the page stays responsive while
 * it loads.
 *
 * Public API (for readers' scripts and tests): window.introchain.graphs[id] =
 * { network, nodes, edges, focus(nodeId), reset(), path(fromId, toId) } once graph `id` is drawn;
 * window.introchain.ready(id, callback) draws it now if need be and calls back with that object.
 */
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var registry = {};
  var visSource = document.currentScript && document.currentScript.getAttribute("data-vis");
  window.introchain = { graphs: registry, ready: ready };

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

  /* vis-network draws into a focusable <div> (arrow keys pan, + and - zoom) inside our role=img
   * container: the name and description move to that element, which is what keyboard and screen
   * reader users land on. */
  function nameFrame(container) {
    var frame = container.querySelector(".vis-network");
    if (!frame) return;
    ["aria-label", "aria-describedby"].forEach(function (name) {
      frame.setAttribute(name, container.getAttribute(name));
      container.removeAttribute(name);
    });
    frame.setAttribute("role", "img");
    container.removeAttribute("role");
  }

  function setup(block) {
    var id = block.getAttribute("data-graph");
    var dataElement = document.getElementById("graph-data-" + id);
    var container = document.getElementById("graph-" + id);
    if (!dataElement || !container || typeof vis === "undefined") return;
    var data = JSON.parse(dataElement.textContent);
    // A graph fitted into a small frame (a phone, the whole network) is drawn zoomed out; labels are
    // then enlarged so that they still read at about 13px (see readable()).
    var boost = 1;
    // graph.py rings the author in near-black; drawn in the text colour, the ring shows in both schemes.
    var ringed = {};
    data.nodes.forEach(function (node) { if (node.color && node.color.border === "#1f2937") ringed[node.id] = true; });
    function fonts() {
      var text = cssVar("--graph-text", "#1c1f24"), background = cssVar("--graph-bg", "#ffffff");
      data.nodes.forEach(function (node) {
        node.font = { color: text, size: Math.round(15 * boost) };
        if (ringed[node.id]) node.color = Object.assign({}, node.color, { border: text });
      });
      data.edges.forEach(function (edge) {
        edge.font = { color: text, size: Math.round(11 * boost), strokeWidth: 4, strokeColor: background };
      });
    }
    fonts();
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var options = data.options;
    var barnesHut = options.physics && options.physics.barnesHut;
    if (barnesHut && barnesHut.centralGravity === undefined) {
      // Unless the build chose otherwise, pull separate stories towards the middle so they fill the frame.
      barnesHut.centralGravity = 1;
    }
    if (options.physics && options.physics.stabilization) {
      // vis-network lays a graph out in batches of this many iterations, one task each, without
      // drawing in between: small batches keep every task short and the page responsive meanwhile.
      options.physics.stabilization.updateInterval = Math.min(options.physics.stabilization.updateInterval || 10, 10);
    }
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    var around = adjacency(data.edges);
    var panel = block.querySelector("[data-graph-panel]");
    var select = block.querySelector("[data-graph-focus]");
    var animation = reducedMotion ? false : { duration: 400, easingFunction: "easeInOutQuad" };

    network.once("afterDrawing", function () { block.querySelector(".graph-stage").classList.add("graph-ready"); });
    nameFrame(container);
    if (window.matchMedia) {
      // Follow the reader's colour scheme when it changes while the page is open.
      var scheme = window.matchMedia("(prefers-color-scheme: dark)");
      var recolour = function () {
        fonts();
        nodes.update(data.nodes.map(function (node) { return { id: node.id, font: node.font, color: node.color }; }));
        edges.update(data.edges.map(function (edge) { return { id: edge.id, font: edge.font }; }));
      };
      if (scheme.addEventListener) scheme.addEventListener("change", recolour);
    }
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });

    /* The whole graph in view, with a margin so that the outermost labels are not cut off. */
    function fitAll() {
      network.fit({ animation: false });
      network.moveTo({ position: network.getViewPosition(), scale: network.getScale() * 0.92, animation: false });
    }

    function readable() {
      fitAll();
      // Story graphs have positions computed for the default size: enlarge less, or labels collide.
      var most = options.physics && options.physics.enabled ? 2 : 1.3;
      var wanted = Math.min(most, Math.max(1, 13 / (15 * network.getScale())));
      if (wanted > 1.05) {
        boost = wanted;
        fonts();
        nodes.update(data.nodes.map(function (node) { return { id: node.id, font: node.font }; }));
        edges.update(data.edges.map(function (edge) { return { id: edge.id, font: edge.font }; }));
        network.once("afterDrawing", fitAll);  // labels are measured when drawn: fit once they are
        network.redraw();
      }
    }
    if (options.physics && options.physics.enabled) network.once("stabilizationIterationsDone", readable);
    else network.once("afterDrawing", readable);

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
      link.appendChild(element("span", " (" + details.name + ")", "visually-hidden"));
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
      fitAll();
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
    if (fit) fit.addEventListener("click", fitAll);
    var resetButton = block.querySelector("[data-graph-reset]");
    if (resetButton) resetButton.addEventListener("click", reset);

    registry[id] = { network: network, nodes: nodes, edges: edges, focus: focus, reset: reset, path: path, details: data.details };
    if (select && select.value) focus(select.value);  // chosen while the graph was on its way
  }

  /* Load vis-network once, then run every callback that waited for it. */
  var waiting = [], loading = false;
  function withVis(callback) {
    if (typeof vis !== "undefined") { callback(); return; }
    waiting.push(callback);
    if (waiting.length > 1 || !visSource) return;
    loading = true;
    var tag = document.createElement("script");
    tag.src = visSource;
    tag.addEventListener("load", function () {
      // Draw in a task of its own rather than in the one that ran the library.
      setTimeout(function () {
        var queue = waiting;
        waiting = [];
        queue.forEach(function (run) { run(); });
      }, 0);
    });
    document.head.appendChild(tag);
  }

  /* Download vis-network ahead of need, at low priority and after the page has loaded, without
   * running it; not when it is being loaded to draw a graph already. */
  function prefetch() {
    if (document.readyState !== "complete") {
      window.addEventListener("load", prefetch);
      return;
    }
    setTimeout(function () {  // after the other observer has had its say: is the graph being drawn already?
      if (loading || !visSource || typeof vis !== "undefined") return;
      var link = document.createElement("link");
      link.rel = "prefetch";
      link.as = "script";
      link.href = visSource;
      document.head.appendChild(link);
    }, 0);
  }

  /* Draw the graph of `block` (once) and call back with its API. */
  var callbacks = {};
  function ensure(block, callback) {
    var id = block.getAttribute("data-graph");
    if (registry[id]) { if (callback) callback(registry[id]); return; }
    var queue = callbacks[id] = callbacks[id] || [];
    queue.push(callback);
    if (queue.length > 1) return;  // already on its way
    withVis(function () {
      setup(block);
      callbacks[id] = [];
      queue.forEach(function (run) { if (run && registry[id]) run(registry[id]); });
    });
  }

  function ready(id, callback) {
    var block = document.querySelector("[data-graph=\"" + CSS.escape(id) + "\"]");
    if (block) ensure(block, callback);
  }

  function setupPathFinder(finder) {
    var id = finder.getAttribute("data-path-finder");
    var form = finder.querySelector("[data-path-form]");
    var result = finder.querySelector("[data-path-result]");
    if (!form || !result) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var from = form.querySelector("[data-path-from]").value;
      var to = form.querySelector("[data-path-to]").value;
      ready(id, function (graph) {
        var found = graph.path(from, to);
        if (!found) {
          result.textContent = "No chain of introductions joins them yet.";
          return;
        }
        var names = found.nodes.map(function (node) { return graph.details[node].name; });
        var steps = found.edges.length;
        result.textContent = names.join(" → ") + " (" + steps + " step" + (steps === 1 ? "" : "s") + ")";
      });
    });
  }

  var VISIBLE = 0.35;  // the share of a graph that must be on screen for it to be drawn

  function start() {
    var blocks = document.querySelectorAll("[data-graph]");
    var near = window.IntersectionObserver && new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        near.disconnect();
        prefetch();
      }
    }, { rootMargin: "100% 0px" });
    var seen = window.IntersectionObserver && new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.intersectionRatio < VISIBLE) return;
        seen.unobserve(entry.target);
        ensure(entry.target.closest("[data-graph]"));
      });
    }, { threshold: VISIBLE });
    blocks.forEach(function (block) {
      var fallback = block.querySelector(".graph-fallback");
      if (fallback) fallback.textContent = "Drawing the graph…";  // with JavaScript, it will be
      block.addEventListener("focusin", function () { ensure(block); });  // keyboard readers at the controls
      var stage = block.querySelector(".graph-stage") || block;
      if (!seen) { ensure(block); return; }
      near.observe(stage);
      seen.observe(stage);
    });
    document.querySelectorAll("[data-path-finder]").forEach(setupPathFinder);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
