/* The sandbox web chat: talk to the offline Appeal Bot as one of the sandbox's people.
 *
 * Plain browser JavaScript, no build step, nothing loaded from the network but this server.
 * Every message is built as DOM nodes: the bot's Telegram HTML is parsed in an inert document
 * and copied through an allow-list (b, i, u, s, a, code, pre, blockquote, tg-spoiler); people's
 * own text only ever becomes text nodes. Nothing is assigned to innerHTML.
 */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const state = {
    bot: { name: "Appeal Bot", username: "" },
    people: new Map(),      // id -> person
    current: null,          // id of the person you are
    after: 0,               // newest event seen
    unread: new Map(),      // id -> count
    commands: [],
    typingTimer: null,
    loading: new Map(),     // message id -> timer, buttons waiting for the bot's answer
    generation: 0,          // bumps when you switch person (drops stale responses)
  };

  // ------------------------------------------------------------------ small helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key.startsWith("--")) node.style.setProperty(key, value);  // CSSOM: CSP allows it
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(path, options = {}) {
    const init = { method: options.method || "GET", headers: {} };
    if (options.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.form) {
      init.body = options.form;
    }
    const response = await fetch(path, init);
    let payload = null;
    try { payload = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok || !payload || payload.ok === false) {
      const reason = (payload && payload.error) || `${response.status} ${response.statusText}`;
      throw new Error(reason);
    }
    return payload;
  }

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  function timeOf(seconds) {
    const d = new Date(seconds * 1000);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function sizeOf(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function initials(name) {
    const parts = String(name || "?").trim().split(/\s+/);
    return (parts[0][0] + (parts[1] ? parts[1][0] : "")).toUpperCase();
  }

  function hue(id) { return (Number(id) * 47) % 360; }

  let toastTimer = null;
  function toast(text, kind = "") {
    const box = $("toast");
    box.textContent = text;
    box.className = "toast" + (kind ? " " + kind : "");
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 3500);
  }

  function showAlert(text) {
    $("alert-title").textContent = state.bot.name;
    $("alert-text").textContent = text;
    $("alert").hidden = false;
    $("alert-ok").focus();
  }
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; $("input").focus(); });

  // ------------------------------------------------------------------ safe rich text
  const SAFE_SCHEMES = ["http:", "https:", "mailto:", "tg:"];

  function safeHref(raw) {
    if (!raw) return null;
    const href = raw.trim();
    let url;
    try { url = new URL(href); } catch (_) {
      try { url = new URL("http://" + href); } catch (_) { return null; }
    }
    return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
  }

  function link(href, children) {
    const safe = safeHref(href);
    if (!safe) return null;
    if (safe.startsWith("tg:")) {
      return el("span", { class: "mention", title: safe }, ...children);
    }
    return el("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, ...children);
  }

  function spoiler() {
    const node = el("span", { class: "spoiler", title: "Spoiler: click to show" });
    node.addEventListener("click", () => node.classList.add("revealed"), { once: true });
    return node;
  }

  function quote(expandable) {
    const node = el("blockquote", { class: expandable ? "expandable collapsed" : null });
    if (expandable) node.addEventListener("click", () => node.classList.toggle("collapsed"));
    return node;
  }

  /* The element to build for one element of the bot's HTML, or null to keep only its
   * children (anything not on Telegram's list of tags). */
  function allowed(source) {
    switch (source.localName) {
      case "b": case "strong": return el("b");
      case "i": case "em": return el("i");
      case "u": case "ins": return el("u");
      case "s": case "strike": case "del": return el("s");
      case "code": {
        const lang = /^language-([\w+#.-]{1,32})$/.exec(source.getAttribute("class") || "");
        return el("code", { "data-language": lang ? lang[1] : null });
      }
      case "pre": return el("pre");
      case "blockquote": return quote(source.hasAttribute("expandable"));
      case "tg-spoiler": return spoiler();
      case "span":
        return (source.getAttribute("class") || "").split(/\s+/).includes("tg-spoiler")
          ? spoiler() : null;
      default: return null;
    }
  }

  function copyAllowed(target, source, context) {
    for (const child of source.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        appendText(target, child.nodeValue, context);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.localName === "a") {
          const inner = el("span");
          copyAllowed(inner, child, { ...context, plain: true });
          const anchor = link(child.getAttribute("href"), [...inner.childNodes]);
          if (anchor) target.append(anchor); else target.append(...inner.childNodes);
          continue;
        }
        const made = allowed(child);
        const inCode = context.plain || ["code", "pre"].includes(child.localName);
        if (made) {
          copyAllowed(made, child, { ...context, plain: inCode });
          target.append(made);
        } else {
          copyAllowed(target, child, context);
        }
      }
    }
  }

  // Like Telegram: /commands in the bot's messages can be tapped, bare links open.
  const AUTO = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'»])|(^|[\s(«"])(\/[a-z][a-z0-9_]{0,31})(?=$|[\s.,;:!?)»"])/gi;

  function appendText(target, text, context) {
    if (context.plain || !context.fromBot) { target.append(document.createTextNode(text)); return; }
    let last = 0;
    for (const match of text.matchAll(AUTO)) {
      let start = match.index;
      let node;
      if (match[1]) {
        node = link(match[1], [document.createTextNode(match[1])]);
      } else {
        start += match[2].length;
        const command = match[3];
        node = el("a", { href: "#", class: "command-link", title: `Send ${command}`,
                         onclick: (e) => { e.preventDefault(); sendText(command); } }, command);
      }
      if (!node) continue;
      target.append(document.createTextNode(text.slice(last, start)));
      target.append(node);
      last = start + (match[1] ? match[1].length : match[3].length);
    }
    target.append(document.createTextNode(text.slice(last)));
  }

  function renderHtml(target, html, fromBot) {
    // Parsed into an inert document (nothing in it runs, loads or fires events); only the
    // allow-listed copies built by copyAllowed ever reach the page.
    const parsed = new DOMParser().parseFromString(
      `<!doctype html><html><body>${html}</body></html>`, "text/html");
    copyAllowed(target, parsed.body, { fromBot, plain: false });
  }

  /* Text + Telegram entities (UTF-16 offsets, which is what JavaScript strings index). */
  function renderEntities(target, text, entities, fromBot) {
    const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
    function build(parent, start, end, list, plain) {
      const context = { fromBot, plain };
      let pos = start;
      let i = 0;
      while (i < list.length) {
        const entity = list[i];
        const eEnd = entity.offset + entity.length;
        const inner = [];
        let j = i + 1;
        while (j < list.length && list[j].offset < eEnd) { inner.push(list[j]); j += 1; }
        if (entity.offset > pos) appendText(parent, text.slice(pos, entity.offset), context);
        const node = entityNode(entity, text.slice(entity.offset, eEnd));
        const innerPlain = plain || ["code", "pre", "text_link", "url"].includes(entity.type);
        build(node || parent, Math.max(pos, entity.offset), eEnd, inner, innerPlain);
        if (node) parent.append(node);
        pos = Math.max(pos, eEnd);
        i = j;
      }
      if (pos < end) appendText(parent, text.slice(pos, end), context);
    }
    function entityNode(entity, slice) {
      switch (entity.type) {
        case "bold": return el("b");
        case "italic": return el("i");
        case "underline": return el("u");
        case "strikethrough": return el("s");
        case "code": return el("code");
        case "pre": return el("pre");
        case "blockquote": return quote(false);
        case "expandable_blockquote": return quote(true);
        case "spoiler": return spoiler();
        case "text_link": return link(entity.url, []);
        case "url": return link(slice, []);
        default: return null;
      }
    }
    build(target, 0, text.length, sorted, !fromBot);
  }

  function renderText(target, message) {
    const fromBot = message.from_bot;
    if (fromBot && message.html && (message.parse_mode || "").toLowerCase() === "html") {
      renderHtml(target, message.html, true);
    } else if (message.entities && message.entities.length) {
      renderEntities(target, message.text || "", message.entities, fromBot);
    } else {
      appendText(target, message.text || "", { fromBot, plain: !fromBot });
    }
  }

  // ------------------------------------------------------------------ messages
  function messageNode(message) {
    const fromBot = message.from_bot;
    const bubble = el("div", { class: "bubble" });
    if (message.document) {
      const d = message.document;
      const ext = (d.filename || "").split(".").pop().toLowerCase();
      bubble.append(el("a", {
        class: "document", href: d.url, download: d.filename || "file",
        title: `Download ${d.filename || "the file"}`,
      },
      el("span", { class: "document-icon", "data-ext": ext.slice(0, 4) }, ext.slice(0, 4) || "file"),
      el("span", { class: "document-info" },
        el("span", { class: "document-name", text: d.filename || "file" }),
        el("span", { class: "document-size", text: `${sizeOf(d.size)} · Download` }))));
    }
    if (message.photo) {
      const p = message.photo;
      bubble.append(el("a", { class: "photo", href: p.url, target: "_blank", rel: "noopener" },
        el("img", { src: p.url, alt: "photo", width: p.width || null, height: p.height || null })));
    }
    if (message.text) {
      const body = el("div", { class: "text" });
      renderText(body, message);
      bubble.append(body);
    }
    bubble.append(el("span", { class: "meta" },
      message.edited ? el("span", { class: "edited", text: "edited" }) : null,
      el("time", { text: timeOf(message.date) })));

    const row = el("div", {
      class: `message ${fromBot ? "from-bot" : "from-me"}`,
      "data-id": message.message_id,
      "data-edited": message.edited || 0,
    }, bubble);
    if (fromBot && message.buttons && message.buttons.length) {
      row.append(keyboardNode(message));
    }
    return row;
  }

  function keyboardNode(message) {
    const board = el("div", { class: "keyboard" });
    for (const buttons of message.buttons) {
      const line = el("div", { class: "keyboard-row" });
      for (const button of buttons) line.append(buttonNode(message, button));
      board.append(line);
    }
    return board;
  }

  function buttonNode(message, button) {
    if (button.url || (button.login_url && button.login_url.url)) {
      const href = safeHref(button.url || button.login_url.url);
      if (href && !href.startsWith("tg:")) {
        return el("a", { class: "kb-button kb-url", href, target: "_blank",
                         rel: "noopener noreferrer", title: href },
          button.text, el("span", { class: "kb-corner", "aria-hidden": "true" }, "↗"));
      }
    }
    if (button.callback_data !== undefined) {
      return el("button", {
        type: "button", class: "kb-button", "data-callback": button.callback_data,
        onclick: (event) => press(message.message_id, button.callback_data, event.currentTarget),
      }, button.text);
    }
    if (button.copy_text) {
      return el("button", {
        type: "button", class: "kb-button",
        onclick: () => navigator.clipboard.writeText(button.copy_text.text)
          .then(() => toast("Copied to the clipboard")),
      }, button.text);
    }
    return el("button", { type: "button", class: "kb-button", disabled: true,
                          title: "This kind of button does not work in the sandbox" }, button.text);
  }

  function nearBottom() {
    const box = $("messages");
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function scrollDown() { const box = $("messages"); box.scrollTop = box.scrollHeight; }

  function upsertMessage(message, { scroll = true } = {}) {
    const box = $("messages");
    const existing = box.querySelector(`.message[data-id="${message.message_id}"]`);
    if (message.deleted) { if (existing) existing.remove(); updateEmpty(); return; }
    const stick = nearBottom();
    const node = messageNode(message);
    if (existing) {
      if (Number(existing.dataset.edited) > (message.edited || 0)) return;  // an older snapshot
      existing.replaceWith(node);
      if (message.edited) node.classList.add("just-edited");
      if (stick && !node.nextElementSibling) scrollDown();  // the newest message grew
    } else {
      // keep chat order by message id
      let before = null;
      for (const other of box.querySelectorAll(".message")) {
        if (Number(other.dataset.id) > message.message_id) { before = other; break; }
      }
      box.insertBefore(node, before);
      if (scroll && (stick || !message.from_bot || !before)) scrollDown();
    }
    if (message.from_bot) setReplyKeyboard(message);
    updateEmpty();
  }

  function updateEmpty() {
    const box = $("messages");
    const empty = box.querySelector(".empty");
    const hasMessages = !!box.querySelector(".message");
    if (hasMessages && empty) empty.remove();
    if (!hasMessages && !empty) {
      box.append(el("div", { class: "empty" },
        el("div", { class: "empty-card" },
          el("div", { class: "avatar avatar-bot avatar-large", "aria-hidden": "true" }, "AB"),
          el("p", { class: "empty-title", text: state.bot.name }),
          el("p", { text: "Follow the cases of people prosecuted for their work, hear about " +
                          "hearings, and write the letters each appeal asks for." }),
          el("button", { type: "button", class: "start-button",
                         onclick: () => sendText("/start") }, "START"))));
    }
  }

  function setReplyKeyboard(message) {
    const area = $("reply-keyboard");
    if (message.keyboard === null || message.keyboard === undefined) return;
    area.replaceChildren();
    for (const texts of message.keyboard) {
      const line = el("div", { class: "keyboard-row" });
      for (const text of texts) {
        line.append(el("button", { type: "button", class: "kb-button",
                                   onclick: () => sendText(text) }, text));
      }
      area.append(line);
    }
    area.hidden = !message.keyboard.length;
  }

  // ------------------------------------------------------------------ acting
  async function sendText(text) {
    const id = state.current;
    if (!text.trim() || id === null) return;
    hideMenu();
    try {
      const { message } = await api(`/api/people/${id}/send`, { method: "POST", json: { text } });
      if (id === state.current) upsertMessage(message);
    } catch (error) {
      toast(`Could not send: ${error.message}`, "error");
    }
  }

  async function press(messageId, data, button) {
    const id = state.current;
    button.classList.add("loading");
    button.disabled = true;
    clearTimeout(state.loading.get(messageId));
    state.loading.set(messageId, setTimeout(() => stopLoading(messageId), 10000));
    try {
      await api(`/api/people/${id}/press`,
                { method: "POST", json: { message_id: messageId, callback_data: data } });
    } catch (error) {
      stopLoading(messageId);
      toast(error.message, "error");
    }
  }

  function stopLoading(messageId) {
    clearTimeout(state.loading.get(messageId));
    state.loading.delete(messageId);
    const row = $("messages").querySelector(`.message[data-id="${messageId}"]`);
    if (!row) return;
    for (const b of row.querySelectorAll(".kb-button.loading")) {
      b.classList.remove("loading");
      b.disabled = false;
    }
  }

  async function sendFile(file) {
    const id = state.current;
    const form = new FormData();
    form.append("document", file, file.name);
    try {
      const { message } = await api(`/api/people/${id}/document`, { method: "POST", form });
      if (id === state.current) upsertMessage(message);
    } catch (error) {
      toast(`Could not send the file: ${error.message}`, "error");
    }
  }

  // ------------------------------------------------------------------ people
  function renderPeople() {
    const list = $("people");
    list.replaceChildren();
    for (const person of state.people.values()) {
      const unread = state.unread.get(person.id) || 0;
      const item = el("li", {},
        el("button", {
          type: "button",
          class: "person" + (person.id === state.current ? " active" : ""),
          "data-person-id": person.id,
          "aria-current": person.id === state.current ? "true" : null,
          onclick: () => selectPerson(person.id),
        },
        el("span", { class: "avatar", "--hue": hue(person.id), "aria-hidden": "true" },
           initials(person.full_name)),
        el("span", { class: "person-text" },
          el("span", { class: "person-name", text: person.full_name }),
          el("span", { class: "person-role",
                       text: person.owner ? "coordinator menu" : "supporter" })),
        person.owner ? el("span", { class: "badge-owner", text: "owner" }) : null,
        unread ? el("span", { class: "unread", title: `${unread} new`, text: String(unread) })
               : null));
      list.append(item);
    }
  }

  function addPerson(person) {
    state.people.set(person.id, person);
    renderPeople();
  }

  async function selectPerson(id) {
    id = Number(id);
    if (!state.people.has(id)) return;
    const generation = ++state.generation;
    state.current = id;
    state.unread.delete(id);
    if (location.hash !== `#${id}`) history.replaceState(null, "", `#${id}`);
    const person = state.people.get(id);
    showPeople(false);
    $("me-name").textContent = person.full_name;
    $("messages").replaceChildren();
    $("reply-keyboard").hidden = true;
    $("toast").hidden = true;
    hideMenu();
    renderPeople();
    let chat;
    try {
      [chat] = await Promise.all([api(`/api/people/${id}/messages`), loadCommands()]);
    } catch (error) {
      toast(`Could not load the chat: ${error.message}`, "error");
      return;
    }
    if (generation !== state.generation) return;
    $("messages").replaceChildren();
    for (const message of chat.messages) upsertMessage(message, { scroll: false });
    updateEmpty();
    scrollDown();
    $("input").focus();
  }

  // ------------------------------------------------------------------ command menu
  async function loadCommands() {
    const id = state.current;
    try {
      const { commands } = await api(`/api/people/${id}/commands`);
      if (id === state.current) state.commands = commands;
    } catch (_) { state.commands = []; }
    $("menu-button").hidden = false;
    if (!$("command-menu").hidden) showMenu($("input").value);
  }

  function showMenu(filter = "") {
    const menu = $("command-menu");
    const wanted = filter.startsWith("/") ? filter.slice(1).toLowerCase() : "";
    const items = state.commands.filter((c) => c.command.startsWith(wanted));
    menu.replaceChildren();
    if (!items.length) {
      menu.append(el("div", { class: "command-empty",
                              text: state.commands.length ? "No command starts like that"
                                                          : "The bot has no commands here" }));
    }
    for (const c of items) {
      menu.append(el("button", {
        type: "button", class: "command", role: "menuitem", "data-command": c.command,
        onclick: () => { $("input").value = ""; sendText(`/${c.command}`); },
      }, el("span", { class: "command-name", text: `/${c.command}` }),
         el("span", { class: "command-description", text: c.description })));
    }
    menu.hidden = false;
    $("menu-button").setAttribute("aria-expanded", "true");
  }

  function hideMenu() {
    $("command-menu").hidden = true;
    $("menu-button").setAttribute("aria-expanded", "false");
  }

  // ------------------------------------------------------------------ live updates
  function handleEvent(event) {
    const chat = event.chat_id;
    switch (event.type) {
      case "message":
      case "edit":
      case "delete":
        if (chat === state.current) {
          upsertMessage(event.message);
          if (event.message.from_bot) setStatus("bot");
        } else if (event.type === "message" && event.message.from_bot && state.people.has(chat)) {
          state.unread.set(chat, (state.unread.get(chat) || 0) + 1);
          renderPeople();
        }
        break;
      case "callback_answer":
        if (chat !== state.current) break;
        stopLoading(event.data.message_id);
        if (event.data.text) {
          if (event.data.show_alert) showAlert(event.data.text); else toast(event.data.text);
        }
        break;
      case "chat_action":
        if (chat === state.current && event.data.action === "typing") setStatus("typing…", 5000);
        break;
      case "user":
        if (event.person) addPerson(event.person);
        break;
      case "commands":
        loadCommands();
        break;
      default:
        break;
    }
  }

  function setStatus(text, ms) {
    $("chat-status").textContent = text === "bot" ? `bot · @${state.bot.username}` : text;
    clearTimeout(state.typingTimer);
    if (ms) state.typingTimer = setTimeout(() => setStatus("bot"), ms);
  }

  async function pollEvents() {
    for (;;) {
      try {
        const reply = await api(`/api/events?after=${state.after}&timeout=25`);
        $("connection").hidden = true;
        if (reply.reset) {  // the sandbox restarted: start over
          state.after = reply.last;
          await loadInfo();
          continue;
        }
        for (const event of reply.events) handleEvent(event);
        state.after = reply.last;
      } catch (_) {
        $("connection").hidden = false;
        await sleep(1500);
      }
    }
  }

  async function waitForBot() {
    setStatus("starting… (messages wait until the bot is up)");
    for (;;) {
      await sleep(400);
      try {
        if ((await api("/api/info")).bot_ready) { setStatus("bot"); return; }
      } catch (_) { /* the poll loop reports the connection */ }
    }
  }

  async function loadInfo() {
    const info = await api("/api/info");
    state.bot = info.bot;
    state.after = info.last_event;
    $("bot-name").textContent = info.bot.name;
    if (info.bot_ready) setStatus("bot"); else waitForBot();
    $("banner-db").textContent = info.database ? `Sandbox data: ${info.database}` : "";
    state.people = new Map(info.people.map((p) => [p.id, p]));
    const wanted = Number(location.hash.slice(1));
    const first = info.people.find((p) => !p.owner) || info.people[0];
    const current = state.people.has(wanted) ? wanted
      : state.people.has(state.current) ? state.current : first.id;
    state.current = null;
    await selectPerson(current);
  }

  // ------------------------------------------------------------------ wiring
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    autosize();
    sendText(text);
  });

  function autosize() {
    const input = $("input");
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  $("input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape") {
      hideMenu();
    }
  });

  $("input").addEventListener("input", () => {
    autosize();
    const value = $("input").value;
    if (/^\/\w*$/.test(value)) showMenu(value); else hideMenu();
  });

  $("menu-button").addEventListener("click", () => {
    if ($("command-menu").hidden) showMenu(); else hideMenu();
  });

  document.addEventListener("click", (event) => {
    if (!event.target.closest("#command-menu, #menu-button, #input")) hideMenu();
  });

  // At phone width the list of people is a drawer behind the ☰ button in the chat header.
  function showPeople(open) {
    document.body.classList.toggle("people-open", open);
    $("people-toggle").setAttribute("aria-expanded", String(open));
    $("sidebar-scrim").hidden = !open;
  }
  $("people-toggle").addEventListener("click", () =>
    showPeople(!document.body.classList.contains("people-open")));
  $("sidebar-scrim").addEventListener("click", () => showPeople(false));

  $("attach-button").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", () => {
    const file = $("file-input").files[0];
    $("file-input").value = "";
    if (file) sendFile(file);
  });

  $("add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("new-name").value.trim();
    if (!name) return;
    try {
      const { person } = await api("/api/people", { method: "POST", json: { first_name: name } });
      $("new-name").value = "";
      addPerson(person);
      selectPerson(person.id);
    } catch (error) {
      toast(`Could not add ${name}: ${error.message}`, "error");
    }
  });

  window.addEventListener("hashchange", () => {
    const id = Number(location.hash.slice(1));
    if (state.people.has(id) && id !== state.current) selectPerson(id);
  });

  (async () => {
    for (;;) {
      try { await loadInfo(); break; } catch (_) {
        $("connection").hidden = false;
        await sleep(1500);
      }
    }
    $("connection").hidden = true;
    document.body.dataset.ready = "1";
    pollEvents();
  })();
})();
