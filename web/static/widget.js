/*
 * Citizen assistant chat widget for government portals. Plain JavaScript, no build step.
 *
 *   <script src="https://HOST/widget.js" data-server="https://HOST" defer></script>
 *
 * Optional: data-reply-timeout (milliseconds, default 20000): how long to wait for an answer
 * before telling the citizen the assistant cannot be reached and offering "Thử lại".
 *
 * data-server is the Rasa server (socket.io channel); the widget's own files (CSS and the
 * vendored socket.io client) are loaded from where widget.js itself was served.
 * Bot text is always inserted as text, never as HTML; links open with rel="noopener".
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__dvcAssistantLoaded) { return; }
  window.__dvcAssistantLoaded = true;

  var ASSET_BASE = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var SERVER = (script.getAttribute("data-server") || ASSET_BASE).replace(/\/$/, "");
  var SESSION_KEY = "dvcAssistant.session";
  var HISTORY_KEY = "dvcAssistant.history";
  var NOTICE_KEY = "dvcAssistant.noticeAccepted";
  var MAX_HISTORY = 200;
  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+)/g;
  var REPLY_TIMEOUT = parseInt(script.getAttribute("data-reply-timeout"), 10) || 20000;
  var OFFICER_JOINED = "Một cán bộ đã tham gia cuộc trò chuyện.";
  var ASSISTANT_BACK = "Cán bộ đã kết thúc trao đổi.";
  // Sent without a bubble when a conversation starts: the server answers with the first screen.
  var GREETING_PAYLOAD = "/greet";
  // Sent without a bubble when the citizen closes the panel (see endConversation).
  var END_PAYLOAD = '/end_conversation{"trigger":"closed"}';

  var socket = null;
  var ready = false;
  var pending = [];
  var sessionId = localStorage.getItem(SESSION_KEY);
  var history = readHistory();
  var els = {};
  var typingTimer = null;
  var unanswered = null;  // the payload waiting for an answer: queued again if the connection drops
  var endedAt = history.length;  // how many messages there were when the panel was last closed

  function readHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }

  function saveHistory() {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history.slice(-MAX_HISTORY)));
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function loadStylesheet() {
    var link = el("link", { rel: "stylesheet", href: ASSET_BASE + "/widget.css" });
    document.head.appendChild(link);
  }

  function loadSocketIo(done) {
    if (window.io) { done(); return; }
    var tag = el("script", { src: ASSET_BASE + "/vendor/socket.io-4.8.1.min.js" });
    tag.onload = done;
    tag.onerror = function () { showStatus("Không tải được trợ lý. Vui lòng thử lại sau."); };
    document.head.appendChild(tag);
  }

  /* Text with http(s) links turned into <a>, everything else as text nodes. */
  function appendRichText(container, text) {
    String(text).split(URL_PATTERN).forEach(function (part, index) {
      if (index % 2 === 1) {
        var link = el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, part);
        container.appendChild(link);
      } else if (part) {
        container.appendChild(document.createTextNode(part));
      }
    });
  }

  function ratingLabel(payload, title) {
    var helpful = /"helpful":\s*"(\w+)"/.exec(payload || "");
    if (helpful) { return helpful[1] === "up" ? "Câu trả lời hữu ích" : "Câu trả lời chưa hữu ích"; }
    var score = /"rating":\s*"(\d)"/.exec(payload || "");
    return score ? "Chấm " + score[1] + " trên 5 điểm" : title;
  }

  /* 👍/👎 on one answer (payload /rate_answer{"turn":…,"helpful":…}): shown on the answer itself. */
  function isThumb(button) { return /^\/rate_answer\{.*"helpful"/.test(button.payload || ""); }

  function renderThumbs(item, message) {
    var bar = el("div", { "class": "dvc-feedback", role: "group", "aria-label": "Câu trả lời này có hữu ích không?" });
    message.thumbs.forEach(function (button) {
      var value = /"helpful":\s*"(\w+)"/.exec(button.payload)[1];
      var control = el("button", {
        type: "button", "class": "dvc-thumb", "data-testid": "answer-" + value,
        "aria-label": ratingLabel(button.payload, button.title),
        "aria-pressed": message.rated === value ? "true" : "false"
      }, button.title);
      // Changeable: pressing the other thumb replaces the first; pressing the same one again does nothing.
      control.addEventListener("click", function () {
        if (message.rated === value) { return; }
        message.rated = value;
        saveHistory();
        Array.prototype.forEach.call(bar.querySelectorAll("button"), function (other) {
          other.setAttribute("aria-pressed", other === control ? "true" : "false");
        });
        sendQuietly(button.payload);
      });
      bar.appendChild(control);
    });
    item.appendChild(bar);
  }

  function renderMessage(message) {
    var item = el("li", {
      "class": "dvc-msg dvc-msg-" + message.from,
      "data-testid": message.from === "bot" ? "bot-message" : "user-message"
    });
    var bubble = el("div", { "class": "dvc-bubble" });
    appendRichText(bubble, message.text || "");
    item.appendChild(bubble);
    if (message.thumbs && message.thumbs.length) { renderThumbs(item, message); }
    if (message.buttons && message.buttons.length) {
      var isRating = message.buttons.every(function (b) { return /rate_service/.test(b.payload); });
      var group = el("div", {
        "class": "dvc-replies" + (isRating ? " dvc-rating" : ""),
        role: "group",
        "aria-label": isRating ? "Đánh giá" : "Gợi ý trả lời"
      });
      // A group of buttons answers once: after a press all of them are disabled (kept across reloads),
      // so an old question cannot be sent again by mistake.
      message.buttons.forEach(function (button, index) {
        var control = el("button", {
          type: "button", "class": "dvc-reply" + (message.used === index ? " dvc-chosen" : ""),
          "data-testid": "quick-reply", "aria-label": ratingLabel(button.payload, button.title)
        }, button.title);
        control.disabled = message.used !== undefined;
        control.addEventListener("click", function () {
          message.used = index;
          saveHistory();
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (other) { other.disabled = true; });
          control.classList.add("dvc-chosen");
          send(button.payload, button.title);
        });
        group.appendChild(control);
      });
      item.appendChild(group);
    }
    els.list.appendChild(item);
    els.list.scrollTop = els.list.scrollHeight;
  }

  function addMessage(message) {
    history.push(message);
    saveHistory();
    renderMessage(message);
  }

  function setTyping(on) {
    els.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) { typingTimer = setTimeout(showOffline, REPLY_TIMEOUT); }
  }

  function showStatus(text) { els.status.textContent = text; }

  /* No answer in time: say so plainly and offer to send the same message again. */
  function showOffline() {
    els.typing.hidden = true;
    showStatus("Không kết nối được với trợ lý, câu hỏi của bạn chưa được trả lời. " +
      "Vui lòng kiểm tra mạng rồi bấm \u201cThử lại\u201d.");
    els.retry.hidden = false;
  }

  function hideOffline() {
    showStatus("");
    els.retry.hidden = true;
  }

  /* "Thử lại": wait again, reconnecting first if the connection dropped. A message still on a live
     connection is not sent twice (the server may just be slow); one lost with the connection was
     queued again by the "disconnect" handler and goes out when the session is confirmed. */
  function retry() {
    hideOffline();
    if (unanswered === null) { return; }
    setTyping(true);
    if (socket && !socket.connected) { socket.connect(); }
  }

  function connect() {
    socket = window.io(SERVER, { path: "/socket.io", transports: ["websocket", "polling"] });
    socket.on("connect", function () {
      if (els.retry.hidden) { showStatus(""); }
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      sessionId = typeof id === "string" ? id : (id && id.session_id);
      localStorage.setItem(SESSION_KEY, sessionId);
      ready = true;
      // A conversation with no message and no greeting on its way yet: ask for the first screen.
      if (!history.length && !pending.length && unanswered === null) {
        unanswered = GREETING_PAYLOAD;
        setTyping(true);
        emit(GREETING_PAYLOAD);
      }
      while (pending.length) { emit(pending.shift()); }
    });
    socket.on("disconnect", function () {
      ready = false;
      if (unanswered !== null && pending.indexOf(unanswered) < 0) { pending.push(unanswered); }
    });
    socket.on("connect_error", function () { if (els.retry.hidden) { showStatus("Đang kết nối lại…"); } });
    socket.on("bot_uttered", function (data) {
      setTyping(false);
      unanswered = null;
      hideOffline();
      var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
        return { title: b.title, payload: b.payload };
      });
      addMessage({
        from: "bot", text: data.text || "",
        thumbs: buttons.filter(isThumb),
        buttons: buttons.filter(function (b) { return !isThumb(b); })
      });
    });
  }

  function emit(payload) {
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
  }

  /* Messages typed before the session is confirmed wait in a queue: nothing is dropped. */
  function send(payload, shownText) {
    var text = (shownText || payload || "").trim();
    if (!text) { return; }
    acceptNotice();
    addMessage({ from: "user", text: text });
    sendQuietly(payload);
  }

  /* Whether an officer holds the conversation: the latest of the server's "an officer has joined" and
     "the assistant is back" messages (web/dashboard/takeover.py, JOINED and HANDED_BACK) says so.
     Meanwhile the assistant is silent by design: no "answering…" wait, no "cannot connect" after it. */
  function withOfficer() {
    for (var i = history.length - 1; i >= 0; i--) {
      var text = history[i].from === "bot" ? history[i].text || "" : "";
      if (text.indexOf(OFFICER_JOINED) === 0) { return true; }
      if (text.indexOf(ASSISTANT_BACK) === 0) { return false; }
    }
    return false;
  }

  /* A press that needs no bubble of its own (a 👍/👎 shows as the pressed thumb). */
  function sendQuietly(payload) {
    hideOffline();
    if (withOfficer()) {
      unanswered = null;
      showStatus("Đã gửi tới cán bộ.");
    } else {
      unanswered = payload;
      setTyping(true);
    }
    if (ready) { emit(payload); } else { pending.push(payload); }
  }

  /* Closing the panel ends the conversation for now: the server may offer its short survey about
     the service (seen when the panel is opened again). Sent once per new message, never queued. */
  function endConversation() {
    if (!ready || history.length <= endedAt) { return; }
    endedAt = history.length;
    emit(END_PAYLOAD);
  }

  function acceptNotice() {
    if (!localStorage.getItem(NOTICE_KEY)) {
      localStorage.setItem(NOTICE_KEY, "1");
    }
    els.notice.hidden = true;
  }

  function newConversation() {
    history = [];
    endedAt = 0;
    saveHistory();
    els.list.textContent = "";
    localStorage.removeItem(SESSION_KEY);
    sessionId = null;
    unanswered = null;
    pending = [];
    setTyping(false);
    hideOffline();
    if (socket) { ready = false; socket.disconnect(); socket = null; connect(); }
    els.input.focus();
  }

  function toggle(open) {
    els.panel.hidden = !open;
    els.root.classList.toggle("dvc-open", open);
    els.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      if (!socket) { loadSocketIo(connect); }
      els.list.scrollTop = els.list.scrollHeight;  // open at the latest message
      els.input.focus();
    } else {
      endConversation();
      els.launcher.focus();
    }
  }

  function build() {
    els.launcher = el("button", {
      type: "button", "class": "dvc-launcher", "data-testid": "chat-launcher",
      "aria-label": "Mở trợ lý dịch vụ công", "aria-expanded": "false", "aria-controls": "dvc-panel"
    }, "Hỏi đáp thủ tục");
    els.panel = el("section", {
      id: "dvc-panel", "class": "dvc-panel", role: "dialog", "aria-label": "Trợ lý dịch vụ công"
    });
    els.panel.hidden = true;

    var header = el("header", { "class": "dvc-header" });
    header.appendChild(el("h2", { "class": "dvc-title" }, "Trợ lý dịch vụ công"));
    var fresh = el("button", { type: "button", "class": "dvc-new", "aria-label": "Bắt đầu cuộc trò chuyện mới" },
      "Cuộc trò chuyện mới");
    fresh.addEventListener("click", newConversation);
    var close = el("button", { type: "button", "class": "dvc-close", "aria-label": "Đóng trợ lý" }, "×");
    close.addEventListener("click", function () { toggle(false); });
    header.appendChild(fresh);
    header.appendChild(close);

    els.notice = el("p", { "class": "dvc-notice", role: "note" },
      "Trợ lý tự động trả lời theo cơ sở dữ liệu thủ tục hành chính. Vui lòng không gửi số CCCD, " +
      "số điện thoại hay thông tin cá nhân. Nội dung trò chuyện được lưu (đã che thông tin cá nhân) " +
      "để cải thiện dịch vụ.");
    els.notice.hidden = Boolean(localStorage.getItem(NOTICE_KEY));

    els.list = el("ol", { "class": "dvc-list", role: "log", "aria-live": "polite", "aria-label": "Tin nhắn" });
    els.typing = el("p", { "class": "dvc-typing", "aria-live": "polite" }, "Trợ lý đang trả lời…");
    els.typing.hidden = true;
    els.status = el("p", { "class": "dvc-status", role: "status", "data-testid": "chat-status" });
    els.retry = el("button", { type: "button", "class": "dvc-retry", "data-testid": "chat-retry" }, "Thử lại");
    els.retry.hidden = true;
    els.retry.addEventListener("click", retry);

    var form = el("form", { "class": "dvc-form" });
    els.input = el("input", {
      type: "text", "class": "dvc-input", "data-testid": "chat-input", maxlength: "1000",
      "aria-label": "Nhập câu hỏi", placeholder: "Nhập câu hỏi, ví dụ: làm hộ chiếu cần gì?", autocomplete: "off"
    });
    var sendButton = el("button", { type: "submit", "class": "dvc-send", "data-testid": "chat-send",
      "aria-label": "Gửi câu hỏi" }, "Gửi");
    form.appendChild(els.input);
    form.appendChild(sendButton);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = els.input.value;
      els.input.value = "";
      send(text);
    });

    els.panel.appendChild(header);
    els.panel.appendChild(els.notice);
    els.panel.appendChild(els.list);
    els.panel.appendChild(els.typing);
    els.panel.appendChild(els.status);
    els.panel.appendChild(els.retry);
    els.panel.appendChild(form);
    els.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { toggle(false); }
    });
    els.launcher.addEventListener("click", function () { toggle(els.panel.hidden); });

    var root = el("div", { "class": "dvc-root", lang: "vi" });
    els.root = root;
    root.appendChild(els.panel);
    root.appendChild(els.launcher);
    document.body.appendChild(root);
    history.forEach(renderMessage);
  }

  loadStylesheet();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
})();
