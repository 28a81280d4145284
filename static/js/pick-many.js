// Pick-many boxes (tracker/widgets.py FilterableCheckboxes): a filter field over the
// checkboxes. Without this script they are a plain scrolling list of checkboxes.
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function attach(box) {
    var filter = box.querySelector(".pick-many__filter");
    var items = Array.prototype.slice.call(box.querySelectorAll(".pick-many__options li"));
    if (!filter) return;
    filter.hidden = false;
    var texts = items.map(function (item) {
      return normalise(item.textContent);
    });
    filter.addEventListener("input", function () {
      var wanted = normalise(filter.value.trim());
      items.forEach(function (item, index) {
        var checked = item.querySelector("input").checked;
        // What is chosen stays in sight, so a filter never hides a choice already made.
        item.hidden = wanted !== "" && !checked && texts[index].indexOf(wanted) === -1;
      });
    });
    filter.addEventListener("keydown", function (event) {
      // Enter in the filter must not submit the whole form.
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.querySelectorAll("[data-pick-many]").forEach(attach);
})();
