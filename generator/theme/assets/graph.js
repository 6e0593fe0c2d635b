// introchain graphs: draws every [data-graph] block with the vendored vis-network.
//
// The data comes from a <script type="application/json"> block written at build time, or, for a
// block with data-graph-src (the network page), from a file of its own fetched once. A node
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
// The network page's block also names a compact index (data-graph-index: people, links, stories,
// tags, channels), fetched once the page has loaded: the path finder and the filters work on it,
// on the whole network, whether or not the graph is drawn. A block marked data-graph-on-demand
// (a large network) shows its build-time overview until the reader opens the interactive view,
// and then draws only the edges of what is in focus (level of detail): a person's neighbourhood,
// a path, or a filter's introductions.
//
// Public API (for readers' scripts and tests): window.introchain.graphs[id] =
// { network, nodes, edges, details, focus(nodeId), reset(), path(fromId, toId), filter(links),
// showPath({nodes, edges}), edgeAt(linkNumber) }
// once graph `id` is drawn; window.introchain.ready(id, callback) draws it now if need be and
// calls back with that object.
(() => {
  "use strict";

  // The share of a graph that must be on screen for it to be drawn.
  const VISIBLE = 0.35;
  // Nodes drawn with a ring: the ring takes the text colour, so it shows in both schemes.
  const RINGED_ROLES = new Set(["author", "subject"]);
  // Labels are drawn at this size or larger on screen, or not at all (the build's options set
  // vis-network's drawThreshold to match): zoom in, or focus a person, to read the rest.
  const READABLE_PX = 12;
  const NODE_FONT_PX = 16; // graph.py's NODE_LABEL_PX, the size labels of people have at scale 1
  // Below this width a story's chain runs top to bottom instead of left to right.
  const NARROW_PX = 560;
  // How a chain's left-to-right positions turn into top-to-bottom ones: rows closer than columns were.
  const STACKED_ACROSS = 0.6;
  const STACKED_DOWN = 0.55;
  // Space kept free around a label, in screen pixels, when labels are thinned out.
  const LABEL_GAP = 2;
  const DIMMED_NODE = 0.2;
  const DIMMED_EDGE = 0.12;
  // On a large network, a filter's introductions are drawn as edges when there are at most this many.
  const DRAWN_EDGES = 4000;
  // A network of at most this many people lists them all under the name fields; a larger one
  // suggests the names that match what is typed, this many at a time (a list of tens of
  // thousands is no help to a reader and costs seconds to build on a phone).
  const LISTED_PEOPLE = 1000;
  const SUGGESTED_PEOPLE = 50;

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

  // Colours from the page's colour scheme: label text with a halo of the background, rings in the
  // text colour, lines in their channel's variant for the scheme (`colorDark` in the data).
  function paint(data) {
    const text = cssVar("--graph-text", "#1c1f24");
    const background = cssVar("--graph-bg", "#ffffff");
    const dark = cssVar("--graph-scheme", "light") === "dark";
    for (const node of data.nodes) {
      node.font = { color: text, strokeWidth: 3, strokeColor: background };
      if (RINGED_ROLES.has(node.role)) node.color = { ...node.color, border: text };
    }
    for (const edge of data.edges) {
      edge.font = { color: text, strokeWidth: 4, strokeColor: background };
      if (!edge.colorDark) continue;
      edge.colorLight ??= edge.color.color;
      edge.color = { ...edge.color, color: dark ? edge.colorDark : edge.colorLight };
    }
  }

  // A chain drawn left to right, turned to run top to bottom (for narrow screens).
  function stack(nodes) {
    for (const node of nodes) {
      [node.x, node.y] = [Math.round(node.y * STACKED_ACROSS), Math.round(node.x * STACKED_DOWN)];
    }
  }

  // The height a stacked chain needs so that it fits `width` at about its natural size.
  function stackedHeight(nodes, width) {
    const xs = nodes.map((node) => node.x);
    const ys = nodes.map((node) => node.y);
    const across = Math.max(...xs) - Math.min(...xs) + 260; // room for the widest labels either side
    const down = Math.max(...ys) - Math.min(...ys) + 140;
    const scale = Math.min(1, width / across);
    return Math.round(Math.min(window.innerHeight * 0.85, Math.max(256, down * scale)));
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
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
      this.around = adjacency(data.edges);
      this.panel = block.querySelector("[data-graph-panel]");
      this.select = block.querySelector("[data-graph-focus]");
      this.labels = {
        nodes: new Map(data.nodes.map((node) => [node.id, node.label])),
        edges: new Map(data.edges.map((edge) => [edge.id, edge.label])),
      };
      this.hidden = { nodes: new Set(), edges: new Set() };
      this.kept = new Set(); // nodes whose labels stay, whatever collides: the ones in focus
      this.container = container;
      // A large network draws no edge but those in focus; a filter may hide nodes (ids kept, or null).
      this.lod = block.hasAttribute("data-graph-on-demand");
      this.shownEdges = new Set();
      this.filtered = null;
      if (this.lod) for (const edge of data.edges) edge.hidden = true;
      this.stacked = Boolean(data.chain) && container.clientWidth < NARROW_PX;
      if (this.stacked) {
        stack(data.nodes);
        container.style.height = `${stackedHeight(data.nodes, container.clientWidth)}px`;
      }
      paint(data);
      this.nodes = new vis.DataSet(data.nodes);
      this.edges = new vis.DataSet(data.edges);
      this.network = new vis.Network(container, { nodes: this.nodes, edges: this.edges }, browserOptions(data.options));
      this.moving = Boolean(data.options.physics?.enabled);
      nameFrame(container);
    }

    // Freeze the layout once it settles, fit it, thin out colliding labels, then mark the stage
    // ready; thin them out again whenever the view changes.
    settle() {
      this.network.once("stabilizationIterationsDone", () => this.network.setOptions({ physics: { enabled: false } }));
      this.network.once(this.moving ? "stabilizationIterationsDone" : "afterDrawing", () => {
        this.fitAll();
        this.declutter(() => this.block.querySelector(".graph-stage").classList.add("graph-ready"));
      });
      let timer = null;
      const later = () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.declutter(), 120);
      };
      for (const name of ["zoom", "dragEnd", "animationFinished", "resize"]) this.network.on(name, later);
    }

    // Show every label, let vis-network measure them as it draws, then hide the labels that
    // would collide with a more important one: people on a page's own role first, then the
    // best connected, then connections, deepest first. Labels too small to read are hidden
    // by vis-network itself (drawThreshold), and come back when zoomed in.
    declutter(done) {
      this.restoreLabels();
      // Measured while drawing; hidden after it, as vis-network ignores redraws asked for mid-draw.
      this.network.once("afterDrawing", () => setTimeout(() => {
        const hide = this.collisions();
        this.nodes.update([...hide.nodes].map((id) => ({ id, label: "" })));
        // vis-network keeps an edge's old label when given an empty one: a space hides it.
        this.edges.update([...hide.edges].map((id) => ({ id, label: " " })));
        this.hidden = hide;
        if (done) this.network.once("afterDrawing", done);
        this.network.redraw();
      }, 0));
      this.network.redraw();
    }

    restoreLabels() {
      const { nodes, edges } = this.hidden;
      if (nodes.size) this.nodes.update([...nodes].map((id) => ({ id, label: this.labels.nodes.get(id) })));
      if (edges.size) this.edges.update([...edges].map((id) => ({ id, label: this.labels.edges.get(id) })));
      this.hidden = { nodes: new Set(), edges: new Set() };
    }

    // The ids of the labels to hide so that no two drawn labels overlap on screen.
    collisions() {
      const body = this.network.body;
      const scale = this.network.getScale();
      const gap = LABEL_GAP / scale;
      const view = this.viewBox();
      const candidates = [];
      const consider = (kind, item, rank) => {
        const label = item.labelModule;
        if (!item.options.label?.trim() || !label.visible()) return;
        const { left, top, width, height } = label.size;
        const box = { left: left - gap, top: top - gap, right: left + width + gap, bottom: top + height + gap };
        if (overlaps(box, view)) candidates.push({ kind, id: item.id, rank, box });
      };
      for (const id of body.nodeIndices) {
        const node = body.nodes[id];
        const kept = this.kept.has(id) || RINGED_ROLES.has(node.options.role);
        consider("nodes", node, kept ? 1e9 : 1e6 + (this.around.get(id)?.length ?? 0));
      }
      for (const id of body.edgeIndices) {
        const edge = body.edges[id];
        consider("edges", edge, edge.options.width ?? 1);
      }
      candidates.sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : 1));
      const placed = [];
      const hide = { nodes: new Set(), edges: new Set() };
      for (const candidate of candidates) {
        if (placed.some((box) => overlaps(box, candidate.box))) hide[candidate.kind].add(candidate.id);
        else placed.push(candidate.box);
      }
      return hide;
    }

    // The part of the graph on screen, in the graph's coordinates.
    viewBox() {
      const canvas = this.network.canvas.frame.canvas;
      const topLeft = this.network.DOMtoCanvas({ x: 0, y: 0 });
      const bottomRight = this.network.DOMtoCanvas({ x: canvas.clientWidth, y: canvas.clientHeight });
      return { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
    }

    // Apply the current colours to the drawn nodes and edges.
    repaint() {
      paint(this.data);
      this.nodes.update(this.data.nodes.map(({ id, font, color }) => ({ id, font, color })));
      this.edges.update(this.data.edges.map(({ id, font, color }) => ({ id, font, color })));
    }

    // Follow the reader's colour scheme when it changes while the page is open.
    followColourScheme() {
      window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => this.repaint());
    }

    // The whole graph in view, with a margin so that the outermost labels are not cut off. A
    // chain stacked on a narrow screen grows taller, up to most of the screen, to keep its
    // labels readable.
    fitAll() {
      this.network.fit({ animation: false });
      const readable = (READABLE_PX + 1) / NODE_FONT_PX;
      const tallest = Math.round(window.innerHeight * 0.85);
      const height = this.container.clientHeight;
      if (this.stacked && this.network.getScale() * 0.92 < readable && height < tallest) {
        const wanted = Math.ceil((height * readable) / (this.network.getScale() * 0.92)) + 8;
        this.container.style.height = `${Math.min(tallest, wanted)}px`;
        this.network.setSize("100%", `${Math.min(tallest, wanted)}px`);
        this.network.redraw();
        this.network.fit({ animation: false });
      }
      const position = this.network.getViewPosition();
      this.network.moveTo({ position, scale: this.network.getScale() * 0.92, animation: false });
    }

    // Bring a node and its neighbours into view, zoomed in far enough to read their labels.
    frame(nodeIds) {
      this.network.fit({ nodes: nodeIds, animation: false });
      const size = this.network.body.nodes[nodeIds[0]]?.options.font.size ?? 16;
      const readable = (READABLE_PX + 1) / size;
      if (this.network.getScale() < readable) {
        this.network.moveTo({ position: this.network.getPosition(nodeIds[0]), scale: readable, animation: false });
      }
      this.declutter();
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
      return this.labels.edges.get(edgeId) || "connected";
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

    // Level of detail: draw exactly these edges of a large network (and the nodes they join).
    showOnly(edgeIds) {
      const wanted = new Set(edgeIds);
      const changes = [];
      for (const id of this.shownEdges) if (!wanted.has(id)) changes.push({ id, hidden: true });
      for (const id of wanted) if (!this.shownEdges.has(id)) changes.push({ id, hidden: false });
      this.shownEdges = wanted;
      if (changes.length) this.edges.update(changes);
      if (this.filtered) {
        const ends = [...wanted].flatMap((id) => { const edge = this.edges.get(id); return [edge.from, edge.to]; });
        const shown = ends.filter((id) => !this.filtered.has(id));
        if (shown.length) this.nodes.update(shown.map((id) => ({ id, hidden: false })));
      }
    }

    // Highlight these nodes and edges: on a large network by drawing only those edges, else by dimming the rest.
    highlight(nodeIds, edgeIds) {
      if (this.lod) this.showOnly(edgeIds);
      else this.dim(new Set(nodeIds), new Set(edgeIds));
    }

    // Show only the introductions at these positions in the data (a filter's), or everyone (null).
    filter(links) {
      const edges = links && links.map((number) => this.data.edges[number]);
      const nodeIds = edges && new Set(edges.flatMap((edge) => [edge.from, edge.to]));
      this.filtered = nodeIds;
      this.nodes.update(this.data.nodes.map(({ id }) => ({ id, hidden: nodeIds ? !nodeIds.has(id) : false })));
      if (this.lod) {
        this.showOnly(edges && edges.length <= DRAWN_EDGES ? edges.map((edge) => edge.id) : []);
      } else {
        const keep = edges && new Set(edges.map((edge) => edge.id));
        this.edges.update(this.data.edges.map(({ id }) => ({ id, hidden: keep ? !keep.has(id) : false })));
      }
      this.network.unselectAll();
      this.hidePanel();
      if (nodeIds?.size) this.frame([...nodeIds]);
      else {
        this.fitAll();
        this.declutter();
      }
    }

    // Highlight a node and its neighbours, and open its panel.
    focus(nodeId) {
      if (!nodeId || !this.nodes.get(nodeId)) {
        this.reset();
        return;
      }
      const steps = this.around.get(nodeId) ?? [];
      const near = [nodeId, ...steps.map((step) => step.node)];
      this.highlight(near, steps.map((step) => step.edge));
      this.network.selectNodes([nodeId]);
      this.kept = new Set(near);
      this.frame(near);
      this.showPanel(nodeId);
      if (this.select) this.choose(nodeId);
    }

    reset() {
      if (this.lod) this.showOnly([]);
      else this.undim();
      this.network.unselectAll();
      this.hidePanel();
      if (this.select) this.choose("");
      this.kept = new Set();
      this.fitAll();
      this.declutter();
    }

    // Highlight and frame the shortest chain between two people; null when none joins them.
    path(from, to) {
      return this.showPath(shortestPath(this.around, from, to));
    }

    // Highlight and frame a chain found already ({nodes, edges} by id), or clear the highlight (null).
    showPath(found) {
      if (!found) {
        if (this.lod) this.showOnly([]);
        else this.undim();
        return null;
      }
      this.highlight(found.nodes, found.edges);
      this.network.selectNodes(found.nodes);
      this.kept = new Set(found.nodes);
      this.network.fit({ nodes: found.nodes, animation });
      if (!animation) this.declutter();
      return found;
    }

    // Clicks on the canvas, the Focus on list, and the Fit and Reset buttons.
    bindControls() {
      this.network.on("click", (event) => {
        if (event.nodes.length) this.focus(event.nodes[0]);
        else if (!event.edges.length) this.reset();
      });
      this.select?.addEventListener("change", () => this.focus(this.chosen()));
      this.block.querySelector("[data-graph-fit]")?.addEventListener("click", () => {
        this.fitAll();
        this.declutter();
      });
      this.block.querySelector("[data-graph-reset]")?.addEventListener("click", () => this.reset());
    }

    // The id of the edge at this position in the data (the index's link of the same number).
    edgeAt(number) {
      return this.data.edges[number].id;
    }

    // Who the Focus on control names: a list's value, or a name typed or picked (the network's index tells whose).
    chosen() {
      if (this.select.tagName !== "INPUT") return this.select.value;
      return indexes[this.block.getAttribute("data-graph")]?.byLabel.get(this.select.value.trim()) ?? "";
    }

    choose(nodeId) {
      if (this.select.tagName !== "INPUT") this.select.value = nodeId;
      else {
        const index = indexes[this.block.getAttribute("data-graph")];
        this.select.value = nodeId && index ? index.people[index.place.get(nodeId)]?.[1] ?? "" : "";
      }
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
        filter: (links) => this.filter(links),
        showPath: (found) => this.showPath(found),
        edgeAt: (number) => this.edgeAt(number),
      };
    }
  }

  // Draw the graph of one [data-graph] block from its data and register it.
  function setup(block, data) {
    const id = block.getAttribute("data-graph");
    const container = document.getElementById(`graph-${id}`);
    if (!container || typeof vis === "undefined") return;
    const graph = new Graph(block, container, data);
    block.querySelector(".graph-stage")?.classList.add("graph-drawn");
    graph.settle();
    graph.followColourScheme();
    graph.bindControls();
    registry[id] = graph.api();
    if (graph.select?.value) graph.focus(graph.chosen()); // chosen while the graph was on its way
  }

  // --- the graph's data ----------------------------------------------------------------------

  const dataRequests = {};

  // The data of graph `id` (a promise, made once): its inline block, else the file its block names.
  function graphData(block) {
    const id = block.getAttribute("data-graph");
    if (!dataRequests[id]) {
      const inline = document.getElementById(`graph-data-${id}`);
      const source = block.getAttribute("data-graph-src");
      dataRequests[id] = inline
        ? Promise.resolve(JSON.parse(inline.textContent))
        : fetch(source).then((response) => {
          if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
          return response.json();
        });
      if (!inline) {
        dataRequests[id].catch((error) => {
          const fallback = block.querySelector(".graph-fallback");
          if (fallback) fallback.textContent = "The graph could not be loaded; everything it shows is also written out on this page.";
          console.error(error);
        });
      }
    }
    return dataRequests[id];
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
    const data = graphData(block);
    withVis(() => data.then((loaded) => {
      setup(block, loaded);
      callbacks[id] = [];
      for (const run of queue) if (run && registry[id]) run(registry[id]);
    }, () => { callbacks[id] = []; }));
  }

  function ready(id, callback) {
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    if (block) ensure(block, callback);
  }

  // --- the network's index: path finder and filters on the whole graph ------------------------

  const indexRequests = {};
  const indexes = {}; // the indexes that have arrived, by graph id

  // The index of graph `id` (a promise, made once), with its links as compact adjacency arrays.
  function graphIndex(block) {
    const id = block.getAttribute("data-graph");
    const source = block.getAttribute("data-graph-index");
    indexRequests[id] ??= fetch(source).then((response) => {
      if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
      return response.json();
    }).then((index) => (indexes[id] = prepareIndex(index)));
    return indexRequests[id];
  }

  // Who is linked to whom, as offsets into flat arrays (neighbour, link number): a breadth-first
  // search over the whole network then takes milliseconds, without an object per link.
  function prepareIndex(index) {
    const count = index.people.length;
    const offsets = new Int32Array(count + 1);
    for (const [a, b] of index.links) {
      offsets[a + 1] += 1;
      offsets[b + 1] += 1;
    }
    for (let at = 0; at < count; at += 1) offsets[at + 1] += offsets[at];
    const filled = offsets.slice(0, count);
    const neighbours = new Int32Array(offsets[count]);
    const through = new Int32Array(offsets[count]);
    index.links.forEach(([a, b], number) => {
      neighbours[filled[a]] = b;
      through[filled[a]++] = number;
      neighbours[filled[b]] = a;
      through[filled[b]++] = number;
    });
    index.place = new Map(index.people.map(([id], number) => [id, number]));
    index.byLabel = new Map(index.people.map(([id, label]) => [label, id]));
    index.adjacency = { offsets, neighbours, through };
    return index;
  }

  // The shortest chain of introductions between two people of the index: person ids and link numbers, or null.
  function findPath(index, fromId, toId) {
    const from = index.place.get(fromId);
    const to = index.place.get(toId);
    if (from === undefined || to === undefined) return null;
    if (from === to) return { nodes: [fromId], links: [] };
    const { offsets, neighbours, through } = index.adjacency;
    const previous = new Int32Array(index.people.length).fill(-1);
    const via = new Int32Array(index.people.length);
    previous[from] = from;
    let frontier = [from];
    while (frontier.length) {
      const next = [];
      for (const current of frontier) {
        for (let at = offsets[current]; at < offsets[current + 1]; at += 1) {
          const other = neighbours[at];
          if (previous[other] !== -1) continue;
          previous[other] = current;
          via[other] = through[at];
          if (other === to) {
            const nodes = [to];
            const links = [];
            for (let node = to; node !== from; node = previous[node]) {
              links.unshift(via[node]);
              nodes.unshift(previous[node]);
            }
            return { nodes: nodes.map((number) => index.people[number][0]), links };
          }
          next.push(other);
        }
      }
      frontier = next;
    }
    return null;
  }

  // A path as names ("A → B → C (2 steps)") and as its introductions, each with its date and story.
  function describePath(index, found) {
    const names = found.nodes.map((id) => index.people[index.place.get(id)][1]);
    const count = found.links.length;
    const summary = `${names.join(" → ")} (${count} step${count === 1 ? "" : "s"})`;
    const steps = found.links.map((number, step) => {
      const [, , story, when] = index.links[number];
      const item = element("li", `${names[step]} and ${names[step + 1]}${when ? `, ${when}` : ""}: `);
      const [title, url] = index.stories[story];
      const link = element("a", title);
      link.href = url;
      item.append(link);
      return item;
    });
    return { summary, steps };
  }

  // The names of `labels` a reader may mean by `typed`: those that begin with it, then those
  // that contain it (ignoring case), in the index's order (by name), at most SUGGESTED_PEOPLE.
  function suggestedNames(labels, folded, typed) {
    const wanted = typed.trimStart().toLocaleLowerCase(); // a space typed after a name narrows it
    if (!wanted.trim()) return [];
    const starting = [];
    const containing = [];
    for (let number = 0; number < folded.length && starting.length < SUGGESTED_PEOPLE; number += 1) {
      const at = folded[number].indexOf(wanted);
      if (at === 0) starting.push(labels[number]);
      else if (at > 0 && containing.length < SUGGESTED_PEOPLE) containing.push(labels[number]);
    }
    return starting.concat(containing).slice(0, SUGGESTED_PEOPLE);
  }

  // The page's list of the network's people (a datalist, in the index's order: by name): all
  // of them in a small network; in a large one, the names that match what is being typed in
  // any field that uses the list.
  function fillPeople(id, index) {
    const labels = index.people.map(([, label]) => label);
    const fill = (list, names) => {
      const options = document.createDocumentFragment();
      for (const name of names) options.append(new Option(name));
      list.replaceChildren(options);
    };
    for (const list of document.querySelectorAll(`datalist[data-graph-people="${CSS.escape(id)}"]`)) {
      if (labels.length <= LISTED_PEOPLE) {
        fill(list, labels);
        continue;
      }
      let folded = null; // made on the first keystroke, not while the page loads
      list.setAttribute("data-suggest", "");
      document.querySelectorAll(`input[list="${CSS.escape(list.id)}"]`).forEach((field) => {
        field.addEventListener("input", () => {
          folded ??= labels.map((label) => label.toLocaleLowerCase());
          fill(list, suggestedNames(labels, folded, field.value));
        });
      });
    }
  }

  // Draw `graph` with a callback once drawn, unless it is drawn only on demand and is not yet.
  function whenDrawn(block, callback, { open }) {
    const id = block.getAttribute("data-graph");
    if (registry[id]) callback(registry[id]);
    else if (open || !block.hasAttribute("data-graph-on-demand")) ensure(block, callback);
  }

  // The path finder answers from the index (the whole network, whatever is drawn), then
  // highlights the path in the drawn graph; a large network is not drawn for it.
  function setupPathFinder(finder) {
    const id = finder.getAttribute("data-path-finder");
    const form = finder.querySelector("[data-path-form]");
    const result = finder.querySelector("[data-path-result]");
    const list = finder.querySelector("[data-path-steps]");
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    if (!form || !result || !block?.hasAttribute("data-graph-index")) return;
    const answer = (index) => {
      const names = ["from", "to"].map((name) => form.querySelector(`[data-path-${name}]`).value.trim());
      const [from, to] = names.map((name) => index.byLabel.get(name));
      const unknown = names.find((name, number) => [from, to][number] === undefined);
      const found = unknown === undefined ? findPath(index, from, to) : null;
      const told = found ? describePath(index, found)
        : { summary: unknown === undefined ? "No chain of introductions joins them yet."
          : `No one called “${unknown}” is in the network: pick a name from the list.`, steps: [] };
      result.textContent = told.summary;
      list?.replaceChildren(...told.steps);
      if (list) list.hidden = !told.steps.length;
      // Highlighting a path in a drawn graph takes a while: show the answer first.
      requestAnimationFrame(() => setTimeout(() => whenDrawn(block, (graph) => graph.showPath(found && {
        nodes: found.nodes, edges: found.links.map((number) => graph.edgeAt(number)),
      }), { open: false }), 0));
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (indexes[id]) answer(indexes[id]); // at once, in the same task, once the index is here
      else graphIndex(block).then(answer);
    });
  }

  // Which introductions (link numbers) the filter form picks, or null when it picks no part.
  function filteredLinks(index, form) {
    const words = form.elements.story.value.trim().toLocaleLowerCase();
    const [tag, channel, year] = ["tag", "channel", "year"].map((name) => form.elements[name].value);
    if (!words && !tag && !channel && !year) return null;
    const stories = index.stories.map(([title, , , tags]) => (!words || title.toLocaleLowerCase().includes(words))
      && (!tag || tags.includes(Number(tag))));
    const kept = [];
    index.links.forEach(([, , story, , when, channels], number) => {
      if (stories[story] && (!year || when === Number(year)) && (!channel || channels.includes(Number(channel)))) kept.push(number);
    });
    return kept;
  }

  function fillFilterChoices(form, index) {
    const used = new Set(index.links.flatMap((link) => link[5]));
    const years = [...new Set(index.links.map((link) => link[4]))].sort((a, b) => a - b);
    const choices = {
      tags: index.tags.map(([, name], number) => [number, name]),
      channels: index.channels.map(([, label], number) => [number, label]).filter(([number]) => used.has(number)),
      years: years.map((year) => [year, String(year)]),
    };
    for (const select of form.querySelectorAll("[data-filter-choices]")) {
      const any = select.options[0];
      select.replaceChildren(any, ...choices[select.getAttribute("data-filter-choices")].map(([value, text]) => new Option(text, value)));
    }
  }

  // The filters: picked from the index at once (what they match is said in words), then shown in
  // the drawn graph, which they open.
  function setupFilters(form) {
    const id = form.getAttribute("data-graph-filters");
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    const result = form.querySelector("[data-filter-result]");
    if (!block?.hasAttribute("data-graph-index")) return;
    const controls = form.querySelector("[data-filter-controls]");
    graphIndex(block).then((index) => {
      fillFilterChoices(form, index);
      if (controls) controls.disabled = false;
    }, (error) => {
      result.textContent = "The filters could not load the network's index.";
      console.error(error);
    });
    const apply = () => graphIndex(block).then((index) => {
      const kept = filteredLinks(index, form);
      if (kept && !kept.length) {
        result.textContent = "No introduction matches all of these.";
        return;
      }
      if (kept) {
        const people = new Set(kept.flatMap((number) => index.links[number].slice(0, 2)));
        const stories = new Set(kept.map((number) => index.links[number][2]));
        result.textContent = `${people.size} ${people.size === 1 ? "person" : "people"} and ${kept.length} `
          + `introduction${kept.length === 1 ? "" : "s"} in ${stories.size} stor${stories.size === 1 ? "y" : "ies"}.`;
      } else {
        result.textContent = `Everyone: ${index.people.length} people and ${index.links.length} introductions.`;
      }
      whenDrawn(block, (graph) => graph.filter(kept), { open: Boolean(kept) });
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      apply();
    });
    form.addEventListener("reset", () => setTimeout(apply, 0)); // after the form has been cleared
  }

  // --- the page ------------------------------------------------------------------------------

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

  // A graph drawn on demand: by its Open button, or by choosing someone to focus on.
  function onDemand(block) {
    const button = block.querySelector("[data-graph-open]");
    button?.addEventListener("click", () => {
      button.disabled = true;
      button.textContent = "Drawing the network…";
      ensure(block);
    });
    block.querySelector("[data-graph-focus]")?.addEventListener("change", () => ensure(block));
  }

  function start() {
    const blocks = Array.from(document.querySelectorAll("[data-graph]"));
    const drawn = blocks.filter((block) => !block.hasAttribute("data-graph-on-demand"));
    for (const block of drawn) {
      const fallback = block.querySelector(".graph-fallback");
      if (fallback) fallback.textContent = "Drawing the graph…"; // with JavaScript, it will be
      block.addEventListener("focusin", () => ensure(block)); // keyboard readers at the controls
    }
    blocks.filter((block) => block.hasAttribute("data-graph-on-demand")).forEach(onDemand);
    if (window.IntersectionObserver) observe(drawn);
    else drawn.forEach((block) => ensure(block));
    document.querySelectorAll("[data-path-finder]").forEach(setupPathFinder);
    document.querySelectorAll("[data-graph-filters]").forEach(setupFilters);
    // The network's index is fetched at once: the path finder and the filters wait for it.
    for (const block of blocks.filter((block) => block.hasAttribute("data-graph-index"))) {
      graphIndex(block).then((index) => fillPeople(block.getAttribute("data-graph"), index), console.error);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
