// The page's behaviour that needs no server: citation links, copy, export, the question box's
// counter and button, scrolling to a new answer, and a few accessibility repairs of Gradio's
// own markup. Loaded once in <head>; it works by event delegation, so it survives re-renders.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  document.documentElement.lang = "zh-CN"; // the page is Chinese whatever the browser's language

  function reveal(target) {
    for (let el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    target.scrollIntoView({ block: "start", behavior: "instant" });
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation
    target.classList.add("flash");
    const focusable = target.tagName === "DETAILS" ? target.querySelector("summary") : target;
    if (focusable) {
      if (!focusable.hasAttribute("tabindex") && focusable.tagName !== "SUMMARY") focusable.setAttribute("tabindex", "-1");
      focusable.focus({ preventScroll: true });
    }
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (err) {
      // no Clipboard API (an insecure origin): copy from a hidden selection, then give focus back
      const had = document.activeElement;
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.focus();
      area.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (ignored) {
        ok = false;
      }
      area.remove();
      if (had && had.focus) had.focus({ preventScroll: true });
      return ok;
    }
  }

  async function copyFrom(button) {
    const holder = button.parentElement;
    const source = holder && holder.querySelector("textarea.copy-source");
    const said = holder && holder.querySelector(".copied");
    if (!source) return;
    const ok = await copyText(source.value);
    if (said) {
      said.textContent = ok ? "已复制" : "复制失败，请手动选择文字复制";
      clearTimeout(said._timer);
      said._timer = setTimeout(() => { said.textContent = ""; }, 4000);
    }
  }

  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/markdown;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // -- the page's own message area: every message in Chinese, none in a Gradio toast ----------
  const ENGLISH = [
    [/HTTP 401|unauthori[sz]ed|admin token/i, "管理口令缺失或不正确：请先在“管理口令”中输入口令，再选择或上传文件。"],
    [/HTTP 413|too large/i, "文件过大，未能上传。"],
    [/HTTP 429|too many/i, "操作过于频繁，请稍后再试。"],
    [/invalid file type/i, "所选文件中有不支持的类型，未能上传；可上传的类型见“上传文件”的说明。"],
    [/connection|network|failed to fetch|errored out|lost/i, "与服务器的连接中断了。请检查网络后点“重试”。"],
  ];
  function chinese(text) {
    const said = String(text || "").trim();
    for (const [pattern, zh] of ENGLISH) if (pattern.test(said)) return zh;
    // a message of the page's own (Chinese) keeps its Chinese part only
    const zhPart = said.split(" / ")[0];
    return /[\u4e00-\u9fff]/.test(zhPart) ? zhPart : "操作未完成：服务器返回了错误，请稍后重试。";
  }
  function adminActive() {
    const tab = $("#tab-admin");
    return tab && tab.offsetParent !== null;
  }
  function say(text, retry = false) {
    const area = $(adminActive() ? "#admin-msg" : "#page-msg");
    if (!area) return;
    const shown = area.querySelector(".pa-msg");
    if (shown && shown.dataset.text === text && !!shown.querySelector(".retry") === retry) return; // said already
    const box = shown || area.appendChild(document.createElement("div"));
    box.dataset.text = text;
    box.className = "pa-msg";
    box.setAttribute("role", "alert");
    box.textContent = "";
    const line = document.createElement("p");
    line.className = "ask-error";
    line.textContent = `⚠️ ${text}`;
    if (retry) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "retry";
      again.textContent = "重试";
      line.appendChild(again);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "msg-close";
    close.setAttribute("aria-label", "关闭提示");
    close.textContent = "×";
    line.appendChild(close);
    box.appendChild(line);
  }
  function unsay() {
    document.querySelectorAll(".pa-msg").forEach((box) => box.remove());
  }
  window.__paSay = say; // for the browser tests

  // a dropped connection: a message with 重试, and the answer box out of 正在查找…
  const realFetch = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const url = String(args[0] && args[0].url ? args[0].url : args[0]);
    try {
      const response = await realFetch(...args);
      if (url.includes("/gradio_api/upload") && response.status === 401) say(chinese("HTTP 401"));
      return response;
    } catch (err) {
      if (url.includes("/gradio_api/") && !(err && err.name === "AbortError")) {
        lostConnection();
      }
      throw err;
    }
  };
  function lostConnection() {
    const loading = $("#answer-panel .pa-loading");
    // a question on its way when the connection went: kept for the next page, which asks it again.
    // Gradio reloads the page by itself once the server answers again (it polls every 2 s), so
    // this is kept now, not only when 重试 is pressed; either reload finds it.
    const box = $("#question textarea");
    if ((loading || Date.now() - sentAt < 1500) && box && box.value.trim() !== "") {
      try { sessionStorage.setItem("pa-retry", box.value); } catch (err) { /* private mode */ }
    }
    sentAt = 0;
    if (loading) {
      loading.classList.remove("pa-loading");
      loading.removeAttribute("aria-busy");
      loading.innerHTML = '<p class="key-fact">未能取得答案：连接中断。</p>';
    }
    say(chinese("connection lost"), true);
  }
  // Gradio's own toasts (English, or raw JSON) are hidden (page.css); their text comes here
  new MutationObserver(() => {
    document.querySelectorAll(".toast-body:not([data-pa-seen])").forEach((toast) => {
      toast.dataset.paSeen = "1";
      const text = toast.querySelector(".toast-text, .toast-details")?.innerText || toast.innerText;
      if (/connection|errored|network|lost/i.test(text)) lostConnection();
      else say(chinese(text));
      toast.querySelector("button.toast-close")?.click();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // a file chosen before the admin token is typed: said at once, nothing sent
  function tokenMissing(event) {
    if (!event.target.closest || !event.target.closest("#upload-file")) return;
    const token = $("#admin-token input");
    if (token && token.value.trim() === "") {
      event.preventDefault();
      event.stopImmediatePropagation();
      say("请先在“管理口令”中输入口令，再选择要上传的文件。");
    }
  }
  ["click", "drop"].forEach((type) => document.addEventListener(type, tokenMissing, true));

  // -- sending a question: Enter sends, Shift+Enter breaks the line; one sent while an answer is
  // being looked for waits its turn (never lost)
  let queued = false;
  // the question a lost connection left for this page to ask (read once, as the page loads)
  let retryQuestion = null;
  try {
    retryQuestion = sessionStorage.getItem("pa-retry");
    sessionStorage.removeItem("pa-retry");
  } catch (err) { /* private mode */ }
  let sentAt = 0; // 提问 pressed: busy at once, before 正在查找… comes back from the server
  const busy = () => !!$("#answer-panel .pa-loading") || Date.now() - sentAt < 1500;
  const sent = () => { sentAt = Date.now(); };
  function setQuestion(text) {
    const box = $("#question textarea");
    if (!box) return;
    box.value = text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  window.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || !event.target.matches ||
        !event.target.matches("#question textarea")) return;
    if (!busy()) {
      if (event.target.value.trim() !== "") sent();
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.target.value.trim() === "") return;
    queued = true;
    say("上一个问题还在查找中：您的问题已保留，答完后自动提问。");
  }, true);

  // the 回到答案 control after a jump to a citation card
  let jumpedFrom = null;
  function backControl() {
    let back = $("#back-to-answer");
    if (!back) {
      back = document.createElement("button");
      back.type = "button";
      back.id = "back-to-answer";
      back.textContent = "↑ 回到答案";
      back.hidden = true;
      document.body.appendChild(back);
    }
    return back;
  }

  // the cited sentence, previewed on hover (desktop) or a long press (phone)
  function preview(link) {
    const quote = link.dataset.quote;
    if (!quote) return;
    let tip = $("#cite-preview");
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "cite-preview";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    tip.textContent = quote;
    tip.hidden = false;
    const r = link.getBoundingClientRect();
    tip.style.top = `${window.scrollY + r.bottom + 6}px`;
    tip.style.left = `${Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + window.innerWidth - 328))}px`;
    link.setAttribute("aria-describedby", "cite-preview");
  }
  function unpreview() {
    const tip = $("#cite-preview");
    if (tip) tip.hidden = true;
  }
  document.addEventListener("mouseover", (event) => {
    const link = event.target.closest && event.target.closest("a.cite");
    if (link) preview(link);
  });
  document.addEventListener("mouseout", (event) => {
    if (event.target.closest && event.target.closest("a.cite")) unpreview();
  });
  let pressTimer = null;
  let pressed = false;
  document.addEventListener("touchstart", (event) => {
    const link = event.target.closest && event.target.closest("a.cite");
    if (!link) return unpreview();
    pressed = false;
    pressTimer = setTimeout(() => { pressed = true; preview(link); }, 450);
  }, { passive: true });
  document.addEventListener("touchend", () => clearTimeout(pressTimer));

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.cite, a.cite-chip");
    if (link) {
      event.preventDefault();
      if (pressed) { pressed = false; return; } // a long press previewed it; no jump
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        jumpedFrom = link;
        reveal(target);
        backControl().hidden = false;
      }
      return;
    }
    if (event.target.closest("#ask")) {
      sent();
      sync();
      return;
    }
    if (event.target.closest("#back-to-answer")) {
      const box = $("#answer-panel .answer-box");
      const from = jumpedFrom && document.contains(jumpedFrom) ? jumpedFrom : box;
      if (from) {
        from.scrollIntoView({ block: "center", behavior: "instant" });
        from.focus({ preventScroll: true });
      }
      backControl().hidden = true;
      return;
    }
    if (event.target.closest("button.retry")) {
      // a fresh connection: the page again (the conversation is kept in the browser), and the
      // question in the box asked again once it is back
      const box = $("#question textarea");
      try { sessionStorage.setItem("pa-retry", box ? box.value : ""); } catch (err) { /* private mode */ }
      window.location.reload();
      return;
    }
    if (event.target.closest("button.msg-close")) {
      unsay();
      return;
    }
    if (event.target.closest("button.undo-new")) {
      $("#undo-new")?.click();
      return;
    }
    const suggestion = event.target.closest("button.suggest");
    if (suggestion) {
      setQuestion(suggestion.dataset.q || suggestion.textContent);
      setTimeout(() => $("#ask")?.click(), 50);
      return;
    }
    const rate = event.target.closest("button.rate-turn");
    if (rate) {
      const carrier = $("#rate-turn textarea, #rate-turn input");
      if (carrier) {
        carrier.value = `${rate.dataset.turn}:${rate.dataset.rating}`;
        carrier.dispatchEvent(new Event("input", { bubbles: true }));
        setTimeout(() => $("#rate-turn-go")?.click(), 50);
      }
      return;
    }
    const copy = event.target.closest("button.copy-answer");
    if (copy) {
      copyFrom(copy);
      return;
    }
    const exporter = event.target.closest("button.export-md");
    if (exporter) {
      const source = exporter.parentElement.querySelector("textarea.export-source");
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
      if (source) download(`对话记录-${stamp}.md`, source.value);
    }
  });

  document.addEventListener("keydown", (event) => {
    // Alt+C: copy the current answer (with its sources and department)
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyC") {
      const button = $("#answer-panel button.copy-answer");
      if (button) {
        event.preventDefault();
        copyFrom(button);
      }
    }
  });

  // Tab in an open dropdown: move on and leave the list closed (Gradio's own handler would pick
  // the highlighted option and keep the list open, and focus would fall back to the page).
  window.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.key === "Tab" && input instanceof HTMLInputElement && input.getAttribute("role") === "combobox") {
      const tabbable = [...document.querySelectorAll(
        "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), textarea:not([disabled])," +
        " select:not([disabled]), summary, [tabindex]:not([tabindex='-1'])")]
        .filter((el) => el === input || (el.offsetParent !== null && !el.closest("[hidden], [aria-hidden=true]")));
      const next = tabbable[tabbable.indexOf(input) + (event.shiftKey ? -1 : 1)];
      event.preventDefault();
      event.stopImmediatePropagation();
      input.blur();
      if (next) next.focus();
    }
  }, true);

  // 文件管理: the page's upload endpoint takes files only with the admin token, which the page
  // sends as a session cookie limited to that path (web/guard.py, UploadGate)
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("#admin-token input")) {
      document.cookie = `pa_admin=${encodeURIComponent(event.target.value)}; path=/gradio_api/upload; SameSite=Strict`;
    }
  });

  let lastAnswer = null;
  function sync() {
    // the question box: a character counter, and 提问 only when there is a question
    const box = $("#question textarea");
    const count = $("#q-count");
    const ask = $("#ask");
    if (box && count) {
      const max = Number(count.dataset.max || 1000);
      const length = [...box.value].length;
      count.textContent = `${length} / ${max}`;
      count.classList.toggle("over", length > max);
      if (ask) ask.disabled = busy() || box.value.trim() === "" || length > max;
    }
    if ($("#answer-panel .pa-loading")) sentAt = 0;
    // after a reload a lost connection led to (重试, or Gradio's own once the server answers):
    // the question back in its box, and asked as soon as 提问 takes it (not after a fixed delay)
    if (retryQuestion && box && ask && performance.now() > 1500) {
      if (box.value !== retryQuestion) setQuestion(retryQuestion);
      else if (!ask.disabled && !busy()) {
        retryQuestion = null;
        ask.click();
      }
    }
    // a question queued while the last was looked for: sent once that answer is in
    if (queued && !busy() && ask && !ask.disabled) {
      queued = false;
      unsay();
      ask.click();
    }
    // a new answer: bring its first line into view
    const answer = $("#answer-panel .answer-box");
    if (!answer) {
      lastAnswer = null;
    } else if (answer.dataset.live === "1" && answer.dataset.answer !== lastAnswer) {
      lastAnswer = answer.dataset.answer;
      // the question box emptied only while it still holds the question just answered
      if (box && !queued && box.value.trim() === (answer.dataset.question || "").trim()) setQuestion("");
      if ($("#back-to-answer")) backControl().hidden = true;
      // the question and its answer together when both fit in the upper part of the screen, else the answer
      const asked = $("#question");
      const gap = asked ? answer.getBoundingClientRect().top - asked.getBoundingClientRect().top : Infinity;
      (gap < window.innerHeight * 0.4 ? asked : answer).scrollIntoView({ block: "start", behavior: "instant" });
      // focus back in the question box, ready for the next question
      if (box) box.focus({ preventScroll: true });
    }
    // the selected region shown as its name, without the tree's indentation
    const region = $("#region input");
    if (region && document.activeElement !== region && /^[\u3000 └]+/.test(region.value)) {
      region.value = region.value.replace(/^[\u3000 └]+/, "");
    }
    // the 撤销 of 新对话 lasts a few seconds
    document.querySelectorAll(".undo-note:not([data-shown])").forEach((note) => {
      note.dataset.shown = "1";
      setTimeout(() => note.remove(), 1000 * Number(note.dataset.seconds || 8));
    });
    // Gradio's upload area: its accessible name must contain its visible text
    document.querySelectorAll("#upload-file [aria-label]").forEach((el) => {
      const visible = el.innerText.replace(/\s+/g, " ").trim();
      if (visible && !el.getAttribute("aria-label").includes(visible)) el.setAttribute("aria-label", visible);
    });
  }
  setInterval(sync, 200);
  // and at once after a change of the page (正在查找… disables 提问 in the same frame)
  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; sync(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
