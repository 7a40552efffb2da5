// The selection bar of a list (templates/_bulk_bar.html): "select all on this page" ticks or clears
// every row's box in the same form, and follows the rows when they are ticked one by one.
document.querySelectorAll("[data-bulk-page]").forEach(function (toggle) {
  var form = toggle.form;
  if (!form) { return; }
  var rows = function () { return form.querySelectorAll("input[type=checkbox][name=pk]"); };
  toggle.addEventListener("change", function () {
    rows().forEach(function (box) { box.checked = toggle.checked; });
  });
  form.addEventListener("change", function (event) {
    if (event.target.name !== "pk") { return; }
    var boxes = Array.prototype.slice.call(rows());
    toggle.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  });
});
