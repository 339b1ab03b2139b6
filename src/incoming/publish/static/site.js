/* Incoming: theme toggle, local times, keyboard navigation. Pages work without it. */
(function () {
  "use strict";

  var THEME_KEY = "incoming-theme";
  var root = document.documentElement;

  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (error) {
      return null;
    }
  }

  /* Before the first paint: a chosen theme must not flash the other one. */
  var chosen = storedTheme();
  if (chosen) {
    root.setAttribute("data-theme", chosen);
  }

  function effectiveTheme() {
    var set = root.getAttribute("data-theme");
    if (set) {
      return set;
    }
    return window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }

  function setUpThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) {
      return;
    }
    var label = button.querySelector(".theme-toggle-label");
    function show() {
      var other = effectiveTheme() === "dark" ? "light" : "dark";
      label.textContent = other === "light" ? "Light" : "Dark";
      button.setAttribute("aria-label", "Switch to the " + other + " theme");
    }
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem(THEME_KEY, next);
      } catch (error) {
        /* storage refused (private mode): the choice lasts for this page only */
      }
      show();
    });
    window.matchMedia("(prefers-color-scheme: light)").addEventListener("change", show);
    button.hidden = false;
    show();
  }

  var UNITS = [
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1]
  ];

  function relative(date, now, format) {
    var seconds = (date.getTime() - now) / 1000;
    for (var i = 0; i < UNITS.length; i++) {
      var size = UNITS[i][1];
      if (Math.abs(seconds) >= size || UNITS[i][0] === "second") {
        return format.format(Math.trunc(seconds / size), UNITS[i][0]);
      }
    }
    return "";
  }

  function localizeTimes() {
    var now = Date.now();
    var absolute = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
    });
    var full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
    var ago = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    document.querySelectorAll("time.when[datetime]").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (isNaN(date.getTime())) {
        return;
      }
      var rel = element.querySelector(".when-relative");
      var abs = element.querySelector(".when-absolute");
      if (rel) {
        rel.textContent = relative(date, now, ago);
      }
      if (abs) {
        abs.textContent = absolute.format(date);
      }
      element.title = full.format(date);
    });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function follow(rel) {
    var link = document.querySelector('a[rel~="' + rel + '"]');
    if (link) {
      window.location.href = link.href;
    }
  }

  function setUpKeys() {
    var hint = document.querySelector("[data-keys-hint]");
    if (hint) {
      hint.hidden = false;
    }
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]"));
    var current = -1;
    function select(index) {
      if (!items.length) {
        return;
      }
      current = Math.max(0, Math.min(items.length - 1, index));
      items.forEach(function (item, position) {
        item.classList.toggle("is-selected", position === current);
      });
      var link = items[current].querySelector("a[href]");
      if (link) {
        link.focus({ preventScroll: true });
      }
      items[current].scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
        return;
      }
      switch (event.key) {
        case "j":
          select(current + 1);
          break;
        case "k":
          select(current - 1);
          break;
        case "n":
          follow("next");
          break;
        case "p":
          follow("prev");
          break;
        case "/":
          var search = document.querySelector("[data-search]");
          if (!search) {
            return;
          }
          search.focus();
          break;
        default:
          return;
      }
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpThemeToggle();
    localizeTimes();
    setUpKeys();
  });
})();
