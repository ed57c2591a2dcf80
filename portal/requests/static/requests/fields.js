// The request form editor: fields reorder by drag and drop, or by their up and down buttons (keyboard users);
// either way each row's Position input is renumbered, which is what the server reads. Without JavaScript the
// Position inputs are typed in by hand.
(function () {
  "use strict";
  var editor = document.querySelector("[data-field-editor]");
  if (!editor) return;
  var dragged = null;

  function rows() {
    return Array.prototype.slice.call(editor.querySelectorAll("[data-field-row]"));
  }

  function renumber() {
    rows().forEach(function (row, index) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = String(index + 1);
    });
  }

  rows().forEach(function (row) {
    row.setAttribute("draggable", "true");
    var buttons = row.querySelector("[data-move-buttons]");
    if (buttons) buttons.hidden = false;
    var order = row.querySelector(".field-order");
    if (order) order.classList.add("visually-hidden");
    row.addEventListener("dragstart", function (event) {
      if (event.target !== row) return;
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      dragged = null;
      renumber();
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      editor.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      renumber();
    });
  });

  editor.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) return;
    var row = button.closest("[data-field-row]");
    if (button.dataset.move === "up" && row.previousElementSibling) {
      editor.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      editor.insertBefore(row.nextElementSibling, row);
    }
    renumber();
    button.focus();
  });

  renumber();
})();
