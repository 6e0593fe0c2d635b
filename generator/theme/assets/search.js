// The search page: queries the site's own Pagefind index (pagefind/) in the browser and
// lists the stories found, with their people and the matching excerpt. The filters (person,
// channel, tag, year) come from search/stories.json and are applied to Pagefind's results;
// with no word typed they list the stories they select. Nothing comes from another host.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var engine = null;  // Pagefind, once a search needs it
  var stories = null;
  var latest = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind marks matches with <mark>; everything else in an excerpt is shown as text.
  function excerpt(html) {
    var paragraph = element("p", "search-excerpt");
    var parts = String(html).split(/<mark>|<\/mark>/);
    parts.forEach(function (part, index) {
      var holder = document.createElement("textarea");
      holder.innerHTML = part;  // decodes entities only: a textarea's content is never markup
      var text = document.createTextNode(holder.value);
      if (index % 2 === 1) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(text);
      }
    });
    return paragraph;
  }

  // Pagefind (its script, WebAssembly and index entry) loads when a word is first searched
  // for, or the box is focused: a visit that only browses the filters never downloads it.
  function pagefind() {
    if (!engine) {
      engine = import(form.dataset.pagefind).then(function (module) {
        return module.options({ excerptLength: 24 }).then(function () { return module; });
      });
    }
    return engine;
  }

  function filters() {
    var chosen = {};
    selects.forEach(function (select) { if (select.value) chosen[select.dataset.filter] = select.value; });
    return chosen;
  }

  function syncAddress() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    selects.forEach(function (select) { if (select.value) params.set(select.name, select.value); });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  async function run() {
    var ticket = ++latest;
    var term = input.value.trim();
    var chosen = filters();
    syncAddress();
    if (!term && !Object.keys(chosen).length) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    if (!stories.stories.length) {
      list.replaceChildren();
      status.textContent = "There are no stories to search yet.";
      return;
    }
    var allowed = {};
    stories.stories.forEach(function (story) {
      var keep = Object.keys(chosen).every(function (key) { return story[key].indexOf(chosen[key]) !== -1; });
      if (keep) allowed[story.url] = story;
    });
    var found = [];
    var count = 0;
    var more = false;  // more matches than are shown
    if (term) {
      var matches = (await (await pagefind()).search(term)).results;
      // Results come best first; load them a few at a time until a page of them passes the filters.
      var start = 0;
      for (; start < matches.length && found.length < 20; start += 10) {
        var batch = await Promise.all(matches.slice(start, start + 10).map(function (result) { return result.data(); }));
        batch.forEach(function (data) {
          if (allowed[data.url]) found.push({ url: data.url, title: data.meta.title, people: data.meta.people, excerpt: data.excerpt });
        });
      }
      count = found.length;
      more = start < matches.length;
    } else {
      Object.keys(allowed).forEach(function (url) {
        var story = allowed[url];
        found.push({ url: url, title: story.title, people: story.people, summary: story.summary });
      });
      count = found.length;
      found = found.slice(0, 50);
      more = count > found.length;
    }
    if (ticket !== latest) return;  // a newer search has started
    list.replaceChildren.apply(list, found.map(function (data) {
      var item = element("li", "search-result");
      var heading = element("h2", "search-title");
      var link = element("a", "", data.title || data.url);
      link.href = data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      if (data.people) item.appendChild(element("p", "search-people", "People: " + data.people));
      item.appendChild(data.excerpt !== undefined ? excerpt(data.excerpt) : element("p", "search-excerpt", data.summary));
      return item;
    }));
    status.textContent = count === 0 ? "No story matches." : count === 1 ? "1 story found." :
      more ? "The first " + found.length + " of " + (term ? "the stories found" : count + " stories") + "; add a word or a filter to narrow them." :
      count + " stories found.";
  }

  async function start() {
    var response = await fetch(form.dataset.stories);
    if (!response.ok) throw new Error("search/stories.json: " + response.status);
    stories = await response.json();
    var available = stories.filters;
    var params = new URLSearchParams(location.search);
    selects.forEach(function (select) {
      (available[select.dataset.filter] || []).forEach(function (value) {
        var option = element("option", "", value);
        option.value = value;
        select.appendChild(option);
      });
      if (params.get(select.name)) select.value = params.get(select.name);
    });
    input.value = params.get("q") || "";
    var timer = null;
    input.addEventListener("focus", function () { pagefind().catch(failed); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
    selects.forEach(function (select) { select.addEventListener("change", search); });
    form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
    form.classList.add("search-ready");
    await run();
  }

  function search() {
    run().catch(failed);
  }

  function failed() {
    status.textContent = "Search could not start. The archive lists every story.";
  }

  start().catch(failed);
})();
