// introchain graphs, the network page: its list of names, the Focus on control and the
// Open button of a network drawn on demand, the path finder and the filters. They answer from
// the network's index (network-index.js), on the whole network whatever is drawn, and then show
// the answer in the drawn graph; a large network is not drawn whole for them, only the part asked for.
(() => {
  "use strict";

  // A network of at most this many people lists them all under the name fields; a larger one
  // suggests the names that match what is typed, this many at a time (a list of tens of
  // thousands is no help to a reader and costs seconds to build on a phone).
  const LISTED_PEOPLE = 1000;
  const SUGGESTED_PEOPLE = 50;

  const shared = window.introchain.shared;
  const { registry, element, ensure, withDrawing, nextTask, index: networkIndex } = shared;
  const { indexes, graphIndex, findPath, personCalled, partData } = networkIndex;

  // Draw part of a large network from its index (once), and call back with its API.
  const parts = {};
  function ensurePart(block, callback) {
    const id = block.getAttribute("data-graph");
    if (registry[id]) {
      callback(registry[id]);
      return;
    }
    if (!parts[id]) {
      parts[id] = graphIndex(block).then((index) => new Promise((resolve) => withDrawing(resolve)).then(async () => {
        if (!registry[id]) await shared.draw.setup(block, partData(index, [], {}), index);
      })).finally(() => { delete parts[id]; });
    }
    parts[id].then(() => registry[id] && callback(registry[id]), console.error);
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
  // of them in a small network, filled when a field that uses the list is first focused (at once
  // if one is focused already), not while the page loads; in a large one, the names that match
  // what is being typed in any field that uses the list.
  function offerPeople(id, index) {
    const labels = index.people.map(([, label]) => label);
    const fill = (list, names) => {
      const options = document.createDocumentFragment();
      for (const name of names) options.append(new Option(name));
      list.replaceChildren(options);
    };
    for (const list of document.querySelectorAll(`datalist[data-graph-people="${CSS.escape(id)}"]`)) {
      const fields = Array.from(document.querySelectorAll(`input[list="${CSS.escape(list.id)}"]`));
      if (labels.length <= LISTED_PEOPLE) {
        const fillOnce = () => {
          fields.forEach((field) => field.removeEventListener("focus", fillOnce));
          fill(list, labels);
        };
        if (fields.includes(document.activeElement)) fillOnce();
        else fields.forEach((field) => field.addEventListener("focus", fillOnce));
        continue;
      }
      let folded = null; // made on the first keystroke, not while the page loads
      list.setAttribute("data-suggest", "");
      const suggest = (field) => {
        folded ??= labels.map((label) => label.toLocaleLowerCase());
        fill(list, suggestedNames(labels, folded, field.value));
      };
      for (const field of fields) field.addEventListener("input", () => suggest(field));
      // A reader who typed while the index was on its way is answered now.
      if (fields.includes(document.activeElement) && document.activeElement.value.trim()) suggest(document.activeElement);
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

  // The filters' choices (the tags, the channels used and the years of the index), then the filters enabled.
  function openFilters(form, index) {
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
    const controls = form.querySelector("[data-filter-controls]");
    if (controls) controls.disabled = false;
  }

  // The filters (enabled by openFilters once the index is here): picked from the index at once
  // (what they match is said in words), then shown in the drawn graph, which they open.
  function setupFilters(form) {
    const id = form.getAttribute("data-graph-filters");
    const block = document.querySelector(`[data-graph="${CSS.escape(id)}"]`);
    const result = form.querySelector("[data-filter-result]");
    if (!block?.hasAttribute("data-graph-index")) return;
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
      ensurePart(block, (graph) => graph.focus(personCalled(block.getAttribute("data-graph"), select.value)));
    });
  }

  // Start-up work in short tasks, so that none keeps a phone busy for long: the controls'
  // listeners, then (in a task of its own) the network's index, which the page preloads; once it
  // has arrived, the names, then each form of filters, each in a task of its own.
  async function start() {
    document.querySelectorAll("[data-graph][data-graph-on-demand]").forEach(onDemand);
    document.querySelectorAll("[data-path-finder]").forEach(setupPathFinder);
    document.querySelectorAll("[data-graph-filters]").forEach(setupFilters);
    await nextTask();
    for (const block of document.querySelectorAll("[data-graph][data-graph-index]")) {
      const id = block.getAttribute("data-graph");
      const filters = Array.from(document.querySelectorAll(`[data-graph-filters="${CSS.escape(id)}"]`));
      graphIndex(block).then(async (index) => {
        await nextTask();
        offerPeople(id, index);
        for (const form of filters) {
          await nextTask();
          openFilters(form, index);
        }
      }, (error) => {
        for (const form of filters) {
          form.querySelector("[data-filter-result]").textContent = "The filters could not load the network's index.";
        }
        console.error(error);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
