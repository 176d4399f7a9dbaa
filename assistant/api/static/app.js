// complyqa chat page: plain JS, no build step.
// Streams answers from POST /v1/chat?stream=true, turns [n] markers into links, and shows the
// cited words highlighted inside the full document text (GET /v1/documents/{id}).
"use strict";

const KEY_STORAGE = "complyqa.apiKey";
const state = {
  key: sessionStorage.getItem(KEY_STORAGE) || "",
  conversationId: null,
  busy: false,
  documents: new Map(), // doc_id -> DocumentRecord (cache)
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------
// HTTP

function headers(extra = {}) {
  const h = { ...extra };
  if (state.key) h["Authorization"] = `Bearer ${state.key}`;
  return h;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    return new ApiError(response.status, body.detail || body.title || response.statusText);
  } catch {
    return new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
  }
}

async function getJSON(url) {
  const response = await fetch(url, { headers: headers() });
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

// Server-sent events from a fetch response body: yields {event, data}.
async function* sseEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
  }
}

// ---------------------------------------------------------------------------------------
// API key

function askForKey(message) {
  const dialog = $("key-dialog");
  $("key-error").hidden = !message;
  $("key-error").textContent = message || "";
  $("key-input").value = "";
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

async function probe({ quiet = false } = {}) {
  // GET /v1/documents answers 401 when the server wants a key. `quiet`: a shared citation
  // link is open, so the key dialog waits until the reader asks for it.
  const response = await fetch("/v1/documents", { headers: headers() });
  if (response.status === 401) {
    $("change-key").hidden = false;
    if (!quiet) askForKey(state.key ? "That key was not accepted." : "");
    return false;
  }
  if (!response.ok) throw await problemOf(response);
  $("change-key").hidden = !state.key;
  fillGroups(await response.json());
  return true;
}

function fillGroups(documents) {
  const select = $("group-filter");
  const current = select.value;
  const groups = [...new Set(documents.map((d) => d.group).filter(Boolean))].sort();
  select.replaceChildren(new Option("All groups", ""));
  for (const group of groups) {
    const count = documents.filter((d) => d.group === group).length;
    select.add(new Option(`${group} (${count})`, group));
  }
  if (groups.includes(current)) select.value = current;
}

// ---------------------------------------------------------------------------------------
// Rendering

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

function sourceLabel(c) {
  let label = c.title;
  if (c.section) label += ` — ${c.section}`;
  if (c.date) label += ` (${c.date})`;
  if (notCurrent(c)) label += ` [${c.validity}]`;
  if (c.source) label += ` (${c.source})`;
  return label;
}

// A cited text that is not the one in force today (superseded, repealed, amended without
// the amendment indexed) must never look current: the server decides (`current`) and says
// why in `validity`.
function notCurrent(c) {
  return c.current === false && Boolean(c.validity);
}

function versionStatus(c) {
  if (!c.validity) return null;
  const warn = notCurrent(c);
  return el("div", { class: warn ? "version-status not-current" : "version-status" }, (warn ? "⚠ " : "") + c.validity);
}

// Answer text with every [n] marker that has a citation turned into a link.
function renderAnswerText(container, answer) {
  container.replaceChildren();
  const byMarker = new Map(answer.citations.map((c) => [c.marker, c]));
  const paragraphs = answer.text.split(/\n+/);
  for (const para of paragraphs) {
    const p = el("p");
    let last = 0;
    for (const m of para.matchAll(/\[(\d+)\]/g)) {
      const citation = byMarker.get(Number(m[1]));
      if (!citation) continue;
      p.append(para.slice(last, m.index));
      const link = el("a", { class: "cite", href: "#", title: sourceLabel(citation), "data-marker": m[1] }, `[${m[1]}]`);
      link.addEventListener("click", (e) => {
        e.preventDefault();
        openSource(citation, link);
      });
      p.append(link);
      last = m.index + m[0].length;
    }
    p.append(para.slice(last));
    container.append(p);
  }
}

function answerWithSources(answer) {
  if (!answer.citations.length) return answer.text;
  // Same shape as the OpenAI-compatible endpoint: [n] title — section (date): "quote"
  const lines = answer.citations.map(
    (c) => `[${c.marker}] ${sourceLabel(c)}: "${c.quote.split(/\s+/).join(" ")}"`
  );
  return `${answer.text}\n\nSources:\n${lines.join("\n")}`;
}

function renderFinal(bubble, answer) {
  const body = bubble.querySelector(".answer-text");
  renderAnswerText(body, answer);
  bubble.classList.toggle("abstained", answer.abstained);
  bubble.answer = answer; // the Answer as received, for tools and tests
  bubble.dataset.done = "true";

  const footer = bubble.querySelector(".answer-footer");
  footer.replaceChildren();
  if (answer.citations.length) {
    const list = el("ol", { class: "sources" });
    for (const c of answer.citations) {
      const link = el("a", { href: "#", class: "source-link", title: sourceLabel(c), "data-marker": String(c.marker) }, c.title);
      link.addEventListener("click", (e) => {
        e.preventDefault();
        openSource(c, link);
      });
      const body = el("div", { class: "source-body" }, link);
      const meta = [c.section, c.date].filter(Boolean).join(" · ");
      if (meta) body.append(el("div", { class: "source-meta-inline" }, meta));
      const status = versionStatus(c);
      if (status) body.append(status);
      // Where the text came from: an upload is someone's document, not the law itself.
      const upload = c.source && c.source !== "corpus";
      body.append(el("div", { class: upload ? "source-origin upload" : "source-origin" }, c.source || "corpus"));
      list.append(el("li", {}, el("span", { class: "marker" }, `[${c.marker}]`), body));
    }
    footer.append(list);
  }
  const actions = el("div", { class: "answer-actions" });
  const copy = el("button", { type: "button", class: "ghost small copy" }, "Copy answer with sources");
  copy.addEventListener("click", async () => {
    const text = answerWithSources(answer);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = el("textarea", { value: text });
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    copy.textContent = "Copied";
    setTimeout(() => (copy.textContent = "Copy answer with sources"), 1500);
  });
  actions.append(copy);
  const t = answer.timings || {};
  let provenance = `${answer.mode} · profile ${answer.profile} · ${Math.round(t.total_ms || 0)} ms`;
  const removed = (answer.unverified || []).length;
  if (removed) provenance = `${removed} unsupported sentence(s) removed · ${provenance}`;
  actions.append(el("span", { class: "provenance" }, provenance));
  footer.append(actions);
}

function addQuestion(text) {
  $("empty-state")?.remove();
  const bubble = el("div", { class: "msg question" }, el("div", { class: "msg-body" }, text));
  $("messages").append(bubble);
}

function addAnswerBubble() {
  const bubble = el(
    "div",
    { class: "msg answer", "data-done": "false" },
    el("div", { class: "answer-text" }, el("span", { class: "typing" }, "Searching the sources…")),
    el("div", { class: "answer-footer" })
  );
  $("messages").append(bubble);
  bubble.scrollIntoView({ block: "end", behavior: "smooth" });
  return bubble;
}

function showError(bubble, message) {
  bubble.dataset.done = "error";
  bubble.classList.add("failed");
  bubble.querySelector(".answer-text").replaceChildren(el("p", { class: "error-text" }, message));
}

// ---------------------------------------------------------------------------------------
// Asking

async function ask(question) {
  if (state.busy || !question.trim()) return;
  state.busy = true;
  $("ask").disabled = true;
  addQuestion(question);
  const bubble = addAnswerBubble();
  const group = $("group-filter").value;
  const body = { question, conversation_id: state.conversationId };
  if (group) body.filters = { groups: [group] };
  const asOf = $("as-of").value;
  if (asOf) body.as_of = asOf;
  let streamed = "";
  try {
    const response = await fetch("/v1/chat?stream=true", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      askForKey("The server did not accept the API key.");
      throw await problemOf(response);
    }
    if (!response.ok) throw await problemOf(response);
    for await (const { event, data } of sseEvents(response)) {
      if (event === "delta") {
        streamed += JSON.parse(data).text;
        const text = bubble.querySelector(".answer-text");
        text.replaceChildren(...streamed.split(/\n+/).map((line) => el("p", {}, line)));
      } else if (event === "conversation") {
        state.conversationId = JSON.parse(data).conversation_id;
      } else if (event === "answer") {
        renderFinal(bubble, JSON.parse(data));
      } else if (event === "error") {
        const problem = JSON.parse(data);
        showError(bubble, problem.detail || problem.title);
      }
    }
    if (bubble.dataset.done === "false") showError(bubble, "The answer stream ended early.");
  } catch (err) {
    showError(bubble, err.message || String(err));
  } finally {
    state.busy = false;
    $("ask").disabled = false;
    bubble.scrollIntoView({ block: "end", behavior: "smooth" });
  }
}

// ---------------------------------------------------------------------------------------
// Source panel

async function loadDocument(docId) {
  if (!state.documents.has(docId)) {
    const path = docId.split("/").map(encodeURIComponent).join("/");
    state.documents.set(docId, await getJSON(`/v1/documents/${path}`));
  }
  return state.documents.get(docId);
}

async function openSource(citation, link) {
  document.querySelectorAll("a.cite.active, a.source-link.active").forEach((a) => a.classList.remove("active"));
  link?.classList.add("active");
  const panel = $("source-panel");
  panel.hidden = false;
  document.body.classList.add("with-source");
  $("source-title").textContent = `[${citation.marker}] ${citation.title}`;
  const meta = [citation.section, citation.date, citation.doc_id].filter(Boolean);
  $("source-meta").replaceChildren(...meta.map((m) => el("span", {}, m)));
  const status = versionStatus(citation);
  if (status) $("source-meta").append(status);
  $("source-quote").textContent = "";
  const textBox = $("source-text");
  textBox.replaceChildren(el("p", { class: "typing" }, "Loading the document…"));
  try {
    const doc = await loadDocument(citation.doc_id);
    const text = doc.text;
    const mark = el("mark", { id: "cited" }, text.slice(citation.start, citation.end));
    textBox.replaceChildren(text.slice(0, citation.start), mark, text.slice(citation.end));
    if (text.slice(citation.start, citation.end) !== citation.quote) {
      $("source-quote").textContent = "The document changed since this answer: the highlighted text differs from the quote.";
      $("source-quote").classList.add("warning");
    } else {
      $("source-quote").classList.remove("warning");
      $("source-quote").textContent = `Characters ${citation.start}–${citation.end} of ${text.length}`;
    }
    mark.scrollIntoView({ block: "center", behavior: "instant" });
  } catch (err) {
    textBox.replaceChildren(el("p", { class: "error-text" }, err.message || String(err)));
  }
}

// A citation link from another client (Open WebUI): /?passage=<doc id>&start&end&expires&sig.
// The signature is the permission; no API key is needed to see that one passage.
function sharedLinkParams() {
  const params = new URLSearchParams(window.location.search);
  const wanted = ["passage", "start", "end", "expires", "sig"];
  return wanted.every((k) => params.has(k)) ? params : null;
}

async function openSharedPassage(params) {
  const panel = $("source-panel");
  panel.hidden = false;
  document.body.classList.add("with-source");
  $("source-title").textContent = "Cited passage";
  $("source-meta").replaceChildren();
  $("source-quote").classList.remove("warning");
  $("source-quote").textContent = "";
  const textBox = $("source-text");
  textBox.replaceChildren(el("p", { class: "typing" }, "Loading the passage…"));
  const query = new URLSearchParams();
  for (const k of ["passage", "start", "end", "expires", "sig"]) query.set(k, params.get(k));
  try {
    const response = await fetch(`/v1/shared-passage?${query}`);
    if (!response.ok) throw await problemOf(response);
    const p = await response.json();
    $("source-title").textContent = p.title;
    const meta = [p.date, p.doc_id].filter(Boolean);
    $("source-meta").replaceChildren(...meta.map((m) => el("span", {}, m)));
    const until = new Date(p.expires * 1000).toISOString().slice(0, 10);
    $("source-quote").textContent = `Shared citation: characters ${p.start}–${p.end}; this link works until ${until}`;
    const mark = el("mark", { id: "cited" }, p.quote);
    const head = p.start - p.before.length > 0 ? "…" : "";
    const tail = p.end + p.after.length < p.chars ? "…" : "";
    textBox.replaceChildren(head + p.before, mark, p.after + tail);
    mark.scrollIntoView({ block: "center", behavior: "instant" });
  } catch (err) {
    textBox.replaceChildren(el("p", { class: "error-text" }, err.message || String(err)));
  }
}

function closeSource() {
  $("source-panel").hidden = true;
  document.body.classList.remove("with-source");
  document.querySelectorAll("a.active").forEach((a) => a.classList.remove("active"));
}

// ---------------------------------------------------------------------------------------
// Wiring

function newConversation() {
  state.conversationId = null;
  $("messages").replaceChildren();
  closeSource();
  $("question").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const question = $("question").value;
    $("question").value = "";
    ask(question);
  });
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  document.querySelectorAll(".example").forEach((b) =>
    b.addEventListener("click", () => ask(b.textContent))
  );
  $("new-chat").addEventListener("click", newConversation);
  $("source-close").addEventListener("click", closeSource);
  $("change-key").addEventListener("click", () => askForKey(""));
  $("key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    state.key = $("key-input").value.trim();
    sessionStorage.setItem(KEY_STORAGE, state.key);
    $("key-dialog").close();
    try {
      if (await probe()) $("question").focus();
    } catch (err) {
      askForKey(err.message);
    }
  });
  const shared = sharedLinkParams();
  if (shared) openSharedPassage(shared);
  probe({ quiet: Boolean(shared) }).catch((err) => console.error(err));
});
