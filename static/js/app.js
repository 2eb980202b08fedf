/* CoPsite behaviour on top of htmx and Bootstrap: announce in-place updates, suggest people in email inputs. */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var message = event.detail.elt && event.detail.elt.getAttribute("data-announce");
    var region = document.getElementById("live-region");
    if (message && region) {
      region.textContent = message;
    }
  });

  /* Inputs that take colleagues' addresses (list="people-suggestions") fetch suggestions as the person types.
     Without JavaScript they stay plain text fields. */
  function wirePeopleSuggestions(root) {
    var list = document.getElementById("people-suggestions");
    if (!list || !window.htmx) {
      return;
    }
    var url = list.getAttribute("data-suggest-url");
    root.querySelectorAll('input[list="people-suggestions"]:not([data-hx-get])').forEach(function (input) {
      input.setAttribute("data-hx-get", url);
      input.setAttribute("data-hx-trigger", "input changed delay:250ms");
      input.setAttribute("data-hx-target", "#people-suggestions");
      input.setAttribute("data-hx-swap", "innerHTML");
      window.htmx.process(input);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wirePeopleSuggestions(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    wirePeopleSuggestions(event.detail.elt || document);
  });
})();
