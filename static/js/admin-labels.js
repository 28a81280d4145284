// The admin's autocomplete fields (select2) draw a box of their own beside the hidden <select>
// and give it no accessible name: name it after the field's label, also for boxes that appear
// later (an inline row added, a multiple choice's search field redrawn).
(function () {
  "use strict";

  function nameOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var text = label ? label.textContent : select.name;
    return text.replace(/[:*\s]+$/, "").trim();
  }

  function nameBoxes(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      var name = nameOf(select);
      container
        .querySelectorAll(".select2-selection, .select2-selection__rendered, .select2-search__field")
        .forEach(function (element) {
          if (!element.getAttribute("aria-label")) element.setAttribute("aria-label", name);
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(function () {
      nameBoxes(document);
    }).observe(document.body, { childList: true, subtree: true });
    nameBoxes(document);
  });
})();
