/* 爱心妈妈 phone pages: the offline queue, the "记录一次关爱" and "报告紧急情况" forms, the service worker.
 *
 * One queue for both forms. A record carries its ``type``: "visit" (记录一次关爱, posted to cfg.api,
 * its photo to cfg.photos; a record queued before types existed is a visit) or "alert" (an urgent
 * report, posted to cfg.alerts.api, its photo to cfg.alerts.photos). Urgent reports are sent first.
 * An urgent report's UUID is made when its form opens (again when the page is shown from the
 * back/forward cache), so the same report sent twice is one report; a visit's when 保存 is tapped.
 *
 * Every record gets its UUID when the caring mother taps 保存 and is written to the phone
 * (IndexedDB; localStorage where IndexedDB is unavailable) before anything is sent. It stays there
 * until the server answers: 201/200 → synced; 400/409 → failed, with the server's message shown;
 * a network error, 5xx, or an expired login → still pending, retried on the `online` event, on
 * page load, when the page comes back into view, and every 20 seconds. The server is idempotent on
 * the UUID, so a retry after a lost answer stores nothing twice. No external assets, no framework.
 *
 * 保存 is disabled from the tap on (the UUID is fixed then, so a double tap makes one record). A
 * second record of the same kind with the same child on the same day is asked about first (from the
 * queue and from what the page says was recorded today) and sent with ``confirm_repeat``; one the
 * server refuses as a repeat is marked failed, with a button to record it anyway. After saving, the
 * form is cleared and the phone goes back to 我的孩子, which shows the record's state.
 *
 * A photo (optional, one per record) is shrunk on the phone when chosen: drawn on a canvas at most
 * cfg.photo.maxSide on its long side and encoded as a fresh JPEG (which carries no EXIF, so no GPS
 * position). The Blob is queued inside the record and uploaded right after the record is accepted,
 * with its own UUID, so a retried upload stores nothing twice. The record counts as synced once its
 * photo is sent; a photo the server refuses is shown with its message and not sent again.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("phone-config");
  if (!configNode) return;
  var cfg = JSON.parse(configNode.textContent);
  var T = cfg.text;
  var RETRY_MS = 20000;
  var SAVED_KEY = "aixin-phone-saved";  // sessionStorage: the id saved last, shown on 我的孩子
  var LEAVE_AFTER_MS = 3000;  // after saving, wait this long at most for the first send
  var KEEP_SYNCED_MS = 7 * 24 * 3600 * 1000;
  var KEEP_SYNCED_SHOWN = 5;

  // --- small helpers ------------------------------------------------------------------------------

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(b);
    } else {
      for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    }
    b[6] = (b[6] & 0x0f) | 0x40;  // version 4
    b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function localToday() {
    var d = new Date();
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- the queue: IndexedDB, or localStorage when IndexedDB cannot be opened ----------------------

  var DB_NAME = "aixin-phone", STORE = "records", LS_KEY = "aixin-phone-records";
  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
        var req = window.indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }

  function idb(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var out = { value: undefined };
        work(tx.objectStore(STORE), out);
        tx.oncomplete = function () { resolve(out.value); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function lsRead() {
    try { return JSON.parse(window.localStorage.getItem(LS_KEY) || "{}"); } catch (e) { return {}; }
  }

  // localStorage keeps text only: a queued photo goes there as a data: URL.
  function lsStorable(record) {
    if (!record.photo || !record.photo.blob) return Promise.resolve(record);
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var copy = JSON.parse(JSON.stringify(record));
        copy.photo = { id: record.photo.id, status: record.photo.status, error: record.photo.error || "",
          dataUrl: reader.result };
        resolve(copy);
      };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(record.photo.blob);
    });
  }

  function photoBlob(photo) {
    if (photo.blob) return photo.blob;
    var parts = String(photo.dataUrl || "").split(",");
    var bytes = window.atob(parts[1] || "");
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Blob([buffer], { type: "image/jpeg" });
  }

  var queue = {
    all: function () {
      return idb("readonly", function (store, out) {
        var req = store.getAll();
        req.onsuccess = function () { out.value = req.result; };
      }).catch(function () {
        var data = lsRead();
        return Object.keys(data).map(function (k) { return data[k]; });
      }).then(function (rows) {
        return rows.filter(function (r) { return r.user === cfg.user; })
          .sort(function (a, b) { return a.created - b.created; });
      });
    },
    put: function (record) {
      return idb("readwrite", function (store) { store.put(record); }).catch(function () {
        return lsStorable(record).then(function (storable) {
          var data = lsRead();
          data[record.id] = storable;
          window.localStorage.setItem(LS_KEY, JSON.stringify(data));
        });
      });
    },
    remove: function (id) {
      return idb("readwrite", function (store) { store.delete(id); }).catch(function () {
        var data = lsRead();
        delete data[id];
        window.localStorage.setItem(LS_KEY, JSON.stringify(data));
      });
    },
  };

  // --- sending ------------------------------------------------------------------------------------

  function messagesOf(body) {
    // DRF's errors: {"field": ["message", …]}, {"detail": "message"}, or nested; keep the words.
    var out = [];
    (function walk(v) {
      if (v === null || v === undefined) return;
      if (typeof v === "string") { out.push(v); return; }
      if (Array.isArray(v)) { v.forEach(walk); return; }
      if (typeof v === "object") Object.keys(v).forEach(function (k) { walk(v[k]); });
    })(body);
    return out.join("；");
  }

  var authProblem = false;
  var syncing = null;

  // Where a record and its photo go, by the record's type.
  function endpoint(record) {
    return record.type === "alert" ? cfg.alerts : { api: cfg.api, photos: cfg.photos };
  }

  function send(record) {
    return fetch(endpoint(record).api, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": document.documentElement.lang || "zh-hans",
        "X-CSRFToken": cookie("csrftoken"),
        "X-Requested-With": "XMLHttpRequest",
      },
      body: JSON.stringify(record.payload),
    });
  }

  function sendPhoto(record) {
    var body = new FormData();
    body.append("image", photoBlob(record.photo), "photo.jpg");
    body.append("client_id", record.photo.id);
    return fetch(endpoint(record).photos.replace("00000000-0000-0000-0000-000000000000", record.id), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Accept-Language": document.documentElement.lang || "zh-hans",
        "X-CSRFToken": cookie("csrftoken"),
        "X-Requested-With": "XMLHttpRequest",
      },
      body: body,
    });
  }

  // The record and its photo (if any) are on the server: done.
  function settle(record) {
    record.status = "synced";
    record.synced = Date.now();
    record.error = "";
    return queue.put(record).then(function () { return true; });
  }

  // The record is accepted; now its photo. The server is idempotent on the photo's id: a retry after a
  // lost answer finds the stored photo (200) and stores nothing twice.
  function syncPhoto(record) {
    var photo = record.photo;
    if (!photo || photo.status !== "pending") return settle(record);
    return sendPhoto(record).then(function (res) {
      if (res.status === 200 || res.status === 201) {
        record.photo = { id: photo.id, status: "synced", error: "" };  // the picture itself is not kept
        return settle(record);
      }
      if (res.status === 401) {
        authProblem = true;  // stays pending; sent after the next login
        return false;
      }
      if (res.status >= 400 && res.status < 500) {
        // Refused (too large, not a photo, too old to add photos to …): said, and not sent again.
        return res.json().catch(function () { return {}; }).then(function (body) {
          record.photo = { id: photo.id, status: "failed", error: messagesOf(body) || String(res.status) };
          return settle(record);
        });
      }
      record.tries = (record.tries || 0) + 1;  // 5xx and the like: try again later
      return queue.put(record).then(function () { return true; });
    }, function () {
      return false;  // no network: keep it pending
    });
  }

  function syncOnce() {
    return queue.all().then(function (records) {
      var pending = records.filter(function (r) { return r.status === "pending"; });
      // Urgent reports first (the sort is stable: otherwise in the order they were saved).
      pending.sort(function (a, b) { return (b.type === "alert") - (a.type === "alert"); });
      authProblem = false;
      var chain = Promise.resolve(true);
      pending.forEach(function (record) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          if (record.accepted) return syncPhoto(record);
          return send(record).then(function (res) {
            if (res.status === 200 || res.status === 201) {
              if (!record.photo) return settle(record);
              record.accepted = true;
              record.error = "";
              return queue.put(record).then(function () { return syncPhoto(record); });
            }
            if (res.status === 400 || res.status === 409) {
              return res.json().catch(function () { return {}; }).then(function (body) {
                record.status = "failed";
                record.error = messagesOf(body) || String(res.status);
                record.repeat = !!(body && body.confirm_repeat);
                return queue.put(record).then(function () { return true; });
              });
            }
            if (res.status === 401 || res.status === 403) {
              authProblem = true;  // stays pending; sent after the next login
              return false;
            }
            record.tries = (record.tries || 0) + 1;  // 5xx and the like: try again later
            return queue.put(record).then(function () { return true; });
          }, function () {
            return false;  // no network: keep everything pending
          });
        });
      });
      return chain;
    });
  }

  // One run at a time; a call during a run queues one more after it (so a record saved meanwhile is sent).
  function syncNow() {
    var run = (syncing || Promise.resolve()).then(function () {
      return syncOnce().catch(function () {});
    }).then(render);
    syncing = run;
    run.then(function () { if (syncing === run) syncing = null; });
    return run;
  }

  function prune(records) {
    var now = Date.now();
    var synced = records.filter(function (r) { return r.status === "synced"; }).reverse();
    var drop = synced.filter(function (r, i) { return i >= KEEP_SYNCED_SHOWN || now - (r.synced || 0) > KEEP_SYNCED_MS; });
    return Promise.all(drop.map(function (r) { return queue.remove(r.id); }));
  }

  // --- the "待同步 N 条 / 已同步" list ----------------------------------------------------------------

  var queueNodes = Array.prototype.slice.call(document.querySelectorAll("[data-queue]"));

  function stateText(record) {
    if (record.status === "synced") return T.synced;
    if (record.status === "failed") return T.failed;
    return T.waiting;
  }

  function render() {
    return queue.all().then(function (records) {
      var shown = records.filter(function (r) { return r.status !== "synced"; })
        .concat(records.filter(function (r) { return r.status === "synced"; }).slice(-KEEP_SYNCED_SHOWN));
      shown.sort(function (a, b) { return b.created - a.created; });
      var nPending = records.filter(function (r) { return r.status === "pending"; }).length;
      queueNodes.forEach(function (node) {
        node.hidden = shown.length === 0;
        node.classList.toggle("has-pending", nPending > 0);
        node.classList.toggle("has-failed", nPending === 0 && records.some(function (r) { return r.status === "failed"; }));
        node.setAttribute("data-pending", String(nPending));
        var summary = node.querySelector("[data-queue-summary]");
        var nFailed = records.filter(function (r) { return r.status === "failed"; }).length;
        summary.textContent = nPending ? fmt(T.pending, { n: nPending })
          : nFailed ? fmt(T.failedCount, { n: nFailed }) : T.allSynced;
        if (authProblem && nPending) summary.textContent += " · " + T.loginAgain;
        node.setAttribute("data-synced", String(records.length - nPending - nFailed));
        var list = node.querySelector("[data-queue-list]");
        list.textContent = "";
        shown.forEach(function (r) {
          var li = el("li", "q-" + r.status);
          li.setAttribute("data-id", r.id);
          li.setAttribute("data-status", r.status);
          li.setAttribute("data-type", r.type || "visit");
          li.appendChild(el("span", "q-what", [r.label.child, r.label.kind, r.payload.occurred_on].join(" · ")));
          li.appendChild(el("span", "q-state", stateText(r)));
          if (r.photo) {
            li.setAttribute("data-photo", r.photo.status);
            var photoText = r.photo.status === "synced" ? T.photoSynced
              : r.photo.status === "failed" ? fmt(T.photoFailed, { error: r.photo.error }) : T.photoWaiting;
            li.appendChild(el("span", "q-photo" + (r.photo.status === "failed" ? " is-error" : ""), photoText));
          }
          if (r.status === "failed") {
            li.appendChild(el("span", "q-error", r.error));
            var discard = el("button", "btn btn-small", T.discard);
            discard.type = "button";
            discard.addEventListener("click", function () {
              if (window.confirm(T.confirmDiscard)) queue.remove(r.id).then(render);
            });
            li.appendChild(discard);
            if (r.repeat) {
              var again = el("button", "btn btn-small", T.recordAnyway);
              again.type = "button";
              again.setAttribute("data-record-anyway", "");
              again.addEventListener("click", function () {
                r.payload.confirm_repeat = true;
                r.status = "pending";
                r.error = "";
                r.repeat = false;
                queue.put(r).then(syncNow);
              });
              li.appendChild(again);
            }
          }
          list.appendChild(li);
        });
      });
      if (lastSaved) {
        var mine = records.filter(function (r) { return r.id === lastSaved; })[0];
        var what = mine ? [mine.label.child, mine.label.kind].join(" · ") + "：" : "";
        var syncedText = mine && mine.type === "alert" ? T.alertSynced : T.savedSynced;
        if (mine && mine.status === "synced" && mine.photo && mine.photo.status === "failed") {
          say(what + syncedText + " " + fmt(T.photoFailed, { error: mine.photo.error }), true);
        } else if (mine && mine.status === "synced") say(what + syncedText);
        else if (mine && mine.status === "failed") say(T.failed + "：" + mine.error, true);
        else if (mine) say(what + T.savedOffline);
      }
      return records;
    });
  }

  queueNodes.forEach(function (node) {
    var button = node.querySelector("[data-sync-now]");
    if (button) button.addEventListener("click", syncNow);
  });

  // --- the form -----------------------------------------------------------------------------------

  var form = document.querySelector("[data-log-form], [data-alert-form]");
  var isAlert = !!form && form.hasAttribute("data-alert-form");
  var savedBox = document.querySelector("[data-saved]");
  // The id of the record saved last (on the form, then on 我的孩子): its message follows its state.
  var lastSaved = null;
  try {
    lastSaved = window.sessionStorage.getItem(SAVED_KEY);
    window.sessionStorage.removeItem(SAVED_KEY);
  } catch (e) { lastSaved = null; }
  var saving = false;

  function say(text, isError) {
    if (!savedBox) return;
    savedBox.textContent = text;
    savedBox.classList.toggle("is-error", !!isError);
    savedBox.hidden = false;
  }

  function checkedLabel(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    var span = input && input.parentNode.querySelector("span");
    return span ? span.textContent.trim() : "";
  }

  // --- the photo: shrunk on the phone, shown, queued with the record ------------------------------

  var photoBox = form && form.querySelector("[data-photo]");
  var photo = null;  // {blob, url}: the shrunk photo to save with the record
  var photoBusy = null;  // a photo being shrunk (保存 waits for it)

  function photoSay(text) {
    var node = photoBox && photoBox.querySelector("[data-photo-msg]");
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  // The picture, upright: createImageBitmap applies the EXIF orientation when asked; older browsers
  // get an <img>, which browsers draw upright too.
  function decodePhoto(file) {
    var viaImg = function () {
      return new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(file);
        var img = new Image();
        img.onload = function () { resolve({ source: img, width: img.naturalWidth, height: img.naturalHeight,
          done: function () { URL.revokeObjectURL(url); } }); };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not a picture")); };
        img.src = url;
      });
    };
    if (typeof window.createImageBitmap !== "function") return viaImg();
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      return { source: bitmap, width: bitmap.width, height: bitmap.height, done: function () { bitmap.close(); } };
    }, viaImg);
  }

  // At most maxSide on the long side, as a new JPEG: the canvas keeps the pixels only (no EXIF, no GPS).
  function shrinkPhoto(file) {
    var limits = cfg.photo || {};
    return decodePhoto(file).then(function (decoded) {
      var scale = Math.min(1, (limits.maxSide || 1600) / Math.max(decoded.width, decoded.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(decoded.width * scale));
      canvas.height = Math.max(1, Math.round(decoded.height * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // transparency on white, as the server does
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(decoded.source, 0, 0, canvas.width, canvas.height);
      decoded.done();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("not encoded"));
        }, "image/jpeg", limits.quality || 0.8);
      });
    });
  }

  function showPhoto() {
    if (!photoBox) return;
    var preview = photoBox.querySelector("[data-photo-preview]");
    var pick = photoBox.querySelector("[data-photo-pick]");
    var thumb = photoBox.querySelector("[data-photo-thumb]");
    if (photo) thumb.src = photo.url; else thumb.removeAttribute("src");
    preview.hidden = !photo;
    pick.hidden = !!photo;
  }

  function clearPhoto() {
    if (photo) URL.revokeObjectURL(photo.url);
    photo = null;
    if (photoBox) {
      Array.prototype.forEach.call(photoBox.querySelectorAll("[data-photo-input]"), function (i) { i.value = ""; });
    }
    showPhoto();
  }

  function onPhotoChosen(event) {
    var input = event.target;
    var file = input.files && input.files[0];
    if (!file) return;
    photoSay("");
    var limits = cfg.photo || {};
    photoBusy = shrinkPhoto(file).then(function (blob) {
      if (limits.maxBytes && blob.size > limits.maxBytes) throw new Error(T.photoTooLarge);
      clearPhoto();
      photo = { blob: blob, url: URL.createObjectURL(blob) };
      showPhoto();
    }).catch(function (err) {
      clearPhoto();
      photoSay(err && err.message === T.photoTooLarge ? T.photoTooLarge : T.photoUnreadable);
    }).then(function () {
      input.value = "";  // the shrunk copy is what is saved; the same file can be chosen again
      photoBusy = null;
    });
  }

  function preparePhoto() {
    if (!photoBox) return;
    var pick = photoBox.querySelector("[data-photo-pick]");
    pick.classList.add("is-enhanced");
    Array.prototype.forEach.call(pick.querySelectorAll(".photo-btn"), function (label) { label.classList.add("btn"); });
    Array.prototype.forEach.call(photoBox.querySelectorAll("[data-photo-input]"), function (input) {
      input.addEventListener("change", onPhotoChosen);
    });
    photoBox.querySelector("[data-photo-remove]").addEventListener("click", function () {
      clearPhoto();
      photoSay("");
    });
  }

  function resetOptional() {
    var cleared = isAlert ? "input[name='kind']" : "input[name='services']";
    Array.prototype.forEach.call(form.querySelectorAll(cleared), function (b) { b.checked = false; });
    ["duration_minutes", "aid_value_yuan", "notes", "description"].forEach(function (n) {
      if (form.elements[n]) form.elements[n].value = "";
    });
    if (form.elements.participants) form.elements.participants.value = "1";
    if (form.elements.follow_up) form.elements.follow_up.checked = false;
    clearPhoto();
    var more = form.querySelector("details.more");
    if (more) more.open = false;
  }

  // An urgent report's identity, made when its form opens: a second tap or a retry is the same report.
  function newAlertId() {
    if (isAlert && form.elements.id) form.elements.id.value = uuid4();
  }

  function prepareForm() {
    // A page served from the phone's cache may be days old: the defaults are today and the child
    // named in the address; an urgent report gets a fresh id.
    newAlertId();
    var date = form.elements.occurred_on;
    if (date && !form.querySelector(".field-error, .error")) {
      date.value = localToday();
      date.max = localToday();
    }
    var wanted = new URLSearchParams(window.location.search).get("child");
    var radios = form.querySelectorAll("input[name='child']");
    var match = /^\d+$/.test(wanted || "") && form.querySelector("input[name='child'][value='" + wanted + "']");
    if (match) match.checked = true;
    else if (radios.length === 1) radios[0].checked = true;
  }

  // Whether she already has this kind of activity with this child that day: in the queue (not
  // refused), or in what the page was told was recorded today.
  function knownRepeat(payload, records) {
    var child = payload.children[0];
    var inQueue = records.some(function (r) {
      return r.type !== "alert" && r.status !== "failed" && r.payload.occurred_on === payload.occurred_on &&
        r.payload.kind === payload.kind && r.payload.children.indexOf(child) !== -1;
    });
    var known = cfg.recorded || {};
    var onPage = known.day === payload.occurred_on &&
      ((known.visits || {})[String(child)] || []).indexOf(payload.kind) !== -1;
    return inQueue || onPage;
  }

  function leave() {
    // Back to 我的孩子, which shows the record's state; the form is left empty.
    form.reset();
    window.location.assign(cfg.scope);
  }

  // 报告紧急情况: kind, a short description, the date (today unless changed), the child of the page.
  function alertRecord(data, stop) {
    var kind = data.get("kind");
    var description = String(data.get("description") || "").trim();
    if (!kind) { say(T.chooseKind, true); stop(); return null; }
    if (!description) { say(T.describe, true); stop(); return null; }
    var id = form.elements.id.value || uuid4();
    return {
      type: "alert", id: id, user: cfg.user, status: "pending", error: "", tries: 0, created: Date.now(),
      synced: null,
      payload: { id: id, child: Number(form.getAttribute("data-child")), kind: kind, description: description,
        occurred_on: data.get("occurred_on") || localToday() },
      label: { child: form.getAttribute("data-child-name") || "", kind: fmt(T.alertLabel, { kind: checkedLabel("kind") }) },
    };
  }

  function onSubmit(event) {
    event.preventDefault();
    if (saving) return;  // a second tap while the first is being saved
    var button = form.querySelector("[data-save]");
    var data = new FormData(form);
    saving = true;
    button.disabled = true;
    function stop() { saving = false; button.disabled = false; }
    if (isAlert) {
      var report = alertRecord(data, stop);
      if (report) queueRecord(report, stop);
      return;
    }
    var child = data.get("child");
    if (!child) { say(T.chooseChild, true); stop(); return; }
    var id = uuid4();  // the record's identity, fixed the moment 保存 is tapped
    var payload = {
      id: id,
      children: [Number(child)],
      occurred_on: data.get("occurred_on") || localToday(),
      kind: data.get("kind") || "home_visit",
      services: data.getAll("services"),
      participants: Number(data.get("participants") || 1),
      aid_value_yuan: String(data.get("aid_value_yuan") || "").trim() || "0",
      notes: String(data.get("notes") || "").trim(),
      follow_up: data.get("follow_up") !== null,
    };
    // An unusually large figure is asked about here, once, rather than refused later by the server.
    var limits = cfg.confirmAbove || {};
    if (payload.participants > limits.participants) {
      if (!window.confirm(fmt(T.confirmParticipants, { n: payload.participants }))) { stop(); return; }
      payload.confirm_large_participants = true;
    }
    if (Number(payload.aid_value_yuan) > Number(limits.aid)) {
      if (!window.confirm(fmt(T.confirmAid, { n: payload.aid_value_yuan }))) { stop(); return; }
      payload.confirm_large_aid = true;
    }
    var duration = String(data.get("duration_minutes") || "").trim();
    if (duration) payload.duration_minutes = Number(duration);
    var record = {
      type: "visit", id: id, user: cfg.user, payload: payload, status: "pending", error: "", tries: 0,
      created: Date.now(), synced: null,
      label: { child: checkedLabel("child"), kind: checkedLabel("kind") || cfg.kinds[payload.kind] || payload.kind },
    };
    queueRecord(record, stop);
  }

  // Both forms: the photo (once shrunk) goes with the record, a repeated visit is asked about, the record
  // is written to the phone, then sent; the phone goes back to 我的孩子.
  function queueRecord(record, stop) {
    var id = record.id, payload = record.payload;
    (photoBusy || Promise.resolve()).then(function () {
      // The photo gets its own id now: its upload is idempotent on it, whatever the retries.
      if (photo) record.photo = { id: uuid4(), blob: photo.blob, status: "pending", error: "" };
      return queue.all().catch(function () { return []; });
    }).then(function (records) {
      if (record.type === "visit" && knownRepeat(payload, records)) {
        var question = payload.occurred_on === localToday() ? T.confirmRepeat
          : fmt(T.confirmRepeatOn, { date: payload.occurred_on });
        if (!window.confirm(question)) return false;
        payload.confirm_repeat = true;
      }
      return queue.put(record).then(function () { return true; });
    }).then(function (stored) {
      if (!stored) { stop(); return; }
      lastSaved = id;
      try { window.sessionStorage.setItem(SAVED_KEY, id); } catch (e) { /* the message is only shown here */ }
      newAlertId();  // the next report from this form (back from 我的孩子) is another one
      resetOptional();
      say(T.savedOffline);
      var waited = new Promise(function (resolve) { window.setTimeout(resolve, LEAVE_AFTER_MS); });
      return Promise.race([render().then(syncNow), waited]).then(leave);
    }).catch(function (err) {
      say(String(err), true);
      stop();
    });
  }

  if (form) {
    prepareForm();
    preparePhoto();
    form.addEventListener("submit", onSubmit);
    window.addEventListener("pageshow", function (event) {
      // Back from 我的孩子 to a page kept in memory: the form is usable again.
      if (event.persisted) {
        saving = false;
        form.querySelector("[data-save]").disabled = false;
        newAlertId();
      }
    });
  }

  // --- network state, retries ---------------------------------------------------------------------

  var banner = document.querySelector("[data-net-banner]");

  function showNetwork() {
    if (banner) banner.hidden = navigator.onLine !== false;
  }

  window.addEventListener("online", function () { showNetwork(); syncNow(); });
  window.addEventListener("offline", showNetwork);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") syncNow();
  });
  window.setInterval(syncNow, RETRY_MS);
  showNetwork();
  queue.all().then(prune).catch(function () {}).then(syncNow);

  // --- logging out: drop the cached pages (they hold the children's details) ----------------------

  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout/']"), function (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      queue.all().then(function (records) {
        var pending = records.filter(function (r) { return r.status === "pending"; }).length;
        if (pending && !window.confirm(T.pendingLogout)) return;
        var clearing = window.caches ? window.caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("aixin-pages") === 0; })
            .map(function (k) { return window.caches.delete(k); }));
        }) : Promise.resolve();
        clearing.catch(function () {}).then(function () { logout.submit(); });
      });
    });
  });

  // --- the service worker: installable, and the pages open without a network ---------------------

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.serviceWorker, { scope: cfg.scope }).catch(function () {});
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active || navigator.onLine === false) return;
      var urls = cfg.warm.concat([window.location.pathname + window.location.search]);
      Array.prototype.forEach.call(document.querySelectorAll("a[data-offline]"), function (a) {
        urls.push(a.pathname);
      });
      // Pages one step further (a child's 报告紧急情况 from 我的孩子): they open offline too.
      Array.prototype.forEach.call(document.querySelectorAll("[data-warm]"), function (node) {
        urls.push(node.getAttribute("data-warm"));
      });
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { document.documentElement.setAttribute("data-offline-ready", "1"); };
      registration.active.postMessage({ type: "warm", urls: urls }, [channel.port2]);
    });
  }
})();
