// The officers' side of the hand-off (web/dashboard/handoff.py): the waiting-request badge on every
// dashboard page, and on a request's page the live conversation and the reply box.
// Polling, not server-sent events: see the module docstring of web/dashboard/handoff.py.
(function () {
  "use strict";
  var COUNT_EVERY_MS = 10000;
  var CHAT_EVERY_MS = 2000;

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      var audio = new Context();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* a browser that refuses sound still shows the badge */ }
  }

  var badge = document.getElementById("handoff-count");
  var baseTitle = document.title;
  var known = badge ? parseInt(badge.textContent, 10) || 0 : 0;

  function showCount(count) {
    if (!badge) return;
    badge.textContent = String(count);
    badge.setAttribute("aria-label", count + " yêu cầu mới");
    badge.classList.toggle("empty", count === 0);
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    if (count > known) beep();
    known = count;
  }

  function pollCount() {
    fetch("/review/handoff/count.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showCount(data["new"]); })
      .catch(function () {});
  }
  if (badge) {
    showCount(known);
    setInterval(pollCount, COUNT_EVERY_MS);
  }

  var chat = document.getElementById("chat");
  if (!chat) return;
  var ticket = chat.getAttribute("data-ticket");
  var after = parseInt(chat.getAttribute("data-after"), 10) || 0;
  var status = chat.getAttribute("data-status");
  var NAMES = { citizen: "Người dân", assistant: "Trợ lý", officer: "Cán bộ" };
  var CLASSES = { citizen: "msg-user", assistant: "msg-bot", officer: "msg-officer" };

  function timeOf(iso) {
    var d = new Date(iso);
    return d.toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric" });
  }

  function append(message) {
    var empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
    var item = document.createElement("div");
    item.className = CLASSES[message.author] || "msg-bot";
    item.setAttribute("data-author", message.author);
    var meta = document.createElement("span");
    meta.className = "meta";
    var who = NAMES[message.author] || "";
    if (message.author === "officer" && message.officer) who += " " + message.officer;
    meta.textContent = who + " · " + timeOf(message.at);
    item.appendChild(meta);
    item.appendChild(document.createElement("br"));
    item.appendChild(document.createTextNode(message.text));
    chat.appendChild(item);
    chat.scrollTop = chat.scrollHeight;
    if (message.author === "citizen") beep();
  }

  function pollChat() {
    fetch("/review/handoff/" + ticket + "/messages.json?after=" + after, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.messages.forEach(function (m) { if (m.id > after) { append(m); after = m.id; } });
        if (data.status !== status) window.location.reload();
      })
      .catch(function () {});
  }
  chat.scrollTop = chat.scrollHeight;
  setInterval(pollChat, CHAT_EVERY_MS);

  var form = document.getElementById("reply-form");
  if (!form) return;
  var state = document.getElementById("reply-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = form.querySelector("textarea");
    if (!box.value.trim()) return;
    state.textContent = "Đang gửi…";
    fetch(form.action, {
      method: "POST", credentials: "same-origin", headers: { Accept: "application/json" },
      body: new URLSearchParams(new FormData(form))
    })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (answer) {
        if (answer.ok) { box.value = ""; state.textContent = "Đã gửi."; pollChat(); }
        else { state.textContent = answer.data.error || "Không gửi được."; }
      })
      .catch(function () { state.textContent = "Không gửi được: mất kết nối. Vui lòng thử lại."; });
  });
})();
