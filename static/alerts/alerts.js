// Alerts inbox: "select all" and a live count of the selected alerts. The page works
// without it (plain checkboxes and a form post).
document.addEventListener("DOMContentLoaded", () => {
  const boxes = () => [...document.querySelectorAll('input[name="ids"][form="alert-actions"]:not(:disabled)')];
  const count = document.querySelector("[data-selected-count]");
  const update = () => {
    if (count) count.textContent = `${boxes().filter((b) => b.checked).length} selected`;
  };
  const all = document.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("change", () => {
      boxes().forEach((b) => { b.checked = all.checked; });
      update();
    });
  }
  boxes().forEach((b) => b.addEventListener("change", update));
  update();
});
