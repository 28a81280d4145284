// Shows how far an upload of debate reports has got. Without JavaScript the form posts as
// usual; with it, the same POST goes through XMLHttpRequest so its progress can be shown, and
// the page the server answers with replaces this one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var bar = document.getElementById(form.getAttribute("data-upload-progress"));
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.hidden = false;
        bar.max = progress.total;
        bar.value = progress.loaded;
      }
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      // The network failed: fall back to the ordinary post, which reports its own errors.
      form.submit();
    });
    request.send(new FormData(form));
  });
})();
