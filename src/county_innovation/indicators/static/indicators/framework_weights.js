// The framework page's 「在指数中的权重」 column follows the relative weights as they are typed: a dimension's
// share is its weight over the sum of the dimensions' weights; an indicator's is its dimension's share times its
// weight over the sum of its siblings' weights (an indicator ticked 移出 counts as 0). Mirrors indicators/views.py.
(function () {
  "use strict";
  var table = document.querySelector("[data-weights-live]");
  if (!table) { return; }

  function weightOf(row) {
    var remove = row.querySelector("[data-remove]");
    if (remove && remove.checked) { return 0; }
    var field = row.querySelector("[data-weight]");
    var text = (field.value !== undefined ? field.value : field.textContent).trim().replace(/,/g, "");
    var value = Number(text);
    return text !== "" && isFinite(value) && value >= 0 ? value : NaN;
  }

  function show(cell, share) {
    // Four decimals without trailing zeros, like Django's floatformat:"-4".
    cell.textContent = isFinite(share) ? String(Number(share.toFixed(4))) : "—";
  }

  function update() {
    var dims = Array.prototype.slice.call(table.querySelectorAll("tr[data-dim]"));
    var dimTotal = dims.reduce(function (sum, row) { return sum + (weightOf(row) || 0); }, 0);
    dims.forEach(function (dimRow) {
      var code = dimRow.getAttribute("data-dim");
      var w = weightOf(dimRow);
      var share = dimTotal > 0 ? w / dimTotal : NaN;
      show(dimRow.querySelector("[data-share]"), share);
      var leaves = Array.prototype.slice.call(table.querySelectorAll('tr[data-leaf-of="' + code + '"]'));
      var leafTotal = leaves.reduce(function (sum, row) { return sum + (weightOf(row) || 0); }, 0);
      leaves.forEach(function (row) {
        var lw = weightOf(row);
        show(row.querySelector("[data-share]"), leafTotal > 0 ? share * lw / leafTotal : NaN);
      });
    });
  }

  table.addEventListener("input", update);
  table.addEventListener("change", update);
  update();
})();
