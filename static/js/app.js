/* CoPsite behaviour on top of htmx and Bootstrap: announce in-place updates to screen readers. */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var message = event.detail.elt && event.detail.elt.getAttribute("data-announce");
    var region = document.getElementById("live-region");
    if (message && region) {
      region.textContent = message;
    }
  });
})();
