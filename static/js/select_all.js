// A "select all" checkbox: <input type="checkbox" data-select-all="NAME"> ticks every
// checkbox named NAME in the page.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) { return; }
  document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
