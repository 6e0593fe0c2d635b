// introchain graphs: draws every [data-graph] block with the vendored vis-network.
//
// The data comes from a <script type="application/json"> block written at build time. A node
// or edge that plays a part carries it as `role` ("author", "subject", "bridge"): this script
// styles by role, never by comparing the colours the build chose. Everything shown to the
// reader is set with textContent (never innerHTML), and vis-network renders string tooltips
// as text, so names and notes stay plain text.
//
// vis-network (about 470 KB) is fetched when a graph comes within a screen of the viewport,
// and run, drawing the graph, once a third of the graph is on screen or a reader uses its
// controls: a reader who never scrolls to a graph never pays for it, and the page stays
// responsive while it loads.
//
// Public API (for readers' scripts and tests): window.introchain.graphs[id] =
// { network, nodes, edges, details, focus(nodeId), reset(), path(fromId, toId) } once graph
// `id` is drawn; window.introchain.ready(id, callback) draws it now if need be and calls back
// with that object.
(() => {
  "use strict";

  // The share of a graph that must be on screen for it to be drawn.
  const VISIBLE = 0.35;
  // Nodes drawn with a ring: the ring takes the text colour, so it shows in both schemes.
  const RINGED_ROLES = new Set(["author", "subject"]);
  const NODE_LABEL_PX = 15;
  const EDGE_LABEL_PX = 11;
  // A graph zoomed out to fit (a phone, the whole network) enlarges its labels to read at this size.
  const READABLE_PX = 13;
  const DIMMED_NODE = 0.2;
  const DIMMED_EDGE = 0.12;

  const reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
  const animation = reducedMotion ? false : { duration: 400, easingFunction: "easeInOutQuad" };
  const visSource = document.currentScript?.getAttribute("data-vis") ?? null;
  const registry = {};
  window.introchain = { graphs: registry, ready };

  // --- small helpers -------------------------------------------------------------------------

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // --- the graph as data ---------------------------------------------------------------------

  // For each node, its neighbours and the edges that lead to them.
  function adjacency(edges) {
    const around = new Map();
    const add = (from, to, edge) => {
      if (!around.has(from)) around.set(from, []);
      around.get(from).push({ node: to, edge });
    };
    for (const edge of edges) {
      add(edge.from, edge.to, edge.id);
      add(edge.to, edge.from, edge.id);
    }
    return around;
  }

  // Breadth-first search: the shortest chain of introductions, as node and edge ids, or null.
  function shortestPath(around, from, to) {
    if (from === to) return { nodes: [from], edges: [] };
    const previous = new Map([[from, null]]);
    let frontier = [from];
    while (frontier.length) {
      const next = [];
      for (const current of frontier) {
        for (const step of around.get(current) ?? []) {
          if (previous.has(step.node)) continue;
          previous.set(step.node, { node: current, edge: step.edge });
          if (step.node === to) return walkBack(previous, to);
          next.push(step.node);
        }
      }
      frontier = next;
    }
    return null;
  }

  function walkBack(previous, to) {
    const nodes = [to];
    const edges = [];
    for (let at = previous.get(to); at; at = previous.get(at.node)) {
      edges.unshift(at.edge);
      nodes.unshift(at.node);
    }
    return { nodes, edges };
  }

  // Label colours and sizes from the page's colour scheme and the zoom boost; rings in the text colour.
  function paint(data, boost) {
    const text = cssVar("--graph-text", "#1c1f24");
    const background = cssVar("--graph-bg", "#ffffff");
    for (const node of data.nodes) {
      node.font = { color: text, size: Math.round(NODE_LABEL_PX * boost) };
      if (RINGED_ROLES.has(node.role)) node.color = { ...node.color, border: text };
    }
    for (const edge of data.edges) {
      edge.font = { color: text, size: Math.round(EDGE_LABEL_PX * boost), strokeWidth: 4, strokeColor: background };
    }
  }

  // The build's vis-network options, with what only the browser decides.
  function browserOptions(options) {
    const physics = options.physics;
    if (physics?.barnesHut && physics.barnesHut.centralGravity === undefined) {
      // Unless the build chose otherwise, pull separate stories towards the middle so they fill the frame.
      physics.barnesHut.centralGravity = 1;
    }
    if (physics?.stabilization) {
      // vis-network lays a graph out in batches of this many iterations, one task each, without
      // drawing in between: small batches keep every task short and the page responsive meanwhile.
      physics.stabilization.updateInterval = Math.min(physics.stabilization.updateInterval || 10, 10);
    }
    return options;
  }

  // vis-network draws into a focusable <div> (arrow keys pan, + and - zoom) inside our role=img
  // container: the name and description move to that element, which is what keyboard and
  // screen reader users land on.
  function nameFrame(container) {
    const frame = container.querySelector(".vis-network");
    if (!frame) return;
    for (const name of ["aria-label", "aria-describedby"]) {
      frame.setAttribute(name, container.getAttribute(name));
      container.removeAttribute(name);
    }
    frame.setAttribute("role", "img");
    container.removeAttribute("role");
  }

  // --- one drawn graph -----------------------------------------------------------------------

  class Graph {
    constructor(block, container, data) {
      this.block = block;
      this.data = data;
      this.boost = 1;
      this.around = adjacency(data.edges);
      this.panel = block.querySelector("[data-graph-panel]");
      this.select = block.querySelector("[data-graph-focus]");
      paint(data, this.boost);
      this.nodes = new vis.DataSet(data.nodes);
      this.edges = new vis.DataSet(data.edges);
      this.network = new vis.Network(container, { nodes: this.nodes, edges: this.edges }, browserOptions(data.options));
      this.moving = Boolean(data.options.physics?.enabled);
      nameFrame(container);
    }

    // Mark the stage ready once drawn; freeze the layout once it settles; then fit readably.
    settle() {
      this.network.once("afterDrawing", () => this.block.querySelector(".graph-stage").classList.add("graph-ready"));
      this.network.once("stabilizationIterationsDone", () => this.network.setOptions({ physics: { enabled: false } }));
      this.network.once(this.moving ? "stabilizationIterationsDone" : "afterDrawing", () => this.makeReadable());
    }

    // Apply the current colours and label sizes to the drawn nodes and edges.
    repaint() {
      paint(this.data, this.boost);
      this.nodes.update(this.data.nodes.map(({ id, font, color }) => ({ id, font, color })));
      this.edges.update(this.data.edges.map(({ id, font }) => ({ id, font })));
    }

    // Follow the reader's colour scheme when it changes while the page is open.
    followColourScheme() {
      window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => this.repaint());
    }

    // The whole graph in view, with a margin so that the outermost labels are not cut off.
    fitAll() {
      this.network.fit({ animation: false });
      const position = this.network.getViewPosition();
      this.network.moveTo({ position, scale: this.network.getScale() * 0.92, animation: false });
    }

    // Fit, and enlarge the labels of a graph drawn zoomed out.
    makeReadable() {
      this.fitAll();
      // Story graphs have positions computed for the default size: enlarge less, or labels collide.
      const most = this.moving ? 2 : 1.3;
      const wanted = Math.min(most, Math.max(1, READABLE_PX / (NODE_LABEL_PX * this.network.getScale())));
      if (wanted <= 1.05) return;
      this.boost = wanted;
      this.repaint();
      this.network.once("afterDrawing", () => this.fitAll()); // labels are measured when drawn: fit once they are
      this.network.redraw();
    }

    // Fade every node and edge not in the given sets.
    dim(keepNodes, keepEdges) {
      this.nodes.update(this.data.nodes.map(({ id }) => ({ id, opacity: keepNodes.has(id) ? 1 : DIMMED_NODE })));
      this.edges.update(this.data.edges.map(({ id, color, width }) => {
        const kept = keepEdges.has(id);
        return { id, color: { ...color, opacity: kept ? 1 : DIMMED_EDGE }, width: kept ? width + 1 : width };
      }));
    }

    undim() {
      this.nodes.update(this.data.nodes.map(({ id }) => ({ id, opacity: 1 })));
      this.edges.update(this.data.edges.map(({ id, color, width }) => ({ id, color, width })));
    }

    // How the panel describes an edge: a bridge brought the pair together; a connection names its deepest stage.
    edgeText(edgeId) {
      const edge = this.edges.get(edgeId);
      if (!edge) return null;
      if (edge.role === "bridge") return "brought together";
      return edge.label || "connected";
    }

    // The details panel of one node: who they are, who they are connected to and how, a link to their page.
    showPanel(nodeId) {
      const details = this.data.details[nodeId];
      if (!this.panel || !details) return;
      const list = element("ul");
      for (const step of this.around.get(nodeId) ?? []) {
        const other = this.data.details[step.node];
        const how = this.edgeText(step.edge);
        if (other && how) list.append(element("li", `${other.name}: ${how}`));
      }
      const link = element("a", "Open their page");
      link.append(element("span", ` (${details.name})`, "visually-hidden"));
      link.href = details.url;
      const paragraph = element("p");
      paragraph.append(link);
      const kind = details.kind + (details.location ? ` · ${details.location}` : "");
      this.panel.replaceChildren(element("h3", details.name), element("p", kind, "muted"));
      if (list.children.length) this.panel.append(list);
      this.panel.append(paragraph);
      this.panel.hidden = false;
    }

    hidePanel() {
      if (!this.panel) return;
      this.panel.hidden = true;
      this.panel.replaceChildren();
    }

    // Highlight a node and its neighbours, and open its panel.
    focus(nodeId) {
      if (!nodeId || !this.nodes.get(nodeId)) {
        this.reset();
        return;
      }
      const steps = this.around.get(nodeId) ?? [];
      this.dim(new Set([nodeId, ...steps.map((step) => step.node)]), new Set(steps.map((step) => step.edge)));
      this.network.selectNodes([nodeId]);
      this.showPanel(nodeId);
      if (this.select && this.select.value !== nodeId) this.select.value = nodeId;
    }

    reset() {
      this.undim();
      this.network.unselectAll();
      this.hidePanel();
      if (this.select) this.select.value = "";
      this.fitAll();
    }

    // Highlight and frame the shortest chain between two people; null when none joins them.
    path(from, to) {
      const found = shortestPath(this.around, from, to);
      if (!found) {
        this.undim();
        return null;
      }
      this.dim(new Set(found.nodes), new Set(found.edges));
      this.network.selectNodes(found.nodes);
      this.network.fit({ nodes: found.nodes, animation });
      return found;
    }

    // Clicks on the canvas, the Focus on list, and the Fit and Reset buttons.
    bindControls() {
      this.network.on("click", (event) => {
        if (event.nodes.length) this.focus(event.nodes[0]);
        else if (!event.edges.length) this.reset();
      });
      this.select?.addEventListener("change", () => this.focus(this.select.value));
      this.block.querySelector("[data-graph-fit]")?.addEventListener("click", () => this.fitAll());
      this.block.querySelector("[data-graph-reset]")?.addEventListener("click", () => this.reset());
    }

    // What window.introchain.graphs[id] holds.
    api() {
      return {
        network: this.network,
        nodes: this.nodes,
        edges: this.edges,
        details: this.data.details,
        focus: (nodeId) => this.focus(nodeId),
        reset: () => this.reset(),
        path: (from, to) => this.path(from, to),
      };
    }
  }

  // Draw the graph of one [data-graph] block and register it.
  function setup(block) {
    const id = block.getAttribute("data-graph");
    const dataElement = document.getElementById(`graph-data-${id}`);
    const container = document.getElementById(`graph-${id}`);
    if (!dataElement || !container || typeof vis === "undefined") return;
    const graph = new Graph(block, container, JSON.parse(dataElement.textContent));
    graph.settle();
    graph.followColourScheme();
    graph.bindControls();
    registry[id] = graph.api();
    if (graph.select?.value) graph.focus(graph.select.value); // chosen while the graph was on its way
  }

  // --- loading vis-network on demand ---------------------------------------------------------

  let waiting = [];
  let loading = false;

  // Load vis-network once, then run every callback that waited for it.
  function withVis(callback) {
    if (typeof vis !== "undefined") {
      callback();
      return;
    }
    waiting.push(callback);
    if (waiting.length > 1 || !visSource) return;
    loading = true;
    const tag = document.createElement("script");
    tag.src = visSource;
    tag.addEventListener("load", () => {
      // Draw in a task of its own rather than in the one that ran the library.
      setTimeout(() => {
        const queue = waiting;
        waiting = [];
        for (const run of queue) run();
      }, 0);
    });
    document.head.append(tag);
  }

  // Download vis-network ahead of need, at low priority and after the page has loaded, without
  // running it; not when it is being loaded to draw a graph already.
  function prefetch() {
    if (document.readyState !== "complete") {
      window.addEventListener("load", prefetch, { once: true });
      return;
    }
    setTimeout(() => {
      // After the other observer has had its say: is the graph being drawn already?
      if (loading || !visSource || typeof vis !== "undefined") return;
      const link = document.createElement("link");
      link.rel = "prefetch";
      link.as = "script";
      link.href = visSource;
      document.head.append(link);
    }, 0);
  }

  // Draw the graph of `block` (once) and call back with its API.
  const callbacks = {};
  function ensure(block, callback) {
    const id = block.getAttribute("data-graph");
    if (registry[id]) {
      callback?.(registry[id]);
      return;
    }
    const queue = (callbacks[id] ??= []);
    queue.push(callback);
    if (queue.length > 1) return; // already on its way
    withVis(() => {
      setup(block);
      callbacks[id] = [];
      for (const run of queue) if (run && registry[id]) run(registry[id]);
    });
  }

  function ready(id, callback) {
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    if (block) ensure(block, callback);
  }

  // --- the page: path finder, observers ------------------------------------------------------

  function describePath(graph, found) {
    const names = found.nodes.map((node) => graph.details[node].name);
    const steps = found.edges.length;
    return `${names.join(" → ")} (${steps} step${steps === 1 ? "" : "s"})`;
  }

  function setupPathFinder(finder) {
    const id = finder.getAttribute("data-path-finder");
    const form = finder.querySelector("[data-path-form]");
    const result = finder.querySelector("[data-path-result]");
    if (!form || !result) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const from = form.querySelector("[data-path-from]").value;
      const to = form.querySelector("[data-path-to]").value;
      ready(id, (graph) => {
        const found = graph.path(from, to);
        result.textContent = found ? describePath(graph, found) : "No chain of introductions joins them yet.";
      });
    });
  }

  // Prefetch the library when any graph comes within a screen; draw each graph once it is in view.
  function observe(blocks) {
    const near = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      near.disconnect();
      prefetch();
    }, { rootMargin: "100% 0px" });
    const seen = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.intersectionRatio < VISIBLE) continue;
        seen.unobserve(entry.target);
        ensure(entry.target.closest("[data-graph]"));
      }
    }, { threshold: VISIBLE });
    for (const block of blocks) {
      const stage = block.querySelector(".graph-stage") ?? block;
      near.observe(stage);
      seen.observe(stage);
    }
  }

  function start() {
    const blocks = Array.from(document.querySelectorAll("[data-graph]"));
    for (const block of blocks) {
      const fallback = block.querySelector(".graph-fallback");
      if (fallback) fallback.textContent = "Drawing the graph…"; // with JavaScript, it will be
      block.addEventListener("focusin", () => ensure(block)); // keyboard readers at the controls
    }
    if (window.IntersectionObserver) observe(blocks);
    else blocks.forEach((block) => ensure(block));
    document.querySelectorAll("[data-path-finder]").forEach(setupPathFinder);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
