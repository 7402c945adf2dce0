// The commune assistant's chat page. Plain browser JavaScript, no build step.
// Everything a message contains is put on the page as text (textContent / text nodes):
// never parsed as HTML, so a message cannot inject markup or script.
(function () {
  "use strict";

  var SESSION_KEY = "commune-assistant.session";
  var REQUEST_TIMEOUT_MS = 35000; // the gateway waits up to 30 s for Rasa
  var AUTO_RETRIES = 2; // silent retries on network failure or a busy server, then a button
  var ZALO_TOKEN_TIMEOUT_MS = 3000;
  var STAFF_MESSAGE = "Tôi muốn gặp cán bộ";
  var URL_RE = /https?:\/\/[^\s<>"'`]+/g;

  var $ = function (id) { return document.getElementById(id); };
  var log = $("log");
  var input = $("input");
  var form = $("composer");
  var sendButton = $("send");
  var typing = $("typing");
  var notice = $("notice");
  var noticeText = $("notice-text");
  var retryButton = $("retry");
  var handoffBanner = $("handoff");
  var maxChars = parseInt(document.body.getAttribute("data-max-chars"), 10) || 2000;
  // Inactivity before the optional 1-5 rating is offered (0 = never) and the poll period for
  // staff messages; both set by the gateway (RATING_IDLE_MINUTES, CHAT_POLL_SECONDS).
  var ratingIdleMs = parseInt(document.body.getAttribute("data-rating-idle-ms"), 10) || 0;
  var pollMs = Math.max(500, parseInt(document.body.getAttribute("data-poll-ms"), 10) || 5000);

  var busy = false;
  var pending = null; // the message waiting for an answer: {text, bubble}
  var zaloToken = null;
  var zaloTried = false;
  var staffCursor = 0; // time of the newest staff message shown
  var staffShown = {}; // ids of staff messages on the page
  var ratingDue = false;
  var idleTimer = null;

  // -- storage (may be unavailable: private mode, disabled storage) ---------------------------
  function readSession() {
    try { return window.localStorage.getItem(SESSION_KEY); } catch (e) { return null; }
  }
  function saveSession(value) {
    if (typeof value !== "string" || !value) return;
    session = value;
    try { window.localStorage.setItem(SESSION_KEY, value); } catch (e) { /* memory only */ }
  }
  function forgetSession() {
    session = null;
    try { window.localStorage.removeItem(SESSION_KEY); } catch (e) { /* nothing stored */ }
  }
  var session = readSession();

  // -- Zalo Mini App identity: only when the page runs inside Zalo -----------------------------
  function zaloSdk() {
    var sdk = window.zmpSdk || window.zmp || null;
    return sdk && typeof sdk.getAccessToken === "function" ? sdk : null;
  }
  function getZaloToken() {
    if (zaloTried) return Promise.resolve(zaloToken);
    zaloTried = true;
    var sdk = zaloSdk();
    if (!sdk) return Promise.resolve(null); // outside Zalo: anonymous session
    return new Promise(function (resolve) {
      var done = function (value) {
        zaloToken = typeof value === "string" && value ? value : null;
        resolve(zaloToken);
      };
      var timer = setTimeout(function () { done(null); }, ZALO_TOKEN_TIMEOUT_MS);
      var finish = function (value) { clearTimeout(timer); done(value); };
      try {
        var result = sdk.getAccessToken({ success: finish, fail: function () { finish(null); } });
        if (result && typeof result.then === "function") {
          result.then(finish, function () { finish(null); });
        }
      } catch (e) {
        finish(null);
      }
    });
  }

  // -- rendering ---------------------------------------------------------------------------------
  function safeHref(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // Text with its http(s) links made clickable; everything else stays a text node.
  function appendRichText(parent, text) {
    var last = 0;
    String(text).replace(URL_RE, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]}]+$/, ""); // trailing punctuation is the sentence's
      var href = safeHref(url);
      if (!href) return match;
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = document.createElement("a");
      a.href = href;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      parent.appendChild(a);
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(String(text).slice(last)));
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function removeChips() {
    var groups = log.querySelectorAll(".chips");
    for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
  }

  function addMessage(role, text, buttons) {
    var wrap = document.createElement("div");
    wrap.className = "msg " + role;
    var bubble = document.createElement("p");
    bubble.className = "bubble";
    if (role === "staff") {
      var from = document.createElement("span");
      from.className = "from";
      from.setAttribute("aria-hidden", "true");
      from.textContent = "Cán bộ xã";
      wrap.appendChild(from);
    }
    var who = document.createElement("span");
    who.className = "sr-only";
    who.textContent = role === "user" ? "Anh/chị: " : role === "staff" ? "Cán bộ xã: " : "Trợ lý ảo: ";
    bubble.appendChild(who);
    appendRichText(bubble, text || "");
    wrap.appendChild(bubble);
    if (buttons && buttons.length) {
      var group = document.createElement("div");
      group.className = "chips";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Lựa chọn");
      buttons.forEach(function (b) {
        if (!b || typeof b.title !== "string") return;
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = b.title;
        chip.setAttribute("data-payload", typeof b.payload === "string" ? b.payload : b.title);
        group.appendChild(chip);
      });
      wrap.appendChild(group);
    }
    log.appendChild(wrap);
    scrollToEnd();
    return wrap;
  }

  function addSystem(text) {
    var p = document.createElement("p");
    p.className = "system";
    p.textContent = text;
    log.appendChild(p);
    scrollToEnd();
  }

  function showBotMessages(messages) {
    messages.forEach(function (m) {
      if (m && (m.text || (m.buttons && m.buttons.length))) addMessage("bot", m.text, m.buttons);
    });
  }

  function setHandoff(active) { handoffBanner.hidden = !active; }

  // A staff message from the history or a poll: shown once, and moves the poll cursor.
  function showStaff(entry) {
    if (!entry || typeof entry.text !== "string") return;
    if (typeof entry.at === "number" && entry.at > staffCursor) staffCursor = entry.at;
    if (entry.id) {
      if (staffShown[entry.id]) return;
      staffShown[entry.id] = true;
    }
    addMessage("staff", entry.text, []);
  }

  // -- the optional rating after inactivity: the gateway says when one is due -------------------
  function setRatingDue(value) {
    ratingDue = value === true;
    touch();
  }
  function touch() {
    if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
    if (ratingDue && ratingIdleMs > 0 && session) idleTimer = setTimeout(offerRating, ratingIdleMs);
  }
  async function offerRating() {
    idleTimer = null;
    if (busy || pending) { touch(); return; }
    ratingDue = false; // asked once per page, whatever the answer
    var body = { session: session };
    if (zaloToken) body.zalo_access_token = zaloToken;
    try {
      var res = await postJson("api/rating/idle", body);
      if (res.status === 200 && res.data && Array.isArray(res.data.messages)) {
        if (res.data.messages.length) removeChips();
        showBotMessages(res.data.messages);
      }
    } catch (e) { /* offline: no prompt, nothing lost */ }
  }

  // -- staff messages and the handoff state, polled while the page is open ----------------------
  async function poll() {
    if (session && document.visibilityState !== "hidden") {
      var body = { session: session, since: staffCursor };
      if (zaloToken) body.zalo_access_token = zaloToken;
      try {
        var res = await postJson("api/updates", body);
        if (res.status === 200 && res.data && Array.isArray(res.data.messages)) {
          if (res.data.messages.length) {
            res.data.messages.forEach(showStaff);
            touch();
          }
          setHandoff(res.data.handoff === true);
          if (res.data.rating_due === true && !ratingDue && !idleTimer) setRatingDue(true);
        }
      } catch (e) { /* offline: try again at the next tick */ }
    }
    setTimeout(poll, pollMs);
  }

  function showNotice(text, retryable) {
    noticeText.textContent = text;
    retryButton.hidden = !retryable;
    notice.hidden = false;
  }
  function hideNotice() { notice.hidden = true; retryButton.hidden = true; }

  function markFailed(bubble) {
    if (!bubble || bubble.classList.contains("failed")) return;
    bubble.classList.add("failed");
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = "Chưa gửi được";
    bubble.appendChild(meta);
  }
  function clearFailed(bubble) {
    if (!bubble) return;
    bubble.classList.remove("failed");
    var meta = bubble.querySelector(".meta");
    if (meta) bubble.removeChild(meta);
  }

  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    sendButton.disabled = value;
    var chips = log.querySelectorAll(".chip");
    for (var i = 0; i < chips.length; i++) chips[i].disabled = value;
    if (value) log.setAttribute("aria-busy", "true"); else log.removeAttribute("aria-busy");
    scrollToEnd();
  }

  // -- network -----------------------------------------------------------------------------------
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function postJson(path, body) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, data: data, retryAfter: retryAfterMs(response) };
      });
    }).finally(function () { if (timer) clearTimeout(timer); });
  }

  // The server's Retry-After (seconds) on 429/503, capped so a citizen never waits long
  // silently; null when absent or unreadable.
  var MAX_RETRY_AFTER_MS = 10000;
  function retryAfterMs(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    return isNaN(seconds) || seconds < 0 ? null : Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  }

  function messageOf(res, fallback) {
    return res && res.data && typeof res.data.message === "string" ? res.data.message : fallback;
  }

  async function deliver() {
    if (!pending) return;
    var current = pending;
    setBusy(true);
    hideNotice();
    clearFailed(current.bubble);
    try {
      for (var attempt = 0; ; attempt++) {
        var res;
        var token = await getZaloToken();
        var body = { text: current.text, session: session };
        if (token) body.zalo_access_token = token;
        try {
          res = await postJson("api/chat", body);
        } catch (networkError) {
          if (attempt < AUTO_RETRIES) { await sleep(1000 * (attempt + 1)); continue; }
          markFailed(current.bubble);
          showNotice("Dạ, chưa kết nối được tới hệ thống. Anh/chị kiểm tra mạng rồi bấm “Thử lại” ạ.", true);
          return;
        }
        if (res.data && typeof res.data.session === "string") saveSession(res.data.session);
        if (res.status === 200 && res.data && Array.isArray(res.data.messages)) {
          pending = null;
          showBotMessages(res.data.messages);
          setHandoff(res.data.handoff === true);
          setRatingDue(res.data.rating_due === true);
          return;
        }
        if (res.status === 401 && token) {
          // The Zalo token was refused: carry on anonymously rather than block the citizen.
          zaloToken = null;
          continue;
        }
        if (res.status >= 500 && attempt < AUTO_RETRIES) {
          await sleep(res.retryAfter !== null ? res.retryAfter : 1000 * (attempt + 1));
          continue;
        }
        markFailed(current.bubble);
        var retryable = res.status >= 500 || res.status === 429;
        if (!retryable) pending = null; // the server refused this message: resending will not help
        showNotice(messageOf(res, "Dạ, hệ thống đang bận, anh/chị vui lòng thử lại sau ít phút ạ."), retryable);
        return;
      }
    } finally {
      setBusy(false);
    }
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) return;
    if (text.length > maxChars) {
      showNotice("Dạ, tin nhắn dài quá " + maxChars + " ký tự, anh/chị vui lòng rút gọn giúp em ạ.", false);
      return;
    }
    if (pending && pending.bubble) pending.bubble.classList.add("failed"); // given up for a new one
    removeChips();
    pending = { text: text, bubble: addMessage("user", shown || text, []) };
    touch();
    deliver();
  }

  async function restore() {
    var token = await getZaloToken();
    if (!session && !token) return;
    var body = { session: session };
    if (token) body.zalo_access_token = token;
    var res;
    try {
      res = await postJson("api/history", body);
    } catch (e) {
      return; // offline: the page still works, the history comes back next time
    }
    if (res.status === 401 && !token) { forgetSession(); return; }
    if (res.status !== 200 || !res.data || !Array.isArray(res.data.messages)) return;
    saveSession(res.data.session);
    var entries = res.data.messages;
    var lastUser = -1;
    entries.forEach(function (e, i) { if (e && e.role === "user") lastUser = i; });
    if (entries.length) {
      removeChips();
      addSystem("Cuộc trò chuyện trước đó");
    }
    entries.forEach(function (e, i) {
      if (!e || typeof e.text !== "string") return;
      if (e.role === "staff") { showStaff(e); return; }
      addMessage(e.role === "user" ? "user" : "bot", e.text, i > lastUser ? e.buttons : []);
    });
    setHandoff(res.data.handoff === true);
    setRatingDue(res.data.rating_due === true);
  }

  async function clearHistory() {
    if (!window.confirm("Xoá lịch sử cuộc trò chuyện này và bắt đầu cuộc trò chuyện mới?")) return;
    var token = await getZaloToken();
    var body = { session: session };
    if (token) body.zalo_access_token = token;
    try {
      var res = await postJson("api/history/clear", body);
      if (res.status !== 200 && res.status !== 401) {
        showNotice(messageOf(res, "Dạ, chưa xoá được, anh/chị vui lòng thử lại ạ."), false);
        return;
      }
    } catch (e) {
      showNotice("Dạ, chưa kết nối được tới hệ thống để xoá lịch sử, anh/chị thử lại sau ạ.", false);
      return;
    }
    forgetSession();
    window.location.reload();
  }

  // -- events ------------------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    autoGrow();
    send(text);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }
  input.addEventListener("input", autoGrow);

  log.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest(".chip") : null;
    if (!chip || busy) return;
    send(chip.getAttribute("data-payload") || chip.textContent, chip.textContent);
  });

  retryButton.addEventListener("click", function () { deliver(); });
  $("staff").addEventListener("click", function () { send(STAFF_MESSAGE); });
  $("clear").addEventListener("click", function () { clearHistory(); });

  restore().catch(function () { /* the page works without it */ })
    .then(function () { setTimeout(poll, pollMs); });
})();
