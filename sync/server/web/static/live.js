// Live inbox: poll a tiny JSON endpoint; when a notice arrives, refresh the list in place
// (or, while the coordinator is typing in it, show a banner instead). The page works
// without this script: it is an enhancement only.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.live;
  if (!url || !window.fetch || !window.DOMParser) return;
  var latest = body.dataset.latest || "";
  var every = parseInt(body.dataset.poll || "5000", 10);

  function busy(list) {
    return list.querySelector("details[open]") ||
      (document.activeElement && list.contains(document.activeElement) &&
       document.activeElement.matches("input, textarea, select"));
  }

  function refresh() {
    return fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("notice-list");
        var list = document.getElementById("notice-list");
        if (fresh && list) list.replaceWith(fresh);
        document.title = doc.title;
        var count = doc.getElementById("new-count");
        var mine = document.getElementById("new-count");
        if (count && mine) { mine.textContent = count.textContent; mine.hidden = count.hidden; }
      });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.latest === latest) return;
        latest = data.latest;
        var list = document.getElementById("notice-list");
        if (list && busy(list)) {
          document.getElementById("live-banner").classList.add("shown");
          return;
        }
        return refresh();
      })
      .catch(function () { /* offline or signed out: try again next time */ })
      .then(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
