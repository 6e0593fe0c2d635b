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
// a path, or a filter's introductions. Until then, focusing on someone, a filter or a path
// draws only that part of the network, from the index alone (a "part view"): a reader who
// never opens the whole never fetches it.
//
// Drawing a graph is split into steps, each a task of its own started when the main thread is
// idle (preparing the data, making the network, giving it the data, fitting it, thinning out
// labels), so that no step keeps the page from answering for long.
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
  // How part of a network is laid out in the browser: a person's neighbours on a ring around them
  // (this much room each along it), a filter's people along a sunflower spiral (network.py's
  // spread_layout), a path in a row of columns (graph.py's story chain).
  const RING_ROOM = 120;
  const RING_LEAST = 220;
  const SPIRAL_SPACING = 60;
  const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
  const CHAIN_COLUMN = 230;
  const CHAIN_ROW = 90;
  // The longest a step of drawing waits for the main thread to be idle.
  const IDLE_WAIT_MS = 300;
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

  // A promise that resolves in a task of its own once the main thread is idle (or after IDLE_WAIT_MS).
  function idle() {
    return new Promise((resolve) => {
      if (window.requestIdleCallback) requestIdleCallback(() => resolve(), { timeout: IDLE_WAIT_MS });
      else setTimeout(resolve, 0);
    });
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

  // A layout turned a quarter so that its longer side lies along the frame's (a wide network on a tall phone).
  function orient(nodes, frame) {
    if (!nodes.length || nodes.some((node) => node.x === undefined)) return;
    const span = (axis) => Math.max(...nodes.map((node) => node[axis])) - Math.min(...nodes.map((node) => node[axis]));
    if ((span("x") > span("y")) === (frame.clientWidth > frame.clientHeight)) return;
    for (const node of nodes) [node.x, node.y] = [node.y, node.x];
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
    // The data ready to draw; `index` (a large network's, for a part view) or null.
    constructor(block, container, data, index = null) {
      this.block = block;
      this.container = container;
      this.panel = block.querySelector("[data-graph-panel]");
      this.select = block.querySelector("[data-graph-focus]");
      this.index = index;
      // A large network draws no edge but those in focus; a filter may hide nodes (ids kept, or null).
      this.lod = block.hasAttribute("data-graph-on-demand") && !index;
      this.listening = new AbortController(); // the page's listeners, removed when a part view closes
      this.stacked = Boolean(data.chain) && container.clientWidth < NARROW_PX;
      if (this.stacked) {
        stack(data.nodes);
        container.style.height = `${stackedHeight(data.nodes, container.clientWidth)}px`;
      } else if (!data.chain && !index) {
        orient(data.nodes, container);
      }
      this.take(data);
      this.nodes = new vis.DataSet(data.nodes);
      this.edges = new vis.DataSet(data.edges);
    }

    // Keep `data` as what is drawn: its colours, who is next to whom, its labels.
    take(data) {
      this.data = data;
      this.around = adjacency(data.edges);
      this.labels = {
        nodes: new Map(data.nodes.map((node) => [node.id, node.label])),
        edges: new Map(data.edges.map((edge) => [edge.id, edge.label])),
      };
      this.hidden = { nodes: new Set(), edges: new Set() };
      this.kept = new Set(); // nodes whose labels stay, whatever collides: the ones in focus
      this.shownEdges = new Set();
      this.filtered = null;
      if (this.lod) for (const edge of data.edges) edge.hidden = true;
      paint(data);
    }

    // Make the (empty) network: its options, canvas and event handlers.
    makeNetwork() {
      this.named = ["role", "aria-label", "aria-describedby"].map((name) => [name, this.container.getAttribute(name)]);
      this.network = new vis.Network(this.container, {}, browserOptions(this.data.options));
      this.moving = Boolean(this.data.options.physics?.enabled);
      nameFrame(this.container);
    }

    // Give the network its nodes and edges; it draws them at the next frame.
    fill() {
      this.network.setData({ nodes: this.nodes, edges: this.edges });
    }

    // Freeze the layout once it settles, fit it, thin out colliding labels, then mark the stage
    // ready; thin them out again whenever the view changes.
    settle() {
      const ready = () => this.block.querySelector(".graph-stage").classList.add("graph-ready");
      if (this.moving) {
        this.network.once("stabilizationIterationsDone", () => {
          this.network.setOptions({ physics: { enabled: false } });
          this.fitAll();
          this.declutter(ready);
        });
      } else {
        // Fitted once the first drawing has measured the labels, then thinned out once the fitted
        // view is drawn: each step in a task of its own, vis-network drawing at its next frame.
        this.network.once("afterDrawing", () => setTimeout(() => {
          if (this.closed) return;
          if (this.kept.size) {
            this.thin(ready); // someone was put in focus meanwhile: their view is drawn already
            return;
          }
          this.fitAll();
          this.network.once("afterDrawing", () => setTimeout(() => this.thin(ready), 0));
        }, 0));
      }
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
      if (this.closed) return; // a part view closed while this waited
      this.restoreLabels();
      // Measured while drawing; hidden after it, as vis-network ignores redraws asked for mid-draw.
      this.network.once("afterDrawing", () => setTimeout(() => this.thin(done), 0));
      this.network.redraw();
    }

    // Hide the labels that collide, as measured in the last drawing; vis-network draws the change
    // at its next frame (then `done`).
    thin(done) {
      if (this.closed) return;
      const hide = this.collisions();
      this.hidden = hide;
      if (!hide.nodes.size && !hide.edges.size) {
        done?.();
        return;
      }
      if (done) this.network.once("afterDrawing", done);
      this.nodes.update([...hide.nodes].map((id) => ({ id, label: "" })));
      // vis-network keeps an edge's old label when given an empty one: a space hides it.
      this.edges.update([...hide.edges].map((id) => ({ id, label: " " })));
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
      window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => this.repaint(), { signal: this.listening.signal });
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
      if (this.index) {
        this.filterPart(links);
        return;
      }
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

    // Highlight a node and its neighbours, and open its panel (in a part view: draw them).
    focus(nodeId) {
      if (this.index && this.index.place.has(nodeId)) {
        this.showPart(neighbourhoodLinks(this.index, nodeId), { around: nodeId });
      }
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
      if (this.index) {
        this.close();
        return;
      }
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
      if (this.index && found) this.showPart(found.links ?? [], { row: found.nodes });
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
      const { signal } = this.listening;
      this.select?.addEventListener("change", () => this.focus(this.chosen()), { signal });
      this.block.querySelector("[data-graph-fit]")?.addEventListener("click", () => {
        this.fitAll();
        this.declutter();
      }, { signal });
      this.block.querySelector("[data-graph-reset]")?.addEventListener("click", () => this.reset(), { signal });
    }

    // The id of the edge at this position in the data (the index's link of the same number).
    edgeAt(number) {
      return this.index ? linkEdgeId(number) : this.data.edges[number].id;
    }

    // A part view: draw these links of the index (and the people they join, or those of `people`),
    // laid out `around` a person, along a `row` of people (a path), or along a spiral.
    showPart(links, { around = null, row = null, people = links } = {}) {
      const data = partData(this.index, links, { around, row, people });
      this.take(data);
      this.network.unselectAll();
      this.nodes.clear();
      this.edges.clear();
      this.nodes.add(data.nodes);
      this.edges.add(data.edges);
    }

    // A filter in a part view: draw its people and introductions (or close, for everyone).
    filterPart(links) {
      if (!links) {
        this.close();
        return;
      }
      this.showPart(links.length <= DRAWN_EDGES ? links : [], { people: links });
      this.hidePanel();
      if (this.data.nodes.length) this.frame(this.data.nodes.map((node) => node.id));
    }

    // Close a part view: the overview shows again, and the page's controls forget this graph.
    close() {
      const id = this.block.getAttribute("data-graph");
      this.closed = true;
      this.listening.abort();
      this.network.destroy();
      for (const [name, value] of this.named) if (value !== null) this.container.setAttribute(name, value);
      this.block.querySelector(".graph-stage")?.classList.remove("graph-drawn", "graph-ready");
      this.hidePanel();
      if (this.select) this.choose("");
      delete registry[id];
    }

    // Who the Focus on control names.
    chosen() {
      return chosenPerson(this.block, this.select);
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
        part: Boolean(this.index),
      };
    }
  }

  // Draw the graph of one [data-graph] block from its data (or a part view from its index) and
  // register it: in steps, each a task of its own once the main thread is idle.
  async function setup(block, data, index = null) {
    const id = block.getAttribute("data-graph");
    const container = document.getElementById(`graph-${id}`);
    if (!container || typeof vis === "undefined") return;
    registry[id]?.close?.(); // a part view gives way to the whole network
    const graph = new Graph(block, container, data, index);
    await idle();
    graph.makeNetwork();
    await idle();
    graph.fill();
    block.querySelector(".graph-stage")?.classList.add("graph-drawn");
    graph.settle();
    graph.followColourScheme();
    graph.bindControls();
    registry[id] = { ...graph.api(), close: () => graph.close() };
    if (!index && graph.select?.value) graph.focus(graph.chosen()); // chosen while the graph was on its way
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
      idle().then(() => {
        const queue = waiting;
        waiting = [];
        for (const run of queue) run();
      });
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
    if (registry[id] && !registry[id].part) {
      callback?.(registry[id]);
      return;
    }
    const queue = (callbacks[id] ??= []);
    queue.push(callback);
    if (queue.length > 1) return; // already on its way
    const data = graphData(block);
    withVis(() => data.then(async (loaded) => {
      await setup(block, loaded);
      callbacks[id] = [];
      for (const run of queue) if (run && registry[id]) run(registry[id]);
    }, () => { callbacks[id] = []; }));
  }

  // Draw part of a large network from its index (once), and call back with its API.
  const parts = {};
  function ensurePart(block, callback) {
    const id = block.getAttribute("data-graph");
    if (registry[id]) {
      callback(registry[id]);
      return;
    }
    if (!parts[id]) {
      parts[id] = graphIndex(block).then((index) => new Promise((resolve) => withVis(resolve)).then(async () => {
        if (!registry[id]) await setup(block, partData(index, [], {}), index);
      })).finally(() => { delete parts[id]; });
    }
    parts[id].then(() => registry[id] && callback(registry[id]), console.error);
  }

  function ready(id, callback) {
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    if (block) ensure(block, callback);
  }

  // Who a Focus on control names: a list's value, or a name typed or picked (the network's index tells whose).
  function chosenPerson(block, select) {
    if (select.tagName !== "INPUT") return select.value;
    return indexes[block.getAttribute("data-graph")]?.byLabel.get(select.value.trim()) ?? "";
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

  // --- part of a large network, drawn from its index ------------------------------------------

  // Every introduction (link number) a person is part of, each once.
  function neighbourhoodLinks(index, personId) {
    const at = index.place.get(personId);
    const { offsets, through } = index.adjacency;
    return [...new Set(through.subarray(offsets[at], offsets[at + 1]))];
  }

  function linkEdgeId(number) {
    return `l${number}`;
  }

  // People (numbers into index.people) in breadth-first order over these links, best linked first.
  function linkedOrder(index, links) {
    const around = new Map();
    const add = (from, to) => {
      if (!around.has(from)) around.set(from, []);
      around.get(from).push(to);
    };
    for (const number of links) {
      const [a, b] = index.links[number];
      add(a, b);
      add(b, a);
    }
    const starts = [...around.keys()].sort((a, b) => around.get(b).length - around.get(a).length || a - b);
    const order = new Set();
    for (const start of starts) {
      if (order.has(start)) continue;
      order.add(start);
      for (let frontier = [start]; frontier.length;) {
        const next = [];
        for (const person of frontier) {
          for (const other of around.get(person)) {
            if (order.has(other)) continue;
            order.add(other);
            next.push(other);
          }
        }
        frontier = next;
      }
    }
    return [...order];
  }

  // The first person in the middle, the others on a ring around them with room for their labels.
  function ringPositions(count) {
    const others = count - 1;
    const radius = Math.max(RING_LEAST, (others * RING_ROOM) / (2 * Math.PI));
    return Array.from({ length: count }, (_, number) => {
      if (number === 0) return [0, 0];
      const angle = (2 * Math.PI * (number - 1)) / others - Math.PI / 2;
      return [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))];
    });
  }

  function spiralPositions(count) {
    return Array.from({ length: count }, (_, number) => [
      Math.round(SPIRAL_SPACING * Math.sqrt(number) * Math.cos(number * GOLDEN_ANGLE)),
      Math.round(SPIRAL_SPACING * Math.sqrt(number) * Math.sin(number * GOLDEN_ANGLE)),
    ]);
  }

  function rowPositions(count) {
    return Array.from({ length: count }, (_, number) => [number * CHAIN_COLUMN, (number % 2) * CHAIN_ROW]);
  }

  // A person of the index as a node, styled as the build styles the whole network's.
  function partNode(index, number, [x, y]) {
    const [id, label, kind] = index.people[number];
    const [kindName, shape, colour] = index.drawing.kinds[kind];
    const title = `${label}\n${kindName[0].toUpperCase()}${kindName.slice(1)}`;
    return { id, label, title, x, y, shape, size: 16, borderWidth: 2, color: { background: colour, border: "#ffffff" } };
  }

  // A link of the index as an edge, styled as the build styles the whole network's (its story's
  // line, as wide as the relationship is deep; a bridge dotted grey with an arrow); its tooltip
  // plain text.
  function partEdge(index, number) {
    const [a, b, story, when, , channels, depth] = index.links[number];
    const [from, first] = index.people[a];
    const [to, second] = index.people[b];
    const [title] = index.stories[story];
    const edge = { id: linkEdgeId(number), from, to };
    if (!depth) {
      return { ...edge, role: "bridge", title: `${first} brought ${second} together\nStory: ${title}`, width: 1,
        color: { color: index.drawing.bridge }, dashes: [2, 5], arrows: { to: { enabled: true, scaleFactor: 0.6 } } };
    }
    const [light, dark, dashes] = index.drawing.lines[story % index.drawing.lines.length];
    const lines = [`${first} and ${second}`, `Story: ${title}`];
    if (when) lines.push(`When: ${when}`);
    if (channels.length) lines.push(`Channels: ${channels.map((channel) => index.channels[channel][1]).join(", ")}`);
    return { ...edge, title: lines.join("\n"), width: 1 + depth, color: { color: light }, colorDark: dark, dashes,
      arrows: { to: { enabled: false } } };
  }

  // What a part view draws: these links, and the people they join (or those of the links in
  // `people`), `around` one person, along a `row` of people, or along a spiral.
  function partData(index, links, { around = null, row = null, people = links }) {
    let order = row ? row.map((id) => index.place.get(id)) : linkedOrder(index, people);
    if (around !== null) {
      const centre = index.place.get(around);
      order = [centre, ...order.filter((number) => number !== centre)];
    }
    const positions = (around !== null ? ringPositions : row ? rowPositions : spiralPositions)(order.length);
    const details = {};
    for (const number of order) {
      const [id, label, kind] = index.people[number];
      details[id] = { name: label, kind: index.drawing.kinds[kind][0], location: "", url: `${index.drawing.people_url}${encodeURIComponent(id)}/` };
    }
    return {
      nodes: order.map((number, at) => partNode(index, number, positions[at])),
      edges: links.map((number) => partEdge(index, number)),
      options: structuredClone(index.drawing.options),
      details,
    };
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
  // A large network (drawn on demand) draws only the part asked for, from its index.
  function whenDrawn(block, callback, { open }) {
    const id = block.getAttribute("data-graph");
    if (registry[id]) callback(registry[id]);
    else if (!block.hasAttribute("data-graph-on-demand")) ensure(block, callback);
    else if (open) ensurePart(block, callback);
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
        nodes: found.nodes, edges: found.links.map((number) => graph.edgeAt(number)), links: found.links,
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
    // Until a graph is drawn, choosing someone draws their neighbourhood (a drawn graph's own listener does it after).
    const select = block.querySelector("[data-graph-focus]");
    select?.addEventListener("change", () => {
      if (registry[block.getAttribute("data-graph")] || !select.value.trim()) return;
      ensurePart(block, (graph) => graph.focus(chosenPerson(block, select)));
    });
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
