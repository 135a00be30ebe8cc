/* A report run's page: while the report is being made, ask the API for the run every 2 seconds and
   show its status, progress, error and, once done, the download link. No library, no external file. */
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var MAX_FAILURES = 5;

  function start() {
    var box = document.getElementById("report-run");
    if (!box || !box.dataset.poll) return;
    var url = box.dataset.apiUrl;
    var failures = 0;

    function part(role) { return box.querySelector('[data-role="' + role + '"]'); }

    function show(run) {
      var status = part("status");
      status.textContent = run.status_label || run.status;
      status.className = "chip report-status-" + run.status;
      part("percent").textContent = run.progress + "%";
      part("progress").value = run.progress;
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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
