/* The timetable of the agenda editor: drag an item to move it (to another day or room's column),
   drag its lower edge to change its length, in steps of one row (15 minutes). Positions come from
   the grid's data attributes (data-first, data-column, data-row, data-span); on release the new
   times are put in the item's own "Move" form and submitted (htmx swaps the editor; without htmx,
   a plain POST). The server decides: a refused move changes nothing and says why. Every move
   also has buttons that work from the keyboard and without this script. No inline script or
   style: positions during a drag are set through the CSS object model. */
(function () {
  "use strict";

  var drag = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function minutesOf(text) {
    var parts = text.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function wallClock(day, minutes) {
    // day: "YYYY-MM-DD" in the venue's zone; minutes from its midnight (may reach 24:00).
    var date = new Date(day + "T00:00:00Z");
    date.setUTCMinutes(minutes);
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      " " + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  function rowHeightOf(grid) {
    // A lane spans every row of the grid: its height over their number (an item's own box is
    // a little shorter than its rows, for its margins).
    var lane = grid.querySelector(".tt-lane");
    return lane.getBoundingClientRect().height / parseInt(grid.dataset.rows, 10);
  }

  function columnsOf(grid) {
    return Array.prototype.map.call(grid.querySelectorAll(".tt-head[data-column]"), function (head) {
      var box = head.getBoundingClientRect();
      return { number: parseInt(head.dataset.column, 10), left: box.left, right: box.right,
               day: head.dataset.day, room: head.hasAttribute("data-room") ? head.dataset.room : null };
    });
  }

  function columnAt(columns, x) {
    for (var i = 0; i < columns.length; i++) {
      if (x >= columns[i].left && x < columns[i].right) { return columns[i]; }
    }
    return null;
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    var item = event.target.closest && event.target.closest(".tt-item[data-item]");
    if (!item || event.target.closest("a, button, summary, details[open], input, select, textarea")) { return; }
    var grid = item.closest("[data-timetable]");
    if (!grid || window.getComputedStyle(grid).display !== "grid") { return; }
    var span = parseInt(item.dataset.span, 10);
    drag = {
      item: item,
      grid: grid,
      resize: Boolean(event.target.closest("[data-resize]")),
      x: event.clientX,
      y: event.clientY,
      row: parseInt(item.dataset.row, 10),
      span: span,
      column: parseInt(item.dataset.column, 10),
      rowHeight: rowHeightOf(grid),
      columns: columnsOf(grid),
      moved: false
    };
    item.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) < 4 && Math.abs(dy) < 4) { return; }
    drag.moved = true;
    drag.item.classList.add("tt-item--dragging");
    var rows = Math.round(dy / drag.rowHeight);
    if (drag.resize) {
      drag.item.style.blockSize = Math.max(1, drag.span + rows) * drag.rowHeight + "px";
    } else {
      drag.item.style.transform = "translate(" + dx + "px, " + rows * drag.rowHeight + "px)";
    }
  });

  function finish(event) {
    if (!drag) { return; }
    var current = drag;
    drag = null;
    current.item.classList.remove("tt-item--dragging");
    if (!current.moved) { return; }
    var rows = Math.round((event.clientY - current.y) / current.rowHeight);
    var target = current.resize ? null : columnAt(current.columns, event.clientX);
    var column = target || current.columns.filter(function (c) { return c.number === current.column; })[0];
    var row = current.resize ? current.row : current.row + rows;
    var span = current.resize ? current.span + rows : current.span;
    var slot = parseInt(current.grid.dataset.slot, 10);
    var first = minutesOf(current.grid.dataset.first);
    var start = first + (row - 1) * slot;
    var form = current.item.querySelector("form[data-retime]");
    if (!form || !column) { return; }
    form.querySelector("[data-start]").value = wallClock(column.day, start);
    form.querySelector("[data-end]").value = wallClock(column.day, start + span * slot);
    if (column.room !== null && !current.resize) {
      var room = form.querySelector("input[name=room]") || document.createElement("input");
      room.type = "hidden";
      room.name = "room";
      room.value = column.room;
      form.appendChild(room);
    }
    current.item.style.transform = "";
    current.item.style.blockSize = "";
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  document.addEventListener("pointerup", finish);
  document.addEventListener("pointercancel", function () {
    if (!drag) { return; }
    drag.item.classList.remove("tt-item--dragging");
    drag.item.style.transform = "";
    drag.item.style.blockSize = "";
    drag = null;
  });
}());
