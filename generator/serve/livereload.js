// introchain live reload: added by `introchain serve` to every HTML page it serves, never
// written by `introchain build`. It listens to the server's build events and
//  - reloads the page after a good build that changed more than stylesheets (or, after a
//    build that changed only some pages, when this page is one of them),
//  - swaps the stylesheets in place (no reload) when only stylesheets changed,
//  - shows an overlay with the error while the build is failing, and reloads once it is fixed.
// The overlay is made with DOM calls and textContent only (never innerHTML): the error text
// quotes the author's files and must never be parsed as markup.
(() => {
  "use strict";

  const EVENTS_URL = "/__introchain__/events";
  const OVERLAY_TAG = "introchain-overlay";
  const script = document.currentScript;
  const instance = script ? script.dataset.instance : "";
  // The build this page was served from; stylesheet swaps move it forward.
  let build = script ? Number(script.dataset.build || "0") : 0;
  let source = null;
  let overlay = null;

  function connect() {
    if (source !== null) return;
    source = new EventSource(EVENTS_URL);
    source.addEventListener("status", (event) => apply(JSON.parse(event.data)));
  }

  function disconnect() {
    if (source === null) return;
    source.close();
    source = null;
  }

  function apply(status) {
    if (status.instance !== instance) {
      // A new server run: its builds are numbered afresh, so ours cannot be compared.
      location.reload();
      return;
    }
    if (status.error !== null) {
      showOverlay(status.error);
      return;
    }
    if (overlay !== null || build < status.reload_build || build < pageBuild(status.page_builds)) {
      location.reload();
      return;
    }
    if (build < status.stylesheet_build && !swapStylesheets(status.stylesheets)) {
      location.reload();
      return;
    }
    build = Math.max(build, status.site_build);
  }

  // The last build that changed only some pages, this one among them (0: none did).
  function pageBuild(pageBuilds) {
    const here = location.pathname.replace(/index\.html$/, "");
    const entry = pageBuilds.find(([path]) => path === here);
    return entry ? entry[1] : 0;
  }

  function fileName(url) {
    const path = new URL(url, location.href).pathname;
    return path.slice(path.lastIndexOf("/") + 1);
  }

  // Re-fetch the changed stylesheets (all of them when none matches by name) with a cache-busting
  // query; the old <link> goes once the new one has loaded, so the page never flashes unstyled.
  // Returns false when a swap cannot work and the page must reload instead.
  function swapStylesheets(names) {
    const links = Array.from(document.querySelectorAll('link[rel~="stylesheet"][href]')).filter(
      (link) => new URL(link.href, location.href).origin === location.origin,
    );
    let chosen = links.filter((link) => names.includes(fileName(link.href)));
    if (chosen.length === 0) chosen = links;
    // Subresource integrity would reject the new bytes: only a reload brings the new hash.
    if (chosen.some((link) => link.hasAttribute("integrity"))) return false;
    const stamp = String(Date.now());
    for (const link of chosen) {
      const url = new URL(link.href, location.href);
      url.searchParams.set("introchain", stamp);
      const fresh = link.cloneNode(false);
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      // The old URL is gone (e.g. a name with a content hash): only a reload finds the new one.
      fresh.addEventListener("error", () => location.reload(), { once: true });
      link.after(fresh);
    }
    return true;
  }

  function styled(tag, style, text) {
    const element = document.createElement(tag);
    Object.assign(element.style, style);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function showOverlay(text) {
    removeOverlay();
    // A shadow root keeps the site's own CSS from restyling the overlay, and ours from leaking.
    const host = document.createElement(OVERLAY_TAG);
    host.setAttribute("role", "alert");
    const root = host.attachShadow({ mode: "open" });
    // A dimmed backdrop over the last good page, and a solid card with the error.
    const backdrop = styled("div", {
      position: "fixed",
      inset: "0",
      zIndex: "2147483647",
      overflow: "auto",
      padding: "2rem 1rem",
      background: "rgba(0, 0, 0, 0.6)",
    });
    const panel = styled("div", {
      position: "relative",
      maxWidth: "60rem",
      margin: "0 auto",
      padding: "1.25rem 1.5rem",
      borderLeft: "6px solid #f87171",
      borderRadius: "8px",
      background: "#18181b",
      color: "#fafafa",
      boxShadow: "0 10px 40px rgba(0, 0, 0, 0.5)",
      font: "15px/1.5 system-ui, sans-serif",
    });
    const title = styled("h2", { margin: "0 0 1rem", color: "#fca5a5", fontSize: "1.25rem" }, "Build failed");
    const details = styled(
      "pre",
      { whiteSpace: "pre-wrap", font: "14px/1.5 ui-monospace, monospace", margin: "0 0 1rem" },
      text,
    );
    details.className = "error";
    const note = styled(
      "p",
      { margin: "0", color: "#a1a1aa" },
      "Still showing the last good build. Fix the file and save: this page reloads by itself.",
    );
    const close = styled(
      "button",
      { position: "absolute", top: "1rem", right: "1rem", font: "inherit", cursor: "pointer" },
      "Hide",
    );
    close.type = "button";
    close.addEventListener("click", removeOverlay);
    panel.append(close, title, details, note);
    backdrop.append(panel);
    root.append(backdrop);
    (document.body || document.documentElement).append(host);
    overlay = host;
  }

  function removeOverlay() {
    if (overlay === null) return;
    overlay.remove();
    overlay = null;
  }

  // A hidden tab holds no connection (browsers allow only a few per server); when it shows
  // again it reconnects, and the first status it gets tells it whether to reload.
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  if (!document.hidden) connect();
})();
