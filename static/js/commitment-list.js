// The commitment list's filters. Without JavaScript the page works the same: the server
// redirects a query with empty fields to the clean one, and the filters stay unfolded.
(function () {
  "use strict";

  // A shareable link holds only the filter: the GET form would also send every empty field
  // and the default sort and page size. Building the query here saves the redirect.
  var form = document.querySelector("form[data-clean-query]");
  if (form && window.FormData && window.URLSearchParams) {
    form.addEventListener("submit", function (event) {
      var defaults = {};
      form.querySelectorAll("[data-default]").forEach(function (field) {
        defaults[field.name] = field.getAttribute("data-default");
      });
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && value.trim() !== "" && defaults[name] !== value) {
          query.append(name, value);
        }
      });
      event.preventDefault();
      var search = query.toString();
      window.location.assign(form.action + (search ? "?" + search : ""));
    });
  }

  // On a narrow screen the filters fold behind their summary, below the result count, so the
  // cards come first; a filter that could not be read keeps them open to show the error.
  var panel = document.querySelector("details[data-fold-below]");
  if (panel && window.matchMedia && !panel.querySelector(".form-errors")) {
    var narrow = window.matchMedia("(max-width: " + panel.getAttribute("data-fold-below") + ")");
    if (narrow.matches) {
      panel.open = false;
    }
  }
})();
