// Live preview of a rule's sentence: the server writes it (the same words the rule page
// shows); this only asks for it again whenever a field of the rule form changes.
(function () {
  "use strict";
  var form = document.querySelector("form.rule-form");
  if (!form) return;
  var pending = null;
  function refresh() {
    var data = new FormData(form);
    data.set("preview", "1");
    // form.action would be the rule's own "action" field: read the attribute.
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("rule-sentence");
        var current = document.getElementById("rule-sentence");
        if (fresh && current) current.textContent = fresh.textContent;
      })
      .catch(function () { /* the Preview button still works */ });
  }
  form.addEventListener("change", function () {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  });
})();
