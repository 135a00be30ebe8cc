/* A background job's page (a report run, an export): while the file is being made, ask the API for
   the run every 2 seconds and show its status, progress, row count, error and, once done, the
   download link. The box is the element with data-job-run; its data-api-url, data-done and
   data-failed say where to ask and which statuses end the wait. Without JavaScript the page reloads
   itself instead (a <noscript> refresh). No library, no inline script (CSP). */
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var MAX_FAILURES = 5;

  function follow(box) {
    var url = box.dataset.apiUrl;
    var failures = 0;

    function part(role) { return box.querySelector('[data-role="' + role + '"]'); }

    function show(run) {
      var status = part("status");
      status.textContent = run.status_label || run.status;
      status.className = "chip report-status-" + run.status;
      part("percent").textContent = run.progress + "%";
      part("progress").value = run.progress;
      var rows = part("rows");  // exports count their rows; reports do not
      if (rows && run.rows !== null && run.rows !== undefined) {
        rows.textContent = rows.textContent.replace(/\d+/, String(run.rows));
        rows.hidden = false;
      }
      var failed = run.status === box.dataset.failed;
      var done = run.status === box.dataset.done;
      part("error").hidden = !(run.error && !done);
      part("error-text").textContent = run.error || "";
      part("download").hidden = !(done && run.download_url);
      part("waiting").hidden = done || failed;
      var again = part("again");  // not there for read-only leaders, who do not make reports
      if (again) again.hidden = !(done || failed);
      return done || failed;
    }

    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (run) {
          failures = 0;
          if (!show(run)) window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          failures += 1;
          if (failures < MAX_FAILURES) window.setTimeout(poll, INTERVAL_MS * failures);
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-run][data-poll]"), follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
