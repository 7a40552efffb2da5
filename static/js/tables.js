// Long tables on phones: every cell is labelled with its column's header (data-label), so that below
// 576 px a row stacks into a block with each value under its label (static/css/app.css, "table-stack")
// instead of pushing the page sideways. The key column (its header marked .cell-key: the name, the
// address, what is needed) comes first. Without this script the table scrolls inside its own region.
document.querySelectorAll("table.table-stack").forEach(function (table) {
  var headRows = table.tHead ? table.tHead.rows : [];
  if (!headRows.length) return;
  var labels = [];
  var keys = [];
  Array.prototype.forEach.call(headRows[headRows.length - 1].cells, function (cell) {
    for (var i = 0; i < (cell.colSpan || 1); i++) {
      // The column's name only: a sortable header's "(sorted ascending)" and its arrow are left out.
      var name = cell.cloneNode(true);
      name.querySelectorAll(".visually-hidden, [aria-hidden='true']").forEach(function (extra) { extra.remove(); });
      labels.push(name.textContent.replace(/\s+/g, " ").trim());
      keys.push(cell.classList.contains("cell-key"));
    }
  });
  var bodies = Array.prototype.slice.call(table.tBodies);
  if (table.tFoot) bodies.push(table.tFoot);
  bodies.forEach(function (body) {
    Array.prototype.forEach.call(body.rows, function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if ((cell.colSpan || 1) === 1) {
          if (labels[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[column]);
          if (keys[column]) cell.classList.add("cell-key");
        }
        column += cell.colSpan || 1;
      });
    });
  });
  table.classList.add("is-labelled");
});
