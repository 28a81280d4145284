// Lookup boxes (tracker/widgets.py LookupInput): suggest records while the person types.
// Without this script the box still works: the server takes typed text that fits one record
// and offers the records to pick from when it fits several.
(function () {
  "use strict";
  var WAIT_MS = 200;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.lookup;
    if (!list || !url) return;
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      window.clearTimeout(timer);
      // A picked suggestion ends in its id: nothing more to look up.
      if (text.length < 2 || /\[id \d+\]$/.test(text) || text === asked) return;
      timer = window.setTimeout(function () {
        asked = text;
        fetch(url + "?q=" + encodeURIComponent(text), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            if (input.value.trim() !== text) return;
            list.replaceChildren.apply(
              list,
              data.results.map(function (label) {
                var option = document.createElement("option");
                option.value = label;
                return option;
              })
            );
          })
          .catch(function () {});
      }, WAIT_MS);
    });
  }

  document.querySelectorAll("input.lookup[data-lookup]").forEach(attach);
})();
