// introchain graphs, the drawing: a [data-graph] block's graph drawn with vis-network, its labels
// kept readable, and the reader's controls (Focus on, Fit, Reset, clicks, the details panel).
// graph.js loads this file, after vis-network, once a graph is to be drawn.
//
// This script styles nodes and edges by their `role`, never by comparing the colours the build
// chose. Everything shown to the reader is set with textContent (never innerHTML), and
// vis-network renders string tooltips as text, so names and notes stay plain text.
//
// Drawing a graph is split into steps, each a task of its own started when the main thread is
// idle (preparing the data, making the network, giving it the data, fitting it, thinning out
// labels), so that no step keeps the page from answering for long.
//
// On the network page a graph may be a "part view" (drawn from the network's index alone, see
// network-index.js), and a large network (data-graph-on-demand) draws only the edges of what is
// in focus (level of detail).
(() => {
  "use strict";

  // vis-network's options that every story graph ("chain") and every person graph
  // ("neighbourhood") shares: their data names its `preset` instead of carrying them
  // (generator/graph.py's PRESETS; tests/test_graph.py keeps the two the same).
  const PRESETS = {"chain": {"autoResize": true, "edges": {"font": {"align": "horizontal", "face": "system-ui, sans-serif", "size": 14}, "scaling": {"label": {"drawThreshold": 13, "maxVisible": 40}}, "selectionWidth": 2}, "interaction": {"hover": true, "keyboard": {"bindToWindow": false, "enabled": true}, "multiselect": false, "navigationButtons": false, "tooltipDelay": 120}, "layout": {"improvedLayout": true, "randomSeed": 7}, "nodes": {"font": {"face": "system-ui, sans-serif", "size": 16}, "scaling": {"label": {"drawThreshold": 13, "maxVisible": 40}}}, "physics": {"enabled": false}}, "neighbourhood": {"autoResize": true, "edges": {"font": {"align": "horizontal", "face": "system-ui, sans-serif", "size": 14}, "scaling": {"label": {"drawThreshold": 13, "maxVisible": 40}}, "selectionWidth": 2}, "interaction": {"hover": true, "keyboard": {"bindToWindow": false, "enabled": true}, "multiselect": false, "navigationButtons": false, "tooltipDelay": 120}, "layout": {"improvedLayout": false, "randomSeed": 7}, "nodes": {"font": {"face": "system-ui, sans-serif", "size": 16}, "scaling": {"label": {"drawThreshold": 13, "maxVisible": 40}}}, "physics": {"barnesHut": {"avoidOverlap": 0.2, "gravitationalConstant": -6000, "springLength": 140}, "enabled": true, "solver": "barnesHut", "stabilization": {"enabled": true, "fit": true, "iterations": 400, "updateInterval": 50}}}};
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
  // A fitted view leaves this share of the frame for the graph (the rest is margin for labels).
  const FIT_MARGIN = 0.92;
  // A network on a narrow screen may draw its people this much closer together, at most, to show names.
  const LEAST_SPREAD = 0.5;
  const DIMMED_NODE = 0.2;
  const DIMMED_EDGE = 0.12;
  // On a large network, a filter's introductions are drawn as edges when there are at most this many.
  const DRAWN_EDGES = 4000;

  const reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
  const animation = reducedMotion ? false : { duration: 400, easingFunction: "easeInOutQuad" };
  // What graph.js shares; `index` (network-index.js) only on the network page, where part views need it.
  const { registry, idle, element, index: parts } = window.introchain.shared;

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
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

  // A list of names as the build writes one: "A", "A and B", "A, B and C".
  function joinNames(names) {
    return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  }

  // A story's or person's graph sends each tooltip and the details panel as fields, not text
  // (generator/graph.py, `tooltip_text=False`): write them here, as plain strings, the same
  // text the build writes for the network (its `connection_text`). The network's data has
  // its tooltips and details already.
  function describe(data) {
    if (data.details) return;
    const names = new Map(data.nodes.map((node) => [node.id, node.label]));
    const nameOf = (id) => names.get(id) ?? id;
    const edges = new Map(data.edges.map((edge) => [edge.id, edge]));
    data.details = {};
    for (const node of data.nodes) {
      const kind = node.kind.charAt(0).toUpperCase() + node.kind.slice(1) + (node.place ? ` · ${node.place}` : "");
      node.title ??= [node.label, kind, `In ${node.stories} stor${node.stories === 1 ? "y" : "ies"}`].join("\n");
      data.details[node.id] = { name: node.label, kind: node.kind, location: node.place ?? "", url: `${data.people_url}${node.id}/` };
    }
    for (const edge of data.edges) {
      if (edge.title !== undefined) continue;
      if (edge.of !== undefined) {
        const pair = edges.get(edge.of);
        edge.title = `${nameOf(edge.from)} brought ${joinNames([nameOf(pair.from), nameOf(pair.to)])} together (${edge.bridge})`;
        continue;
      }
      const lines = [joinNames([nameOf(edge.from), nameOf(edge.to)])];
      if (edge.via) lines.push(`Met through ${joinNames(edge.via.map(nameOf))} (${edge.bridge})`);
      if (edge.channels) lines.push(`Channels: ${edge.channels.join(", ")}`);
      if (edge.when) lines.push(`When: ${edge.when}`);
      lines.push(`Deepest stage: ${edge.stage}`, `Met in person: ${edge.met ? "yes" : "not yet"}`);
      if (edge.summary) lines.push(edge.summary);
      edge.title = lines.join("\n");
    }
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

  // A graph's vis-network options: its own (the network), or a copy of its preset's.
  function graphOptions(data) {
    return data.options ?? structuredClone(PRESETS[data.preset] ?? PRESETS.chain);
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
      // A whole network drawn at once (not on demand) may draw its people closer on a narrow screen.
      this.tightens = !data.chain && !index && !this.lod && container.clientWidth < NARROW_PX;
      this.take(data);
      this.nodes = new vis.DataSet(data.nodes);
      this.edges = new vis.DataSet(data.edges);
    }

    // Keep `data` as what is drawn: its colours, who is next to whom, its labels.
    take(data) {
      describe(data);
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
      const options = browserOptions(graphOptions(this.data));
      this.network = new vis.Network(this.container, {}, options);
      this.moving = Boolean(options.physics?.enabled);
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
          if (!this.tighten()) this.fitAll();
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
      if (this.stacked && this.network.getScale() * FIT_MARGIN < readable && height < tallest) {
        const wanted = Math.ceil((height * readable) / (this.network.getScale() * FIT_MARGIN)) + 8;
        this.container.style.height = `${Math.min(tallest, wanted)}px`;
        this.network.setSize("100%", `${Math.min(tallest, wanted)}px`);
        this.network.fit({ animation: false });
      }
      const position = this.network.getViewPosition();
      this.network.moveTo({ position, scale: this.network.getScale() * FIT_MARGIN, animation: false });
    }

    // A network too wide for a narrow screen to show its names at a readable size once fitted:
    // its people drawn closer together across (labels keep their size) and its frame made taller,
    // up to most of the screen, then the view fitted to it. Only when that makes names readable
    // (a network of many people would become a heap): false when left as it was.
    tighten() {
      if (!this.tightens) return false;
      const readable = (READABLE_PX + 1) / NODE_FONT_PX;
      this.network.fit({ animation: false });
      if (this.network.getScale() * FIT_MARGIN >= readable) return false;
      const scale = readable / FIT_MARGIN;
      const body = this.network.body;
      // Each person's position and how far their drawing (shape and label) reaches around it, as last drawn.
      const reach = body.nodeIndices.map((id) => {
        const { x, y, shape: { boundingBox: box } } = body.nodes[id];
        return { id, x, y, left: x - box.left, right: box.right - x, top: y - box.top, bottom: box.bottom - y };
      });
      const across = ["x", "left", "right"];
      const down = ["y", "top", "bottom"];
      // Where the drawing begins and ends along an axis, with positions `spread` times as far apart.
      const extent = (spread, [at, before, after]) => {
        let [low, high] = [Infinity, -Infinity];
        for (const one of reach) {
          low = Math.min(low, one[at] * spread - one[before]);
          high = Math.max(high, one[at] * spread + one[after]);
        }
        return { low, high, size: high - low };
      };
      // The widest spread (1 at most) at which the drawing fits `room` along an axis, or null.
      const fitting = (axis, room) => {
        if (extent(1, axis).size <= room) return 1;
        if (extent(LEAST_SPREAD, axis).size > room) return null;
        let [low, high] = [LEAST_SPREAD, 1];
        for (let step = 0; step < 16; step += 1) {
          const middle = (low + high) / 2;
          if (extent(middle, axis).size <= room) low = middle;
          else high = middle;
        }
        return low;
      };
      const tallest = Math.round(window.innerHeight * 0.85);
      const height = Math.min(tallest, Math.max(this.container.clientHeight, Math.ceil(extent(1, down).size * scale)));
      const spreads = [fitting(across, this.container.clientWidth / scale), fitting(down, height / scale)];
      if (spreads.includes(null)) return false;
      const [sideways, upright] = spreads;
      this.container.style.height = `${height}px`;
      this.network.setSize("100%", `${height}px`);
      this.nodes.update(reach.map(({ id, x, y }) => ({ id, x: Math.round(x * sideways), y: Math.round(y * upright) })));
      const [wide, tall] = [extent(sideways, across), extent(upright, down)];
      this.network.moveTo({
        position: { x: (wide.low + wide.high) / 2, y: (tall.low + tall.high) / 2 },
        scale: Math.min(this.container.clientWidth / wide.size, height / tall.size) * FIT_MARGIN,
        animation: false,
      });
      return true;
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
        this.showPart(parts.neighbourhoodLinks(this.index, nodeId), { around: nodeId });
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
      return this.index ? parts.linkEdgeId(number) : this.data.edges[number].id;
    }

    // A part view: draw these links of the index (and the people they join, or those of `people`),
    // laid out `around` a person, along a `row` of people (a path), or along a spiral.
    showPart(links, { around = null, row = null, people = links } = {}) {
      const data = parts.partData(this.index, links, { around, row, people });
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

    // Who the Focus on control names: a list's value, or a name typed or picked (the network's index tells whose).
    chosen() {
      if (this.select.tagName !== "INPUT") return this.select.value;
      return parts.personCalled(this.block.getAttribute("data-graph"), this.select.value);
    }

    choose(nodeId) {
      if (this.select.tagName !== "INPUT") this.select.value = nodeId;
      else this.select.value = nodeId ? parts.nameOf(this.block.getAttribute("data-graph"), nodeId) : "";
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

  window.introchain.shared.draw = { setup };
})();
