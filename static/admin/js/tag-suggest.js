// Suggest existing tags while an editor types the comma-separated tag list.
// The browser's own <datalist> shows the suggestions; each one is the text
// typed so far with its last term completed.
(function () {
  "use strict";
  function attach(input) {
    const list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    let pending = null;
    input.addEventListener("input", function () {
      const parts = input.value.split(/[,、，]/);
      const term = parts[parts.length - 1].trim();
      const head = parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean);
      if (!term) { list.replaceChildren(); return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(term), { signal: pending.signal, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.tags
            .filter(function (name) { return head.indexOf(name) === -1; })
            .map(function (name) {
              const option = document.createElement("option");
              option.value = head.concat([name]).join(", ");
              return option;
            }));
        })
        .catch(function () { /* aborted by a newer keystroke */ });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest-url]").forEach(attach);
  });
})();
