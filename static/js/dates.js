// Every <time datetime> on the page in the reader's own date format (core/templatetags/dates.py).
(function () {
  "use strict";
  var dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  var dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  function format(root) {
    (root || document).querySelectorAll("time[datetime][data-format]").forEach(function (el) {
      var iso = el.getAttribute("datetime");
      var isDate = el.dataset.format === "date";
      // A plain date is a calendar day: read it at local midnight, never shifted by UTC.
      var moment = isDate ? new Date(iso + "T00:00:00") : new Date(iso);
      if (isNaN(moment)) return;
      el.textContent = (isDate ? dateOnly : dateTime).format(moment);
      el.title = iso;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { format(); });
  } else {
    format();
  }
  // Parts of the page swapped in later (htmx) are formatted too.
  document.addEventListener("htmx:afterSwap", function (event) { format(event.target); });
})();
