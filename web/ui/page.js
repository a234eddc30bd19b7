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

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.cite, a.cite-chip");
    if (link) {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        reveal(target);
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
      if (ask) ask.disabled = box.value.trim() === "" || length > max;
    }
    // a new answer: bring its first line into view
    const answer = $("#answer-panel .answer-box");
    if (!answer) {
      lastAnswer = null;
    } else if (answer.dataset.live === "1" && answer.dataset.answer !== lastAnswer) {
      lastAnswer = answer.dataset.answer;
      // the question and its answer together when both fit in the upper part of the screen, else the answer
      const asked = $("#question");
      const gap = asked ? answer.getBoundingClientRect().top - asked.getBoundingClientRect().top : Infinity;
      (gap < window.innerHeight * 0.4 ? asked : answer).scrollIntoView({ block: "start", behavior: "instant" });
      answer.focus({ preventScroll: true });
    }
    // Gradio's upload area: its accessible name must contain its visible text
    document.querySelectorAll("#upload-file [aria-label]").forEach((el) => {
      const visible = el.innerText.replace(/\s+/g, " ").trim();
      if (visible && !el.getAttribute("aria-label").includes(visible)) el.setAttribute("aria-label", visible);
    });
  }
  setInterval(sync, 200);
})();
