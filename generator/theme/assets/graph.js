// introchain graphs, the part every graph page loads: it finds the [data-graph] blocks and draws
// each with the vendored vis-network and graph-draw.js, loaded only when a graph is needed.
//
// A graph's data comes from a <script type="application/json"> block written at build time, or,
// for a block with data-graph-src (the network page), from a file of its own fetched once. A
// node or edge that plays a part carries it as `role` ("author", "subject", "bridge").
//
// vis-network (about 470 KB) and the drawing code are fetched when a graph comes within a screen
// of the viewport, and run, drawing the graph, once a third of the graph is on screen or a reader
// uses its controls: a reader who never scrolls to a graph never pays for them, and the page
// stays responsive while they load. The network page adds network-index.js (its index, the path
// finder's search, part views) and network.js (its names, path finder and filters).
//
// Public API (for readers' scripts and tests): window.introchain.graphs[id] =
// { network, nodes, edges, details, focus(nodeId), reset(), path(fromId, toId), filter(links),
// showPath({nodes, edges}), edgeAt(linkNumber), part } once graph `id` is drawn;
// window.introchain.ready(id, callback) draws it now if need be and calls back with that object.
// window.introchain.shared is how the scripts of a page reach each other, not an API.
(() => {
  "use strict";

  // The share of a graph that must be on screen for it to be drawn.
  const VISIBLE = 0.35;
  // The longest a step of drawing waits for the main thread to be idle.
  const IDLE_WAIT_MS = 300;

  const script = document.currentScript;
  // A script beside this one. A copy of an older base.html names only the library, not the rest.
  const beside = (name) => (script ? new URL(name, script.src).href : null);
  // What drawing needs, in this order: the library, then graph-draw.js (which uses it).
  const drawingSources = [script?.getAttribute("data-vis"), script?.getAttribute("data-draw") ?? beside("graph-draw.js")]
    .filter(Boolean);
  const registry = {};
  const shared = { registry, idle, nextTask, element, ensure, withDrawing };
  window.introchain = { graphs: registry, ready, shared };

  // --- small helpers -------------------------------------------------------------------------

  // A promise that resolves in a task of its own once the main thread is idle (or after IDLE_WAIT_MS).
  function idle() {
    return new Promise((resolve) => {
      if (window.requestIdleCallback) requestIdleCallback(() => resolve(), { timeout: IDLE_WAIT_MS });
      else setTimeout(resolve, 0);
    });
  }

  // A promise that resolves in a later task, so that the page can be painted and answer the
  // reader between two steps of work (on a phone each step must stay well under 50 ms):
  // scheduler.yield() where there is one (its continuation runs before other queued tasks),
  // else a message to the page itself (unlike a nested setTimeout, never clamped to 4 ms).
  function nextTask() {
    if (window.scheduler?.yield) return window.scheduler.yield();
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
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

  // --- loading the drawing code on demand ----------------------------------------------------

  let waiting = [];
  let loading = false;

  // Script elements for `sources`, to run in the order given once added.
  function scriptTags(sources) {
    return sources.map((source) => {
      const tag = document.createElement("script");
      tag.src = source;
      tag.async = false;
      return tag;
    });
  }

  // Load vis-network and graph-draw.js once, then run every callback that waited for them.
  function withDrawing(callback) {
    if (shared.draw) {
      callback();
      return;
    }
    waiting.push(callback);
    if (waiting.length > 1 || drawingSources.length < 2) return;
    loading = true;
    const tags = scriptTags(drawingSources);
    tags.at(-1).addEventListener("load", () => {
      // Draw in a task of its own rather than in the one that ran the code.
      idle().then(() => {
        const queue = waiting;
        waiting = [];
        for (const run of queue) run();
      });
    });
    document.head.append(...tags);
  }

  // Download the drawing code ahead of need, at low priority, once the page has loaded and has
  // been painted, without running it; not when it is being loaded to draw a graph already.
  function prefetch() {
    if (document.readyState !== "complete") {
      window.addEventListener("load", prefetch, { once: true });
      return;
    }
    afterFirstPaint(async () => {
      // One file a task: starting a download takes the main thread a few milliseconds.
      for (const source of drawingSources) {
        // After the other observer has had its say: is the graph being drawn already?
        if (loading || shared.draw) return;
        const link = document.createElement("link");
        link.rel = "prefetch";
        link.as = "script";
        link.href = source;
        document.head.append(link);
        await nextTask();
      }
    });
  }

  // Call back, in a task of its own, once the page has had its first contentful paint: a page can
  // finish loading before it is first painted, and a download started then competes with that
  // paint. Where paints are not reported, call back in the next task.
  function afterFirstPaint(callback) {
    const later = () => setTimeout(callback, 0);
    const painted = (entries) => entries.some((entry) => entry.name === "first-contentful-paint");
    if (!window.PerformanceObserver || !PerformanceObserver.supportedEntryTypes?.includes("paint")
        || painted(performance.getEntriesByType("paint"))) {
      later();
      return;
    }
    const observer = new PerformanceObserver((list) => {
      if (!painted(list.getEntries())) return;
      observer.disconnect();
      later();
    });
    observer.observe({ type: "paint" });
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
    withDrawing(() => data.then(async (loaded) => {
      await shared.draw.setup(block, loaded);
      callbacks[id] = [];
      for (const run of queue) if (run && registry[id]) run(registry[id]);
    }, () => { callbacks[id] = []; }));
  }

  function ready(id, callback) {
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    if (block) ensure(block, callback);
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

  // The network page's scripts, when a copy of an older base.html does not name them.
  function addNetworkScripts() {
    if (!script || !document.querySelector("[data-graph-index]")) return;
    if (document.querySelector('script[src*="network-index.js"]')) return;
    document.head.append(...scriptTags(["network-index.js", "network.js"].map(beside)));
  }

  function start() {
    addNetworkScripts();
    const blocks = Array.from(document.querySelectorAll("[data-graph]"));
    const drawn = blocks.filter((block) => !block.hasAttribute("data-graph-on-demand"));
    for (const block of drawn) {
      const fallback = block.querySelector(".graph-fallback");
      if (fallback) fallback.textContent = "Drawing the graph…"; // with JavaScript, it will be
      block.addEventListener("focusin", () => ensure(block)); // keyboard readers at the controls
    }
    if (window.IntersectionObserver) observe(drawn);
    else drawn.forEach((block) => ensure(block));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
