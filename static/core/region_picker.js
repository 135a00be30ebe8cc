// The region picker (core.widgets.RegionPickerWidget): type part of a region's name, pick it from the
// list the server searches (GET /accounts/regions/search/, scoped to the user). The hidden input carries
// the code; the box shows the picked region's path. A combobox in the ARIA pattern: the list is a
// listbox, the active option is the box's aria-activedescendant; up/down move, Enter picks, Escape
// closes. Without this script the box still works: the name typed is looked up when the form is sent
// (a filter falls back to the select inside <noscript>).
(function () {
  "use strict";
  var DELAY = 250; // ms of quiet typing before a search
  var SCRIPT_ID = "regionPickerLoaded";

  if (document.documentElement.dataset[SCRIPT_ID]) return; // the widget includes this file once per picker
  document.documentElement.dataset[SCRIPT_ID] = "1";

  function setUp(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "1";
    var code = root.querySelector("[data-picker-code]");
    var box = root.querySelector('[role="combobox"]');
    var list = root.querySelector('[role="listbox"]');
    var status = root.querySelector("[data-picker-status]");
    if (!code || !box || !list) return;
    if (code.dataset.name) { // a filter: without this script its <noscript> select posts instead
      code.name = code.dataset.name;
      box.hidden = false;
    }

    var results = [], active = -1, timer = null, controller = null, asked = 0, pickedText = box.value;

    function say(text) { if (status) status.textContent = text; }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll('[role="option"]');
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      box.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      var region = results[index];
      if (!region) return;
      code.value = region.code;
      box.value = pickedText = region.path;
      close();
      say(region.path);
      code.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (region, i) {
        var option = document.createElement("span"); // phrasing content: a filter's picker sits in a <label>
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "region-picker-option";
        var name = document.createElement("span");
        name.className = "region-picker-name";
        name.textContent = region.name;
        var path = document.createElement("span");
        path.className = "region-picker-path";
        path.textContent = region.path;
        option.appendChild(name);
        option.appendChild(path);
        list.appendChild(option);
      });
      if (!found.length) {
        close();
        say(root.dataset.msgNone || "");
        return;
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      box.removeAttribute("aria-activedescendant");
      active = -1;
      say((root.dataset.msgCount || "").replace("%(count)s", found.length));
    }

    function search() {
      var ask = ++asked;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var url = root.dataset.search + "&q=" + encodeURIComponent(box.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" },
                   signal: controller ? controller.signal : undefined })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (found) { if (ask === asked && document.activeElement === box) show(found); })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          close();
          say(root.dataset.msgError || "");
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    }

    box.addEventListener("input", function () {
      if (box.value !== pickedText && code.value) { // changed after a pick: nothing is picked now
        code.value = "";
        code.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (!box.value.trim()) say(root.dataset.msgCleared || "");
      later();
    });

    box.addEventListener("focus", function () {
      if (!code.value) later(); // offer the top of the user's area (or the matches of what is there)
    });

    box.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight(event.key === "ArrowDown" ? active + 1 : (active < 0 ? -1 : active - 1));
      } else if (event.key === "Enter") {
        if (open && (active >= 0 || results.length === 1)) {
          event.preventDefault(); // pick, do not send the form
          pick(active >= 0 ? active : 0);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    box.addEventListener("blur", function () {
      // A name typed in full picks its region without the list (the server would resolve it as well).
      var typed = box.value.trim();
      for (var i = 0; i < results.length && !code.value; i++) {
        if (results[i].name === typed || results[i].path === typed) pick(i);
      }
      close();
    });

    // Keep the focus in the box while a finger or the mouse is on the list, then pick on release.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (!option) return;
      event.preventDefault();
      pick(Array.prototype.indexOf.call(list.children, option));
    });
  }

  function init() {
    var pickers = document.querySelectorAll("[data-region-picker]");
    for (var i = 0; i < pickers.length; i++) setUp(pickers[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
