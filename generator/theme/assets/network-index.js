// introchain graphs, the network's index: who is linked to whom in the whole network (fetched
// once from the file the graph block names in data-graph-index), the shortest chain of
// introductions between two people, and the data of a "part view" (a person's neighbourhood, a
// path or a filter's introductions, drawn from the index alone, so a reader who never opens a
// large network never fetches the whole of it). Loaded on the network page only; network.js
// and graph-draw.js use what it shares.
(() => {
  "use strict";

  // How part of a network is laid out in the browser: a person's neighbours on a ring around them
  // (this much room each along it), a filter's people along a sunflower spiral (network.py's
  // spread_layout), a path in a row of columns (graph.py's story chain).
  const RING_ROOM = 120;
  const RING_LEAST = 220;
  const SPIRAL_SPACING = 60;
  const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
  const CHAIN_COLUMN = 230;
  const CHAIN_ROW = 90;

  const indexRequests = {};
  const indexes = {}; // the indexes that have arrived, by graph id

  // The index of graph `id` (a promise, made once), with its links as compact adjacency arrays.
  function graphIndex(block) {
    const id = block.getAttribute("data-graph");
    const source = block.getAttribute("data-graph-index");
    indexRequests[id] ??= fetch(source).then((response) => {
      if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
      return response.json();
    }).then(async (index) => {
      await window.introchain.shared.nextTask(); // not in the task that parsed it
      return (indexes[id] = prepareIndex(index));
    });
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

  // The id of the person called `name` in graph `id`'s index ("" when none is, or the index has not arrived).
  function personCalled(id, name) {
    return indexes[id]?.byLabel.get(name.trim()) ?? "";
  }

  // The name of person `personId` in graph `id`'s index ("" when unknown).
  function nameOf(id, personId) {
    const index = indexes[id];
    return index ? index.people[index.place.get(personId)]?.[1] ?? "" : "";
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

  window.introchain.shared.index = {
    indexes, graphIndex, findPath, personCalled, nameOf, neighbourhoodLinks, linkEdgeId, partData,
  };
})();
