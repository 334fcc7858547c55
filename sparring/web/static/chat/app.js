/* Sparring web chat: start screen, chat with a difficult customer, scorecard.
 *
 * Plain JavaScript, no build step. The page talks to Rasa's socket.io channel directly
 * (same host name, Rasa's port from /api/config) and to this web server for the scenario
 * list and, after a reload or a lost connection, the conversation so far (rebuilt from
 * Rasa's tracker store). Every text from the server or the trainee is inserted with
 * textContent, never as HTML.
 */
(function () {
  "use strict";

  var STORE_KEY = "sparring.session.v1";
  var NAME_KEY = "sparring.trainee";
  var MOVES = ["listen", "empathize", "apologize", "resolve"];
  var MOVE_NAMES = { listen: "Listen", empathize: "Empathize", apologize: "Apologize", resolve: "Resolve" };
  var PERSONAS = {
    angry: "Angry", legal_threat: "Threatens legal action", abusive: "Abusive", impatient: "Impatient",
    indecisive: "Indecisive", unreasonable_demand: "Unreasonable demands", talkative: "Talkative",
    public_exposure: "Threatens to go public"
  };
  var PENALTIES = {
    blame: "Blamed the customer", argue: "Argued", dismiss: "Dismissed the problem", insult: "Rude or sarcastic",
    jargon: "Unexplained jargon", overpromise: "Promised too much", calm_down: "Told them to calm down",
    wrong_facts: "Details not this customer's"
  };
  var DIFFICULTY_ORDER = { easy: 0, medium: 1, hard: 2 };
  var SLOW_SERVER_MS = 20000;

  // ---------------------------------------------------------------- state
  var config = null;
  var scenarios = [];
  var socket = null;
  var session = null;       // {senderId (the conversation's secret), scenarioId, trainee, mode, ended}
  var scenario = null;      // the scenario summary from /api/scenarios
  var confirmed = false;    // socket.io session_confirm received on the current connection
  var startSent = false;
  var syncing = false;      // catching up from the tracker store: bot messages wait
  var replies = [];         // the trainee's replies: {text, bubble, emitted, acked}
  var queue = [];           // bot messages waiting for their turn on screen
  var draining = false;
  var lastSpokeAt = 0;      // when the trainee sent, or the customer's previous line appeared
  var pendingTurns = [];    // replies still waiting for their turn's scores
  var restored = [];        // customer lines restored from the tracker store after a reconnect
  var lastRestoredTurn = 0; // turn payloads up to this one were already rebuilt from the store
  var earned = {};          // move -> {quote, turn}
  var scoreRequested = false;
  var slowTimers = [];      // one per message Rasa has not acknowledged yet
  var endTimer = null;

  var $ = function (id) { return document.getElementById(id); };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") node.textContent = props[key];
      else if (key === "className") node.className = props[key];
      else if (key.slice(0, 5) === "data-" || key.slice(0, 5) === "aria-" || key === "role" || key === "title" ||
               key === "type" || key === "tabindex" || key === "for" || key === "id" || key === "name" || key === "value")
        node.setAttribute(key, props[key]);
      else node[key] = props[key];
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function show(node, visible) { node.hidden = !visible; }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function fmt(n) { return (Math.round(n * 10) / 10).toString(); }
  function firstName(name) { return (name || "The customer").split(" ")[0]; }
  function personaLabel(p) { return PERSONAS[p] || String(p || "").replace(/_/g, " "); }

  function newSenderId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function saveSession() {
    try { localStorage.setItem(STORE_KEY, JSON.stringify(session)); } catch (e) { /* private mode: no resume */ }
  }
  function loadSession() {
    try { return JSON.parse(localStorage.getItem(STORE_KEY) || "null"); } catch (e) { return null; }
  }
  function forgetSession() {
    try { localStorage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
  }

  // ---------------------------------------------------------------- banner / status
  function banner(text, retry) {
    $("banner-text").textContent = text;
    var button = $("banner-retry");
    button.hidden = !retry;
    button.onclick = retry || null;
    show($("banner"), true);
  }
  function hideBanner() { show($("banner"), false); }
  function status(text) { $("connection").textContent = text || ""; }

  // ---------------------------------------------------------------- HTTP
  function getJSON(url, headers) {
    headers = Object.assign({ Accept: "application/json" }, headers || {});
    return fetch(url, { headers: headers, cache: "no-store" }).then(function (response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error("HTTP " + response.status + " from " + url);
      return response.json();
    });
  }

  // The conversation's secret travels as a header, never in an address (access logs).
  function fetchTranscriptOf(secret) {
    return getJSON("/api/transcript", { "X-Sparring-Conversation": secret });
  }

  function serverError(what, error) {
    banner("Sorry, " + what + " failed (" + (error && error.message ? error.message : error) +
           "). Check that Sparring is running (make run), then try again.", function () { location.reload(); });
  }

  // ---------------------------------------------------------------- views
  function view(name) {
    show($("loading"), false);
    ["start-view", "chat-view", "scorecard-view"].forEach(function (id) { show($(id), id === name); });
    document.body.setAttribute("data-view", name);
  }

  // ---------------------------------------------------------------- start screen
  function renderScenarios() {
    var list = $("scenario-list");
    clear(list);
    var sorted = scenarios.slice().sort(function (a, b) {
      return (DIFFICULTY_ORDER[a.difficulty] || 0) - (DIFFICULTY_ORDER[b.difficulty] || 0) ||
        a.title.localeCompare(b.title);
    });
    sorted.forEach(function (s) {
      var situation = String(s.situation || "");
      var oneLine = situation.split(/(?<=[.!?])\s/)[0];
      var radio = el("input", { type: "radio", name: "scenario", value: s.id, id: "scenario-" + s.id });
      var option = el("label", {
        className: "scenario", "data-testid": "scenario-option", "data-scenario-id": s.id, "for": "scenario-" + s.id
      }, [
        radio,
        el("span", { className: "scenario-body" }, [
          el("span", { className: "scenario-title", text: s.title }),
          el("span", { className: "badges" }, [
            el("span", { className: "badge persona persona-" + s.persona, text: personaLabel(s.persona) }),
            el("span", { className: "badge difficulty difficulty-" + s.difficulty, text: s.difficulty })
          ]),
          el("span", { className: "scenario-situation", text: oneLine, title: situation })
        ])
      ]);
      list.appendChild(option);
    });
    if (!sorted.length) list.appendChild(el("p", { className: "form-error", text: "No scenarios are available: ask your trainer to run `sparring lint`." }));
  }

  function showStart(prefill) {
    view("start-view");
    var name = $("trainee-name");
    name.value = (prefill && prefill.trainee) || localStorage.getItem(NAME_KEY) || name.value || "";
    if (prefill && prefill.scenarioId) {
      var radio = document.getElementById("scenario-" + prefill.scenarioId);
      if (radio) radio.checked = true;
    }
    if (prefill && prefill.mode) {
      document.querySelector('input[name=mode][value="' + prefill.mode + '"]').checked = true;
    }
    $("start-error").textContent = "";
    name.focus();
  }

  function onStart(event) {
    event.preventDefault();
    var trainee = $("trainee-name").value.trim();
    var chosen = document.querySelector("input[name=scenario]:checked");
    var mode = document.querySelector("input[name=mode]:checked").value;
    if (!trainee) {
      $("start-error").textContent = "Please type your name: it goes on your scorecard.";
      $("trainee-name").focus();
      return;
    }
    if (!chosen) {
      $("start-error").textContent = "Please pick a customer.";
      var first = document.querySelector("input[name=scenario]");
      if (first) first.focus();
      return;
    }
    try { localStorage.setItem(NAME_KEY, trainee); } catch (e) { /* ignore */ }
    startConversation(chosen.value, trainee, mode);
  }

  function startConversation(scenarioId, trainee, mode) {
    session = { senderId: newSenderId(), scenarioId: scenarioId, trainee: trainee, mode: mode, ended: false };
    saveSession();
    openChat();
    startSent = false;
    typing(true);
    connect();
  }

  // ---------------------------------------------------------------- chat view
  function resetChatState() {
    queue = []; pendingTurns = []; restored = []; replies = []; earned = {};
    scoreRequested = false; draining = false; syncing = false; lastRestoredTurn = 0;
    lastSpokeAt = Date.now();
    clearSlowTimers(); clearTimeout(endTimer);
  }

  function openChat() {
    resetChatState();
    scenario = scenarios.filter(function (s) { return s.id === session.scenarioId; })[0] ||
      { id: session.scenarioId, title: session.scenarioId, customer_name: "The customer", persona: "", difficulty: "" };
    var name = scenario.customer_name || "The customer";
    $("customer-name").textContent = name;
    $("avatar").textContent = name.split(" ").map(function (w) { return w.charAt(0); }).join("").slice(0, 2);
    $("customer-meta").textContent = [personaLabel(scenario.persona), scenario.difficulty, scenario.title]
      .filter(Boolean).join(" · ");
    $("situation").textContent = scenario.situation || "";
    var transcript = $("transcript");
    if (transcript.parentNode !== $("chat-main")) $("chat-main").insertBefore(transcript, $("typing"));
    clear($("log"));
    var practice = session.mode !== "assessment";
    show($("coach-practice"), practice);
    show($("coach-assessment"), !practice);
    document.body.setAttribute("data-mode", session.mode);
    setMood(null);
    MOVES.forEach(function (move) {
      var item = document.querySelector('[data-testid="move-' + move + '"]');
      item.setAttribute("data-earned", "false");
      item.classList.remove("earned", "just-earned");
      item.querySelector(".move-quote").textContent = "";
    });
    setComposer(true);
    view("chat-view");
    $("message-input").value = "";
    $("message-input").focus();
  }

  function setComposer(enabled) {
    $("message-input").disabled = !enabled;
    $("send-button").disabled = !enabled;
    $("end-button").disabled = !enabled;
  }

  function scrollLog() {
    var transcript = $("transcript");
    transcript.scrollTop = transcript.scrollHeight;
  }

  function addLine(role, text, extra) {
    extra = extra || {};
    var who = role === "customer" ? firstName(scenario && scenario.customer_name) :
      role === "trainee" ? "You" : "Sparring";
    var bubble = el("p", { className: "bubble" });
    if (role === "customer") bubble.setAttribute("data-testid", "customer-message");
    if (role === "trainee") bubble.setAttribute("data-testid", "trainee-message");
    bubble.textContent = text;
    var label = el("span", { className: "who", text: extra.note ? who + " · " + extra.note : who });
    var item = el("li", { className: "msg " + role + (extra.className ? " " + extra.className : "") }, [label, bubble]);
    $("log").appendChild(item);
    scrollLog();
    return bubble;
  }

  function addNote(kind, text) {
    var item = el("li", { className: "note " + kind, text: text });
    if (kind === "hint") item.setAttribute("data-testid", "hint");
    $("log").appendChild(item);
    scrollLog();
    return item;
  }

  function typing(on) {
    var name = firstName(scenario && scenario.customer_name);
    $("typing-text").textContent = on ? name + " is typing…" : "";
    show($("typing"), on);
  }

  // Mood: 0 calm .. 10 furious (the customer's temper).
  function moodWord(mood) {
    if (mood >= 8) return "furious";
    if (mood >= 6) return "angry";
    if (mood >= 4) return "annoyed";
    if (mood >= 2) return "calming down";
    return "calm";
  }

  function setMood(mood) {
    var meter = $("mood");
    if (mood === null || mood === undefined) {
      meter.setAttribute("data-value", "");
      meter.setAttribute("aria-valuenow", "0");
      meter.setAttribute("aria-valuetext", "not known yet");
      $("mood-value").textContent = "–";
      $("mood-word").textContent = "";
      $("mood-fill").style.width = "100%";
      return;
    }
    var previous = parseFloat(meter.getAttribute("data-value"));
    meter.setAttribute("data-value", String(mood));
    meter.setAttribute("aria-valuenow", String(mood));
    meter.setAttribute("aria-valuetext", fmt(mood) + " out of 10, " + moodWord(mood));
    meter.className = "mood mood-" + moodWord(mood).replace(" ", "-") +
      (isNaN(previous) || previous === mood ? "" : previous > mood ? " falling" : " rising");
    $("mood-value").textContent = fmt(mood);
    $("mood-word").textContent = moodWord(mood);
    $("mood-fill").style.width = (100 - mood * 10) + "%";
  }

  function markEvidence(bubble, text, evidence) {
    // Highlight the phrases that earned a move (practice mode), built from text nodes only.
    var spans = (evidence || []).filter(function (e) {
      return e.move && typeof e.start === "number" && text.slice(e.start, e.end) === e.quote;
    }).sort(function (a, b) { return a.start - b.start; });
    var kept = [];
    spans.forEach(function (s) { if (!kept.length || s.start >= kept[kept.length - 1].end) kept.push(s); });
    if (!kept.length) return;
    clear(bubble);
    var at = 0;
    kept.forEach(function (s) {
      if (s.start > at) bubble.appendChild(document.createTextNode(text.slice(at, s.start)));
      bubble.appendChild(el("mark", { className: "ev ev-" + s.move, title: MOVE_NAMES[s.move] || s.move, text: text.slice(s.start, s.end) }));
      at = s.end;
    });
    if (at < text.length) bubble.appendChild(document.createTextNode(text.slice(at)));
  }

  function earn(moves, evidence, turn, animate) {
    (moves || []).forEach(function (move) {
      if (MOVES.indexOf(move) < 0 || earned[move]) return;
      var proof = (evidence || []).filter(function (e) { return e.move === move; })[0];
      earned[move] = { quote: proof ? proof.quote : "", turn: turn };
      var item = document.querySelector('[data-testid="move-' + move + '"]');
      item.setAttribute("data-earned", "true");
      item.classList.add("earned");
      if (animate) item.classList.add("just-earned");
      item.querySelector(".move-quote").textContent = earned[move].quote;
      item.setAttribute("title", "Earned at turn " + turn);
    });
  }

  // ---------------------------------------------------------------- sending
  function onComposerKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  }

  function sendReply() {
    var input = $("message-input");
    var text = input.value;
    if (!text.trim() || !session || session.ended || input.disabled) return;
    input.value = "";
    var reply = { text: text, bubble: addLine("trainee", text), emitted: false, acked: false };
    replies.push(reply);
    pendingTurns.push(reply);
    restored = [];
    lastSpokeAt = Date.now();
    if (canSend()) emitReply(reply);
    else reply.bubble.parentNode.classList.add("pending");
    input.focus();
  }

  function canSend() { return !!(socket && socket.connected && confirmed && !syncing); }

  // A control (start, end) says so; a trainee's reply is always text, even if it starts with "/".
  function emit(message, onAck, control) {
    var slow = setTimeout(function () {
      banner("The practice server has not answered for " + SLOW_SERVER_MS / 1000 + " seconds. " +
             "Your conversation is saved; wait a little, or reload the page.", function () { location.reload(); });
    }, SLOW_SERVER_MS);
    slowTimers.push(slow);
    // Rasa acknowledges once it has handled the message (its answer is already sent).
    socket.emit("user_uttered", { session_id: session.senderId, message: message, control: !!control }, function () {
      clearTimeout(slow);
      slowTimers = slowTimers.filter(function (t) { return t !== slow; });
      if (onAck) onAck();
    });
  }

  function clearSlowTimers() {
    slowTimers.forEach(clearTimeout);
    slowTimers = [];
  }

  function emitReply(reply) {
    reply.emitted = true;
    reply.bubble.parentNode.classList.remove("pending");
    emit(reply.text, function () {
      reply.acked = true;
      reply.bubble.parentNode.classList.add("delivered");
    });
  }

  function endConversation() {
    if (!session || scoreRequested) return;
    session.ended = true;
    saveSession();
    setComposer(false);
    requestScorecard();
  }

  function requestScorecard() {
    if (scoreRequested) return;
    scoreRequested = true;
    addNote("system scoring", "Scoring your conversation…");
    if (canSend()) sendEnd();
  }

  function sendEnd() { emit("/end_session", null, true); }

  function sendStart() {
    emit("/start_scenario" + JSON.stringify({ scenario_id: session.scenarioId, trainee: session.trainee, mode: session.mode }),
         null, true);
  }

  // ---------------------------------------------------------------- receiving
  function onBotUttered(data) {
    if (!data) return;
    // Rasa's socket.io channel sends {"text": ...}; our channel fix sends custom payloads as
    // {"custom": {...}}; stock Rasa would spread them as the event's fields.
    var now = Date.now();
    if (data.custom) queue.push({ custom: data.custom });
    else if (data.type) queue.push({ custom: data });
    else if (typeof data.text === "string") queue.push({ text: data.text, arrivedAt: now });
    if (!syncing) drain();
  }

  function typingDelay(text) {
    return Math.min(2000, Math.max(700, 300 + 14 * text.length));
  }

  async function drain() {
    if (draining) return;
    draining = true;
    try {
      while (queue.length && !syncing) {
        var item = queue[0];
        if (item.text !== undefined) {
          if (restored.length && restored[0] === item.text) { restored.shift(); queue.shift(); continue; }
          typing(true);
          // A short, realistic pause: reading the reply and typing the answer (at least a
          // moment of "typing…" even when the customer speaks up unprompted).
          var due = Math.max(lastSpokeAt + typingDelay(item.text), item.arrivedAt + 600);
          var wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          queue.shift();
          // An error's text comes right before its {"type": "error"} payload: show it once, as an error.
          var isError = queue.some(function (next) {
            return next.custom && next.custom.type === "error" && next.custom.message === item.text;
          });
          if (!isError) {
            var nudge = queue.length && queue[0].custom && queue[0].custom.type === "nudge";
            addLine("customer", item.text, nudge ? { className: "nudge", note: "you kept them waiting" } : {});
          }
          lastSpokeAt = Date.now();
          if (!queue.length) typing(false);
        } else {
          queue.shift();
          handleCustom(item.custom);
        }
      }
    } finally {
      draining = false;
      typing(false);
    }
  }

  function handleCustom(custom) {
    var practice = session && session.mode !== "assessment";
    switch (custom.type) {
      case "start":
        if (practice) setMood(custom.mood);
        break;
      case "turn": {
        hideBanner();
        if (custom.turn <= lastRestoredTurn) break;  // already rebuilt from the tracker store
        var pending = pendingTurns.shift();
        if (pending) {
          pending.bubble.setAttribute("data-turn", String(custom.turn));
          pending.bubble.parentNode.id = "turn-" + custom.turn;
          if (practice) markEvidence(pending.bubble, pending.text, custom.evidence);
        }
        if (practice) {
          setMood(custom.mood);
          earn(custom.moves, custom.evidence, custom.turn, true);
          if (custom.hint) addNote("hint", "Hint: " + custom.hint);
        }
        if (custom.ended) customerEnded(custom.outcome);
        break;
      }
      case "nudge":
        if (practice) setMood(custom.mood);
        if (custom.ended) customerEnded(custom.outcome);
        break;
      case "scorecard":
        clearSlowTimers();
        session.ended = true;
        saveSession();
        renderScorecard(custom.scorecard);
        break;
      case "error":
        if (custom.error === "ended") { requestScorecardAgain(); break; }
        addNote("system error", custom.message || ("Error: " + custom.error));
        if (custom.error === "no_scenario" || custom.error === "scenario_gone" || custom.error === "unknown_scenario") {
          setComposer(false);
          session.ended = true;
          saveSession();
          var back = el("button", { type: "button", className: "secondary", text: "Pick a customer" });
          back.addEventListener("click", function () { forgetSession(); showStart(session); });
          $("log").appendChild(el("li", { className: "note system" }, [back]));
          back.focus();
        }
        break;
      default:
        break;
    }
  }

  function requestScorecardAgain() { scoreRequested = false; requestScorecard(); }

  function customerEnded(outcome) {
    var name = firstName(scenario && scenario.customer_name);
    var text = outcome === "resolved" ? name + " accepted your solution." :
      outcome === "hung_up" ? name + " hung up." :
      outcome === "escalated" ? name + "'s complaint was escalated." : "The conversation has ended.";
    addNote("system ended", text);
    session.ended = true;
    saveSession();
    setComposer(false);
    // A moment to read the last line, then the scorecard.
    endTimer = setTimeout(requestScorecard, 1200);
  }

  // ---------------------------------------------------------------- connection
  function connect() {
    if (socket) { socket.off(); socket.disconnect(); }
    confirmed = false;
    if (typeof io !== "function") {
      banner("The chat library did not load (/vendor/socket.io.min.js). Run `make run` once to install it.",
             function () { location.reload(); });
      return;
    }
    var url = location.protocol + "//" + location.hostname + ":" + config.rasa_port;
    socket = io(url, {
      path: config.socket_path || "/socket.io/",
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 10000
    });
    window.__sparring.socket = socket;
    socket.on("connect", function () {
      status("");
      socket.emit("session_request", { session_id: session.senderId });
    });
    socket.on("session_confirm", onConfirmed);
    socket.on("bot_uttered", onBotUttered);
    socket.on("disconnect", function (reason) {
      confirmed = false;
      clearSlowTimers();  // their acknowledgements died with the connection; resync takes over
      if (reason === "io client disconnect") return;
      status("Reconnecting…");
      banner("Connection to the practice server lost. Reconnecting… your conversation is saved.");
    });
    socket.on("connect_error", function () {
      status("Offline");
      banner("Cannot reach the practice server (port " + config.rasa_port + "). Retrying… your conversation is saved.");
    });
  }

  async function onConfirmed() {
    confirmed = true;
    hideBanner();
    status("");
    if (!startSent) {
      startSent = true;
      lastSpokeAt = Date.now();
      sendStart();
      return;
    }
    await resync();
  }

  // After a reconnect or a reload: whatever the server said while this page was not
  // listening is in the tracker store. Rebuild from it, then send the replies the server
  // never got (typed while offline, or lost with the old connection), in order.
  async function resync() {
    syncing = true;
    try {
      while (draining) await sleep(50);
      var transcript = await fetchTranscript();
      // A reply that went out just before the connection dropped may still be in Rasa's
      // hands: give it a moment to reach the tracker store rather than send it twice.
      for (var attempt = 0; transcript && attempt < 4 && inFlight(transcript).length; attempt++) {
        await sleep(750);
        transcript = await fetchTranscript();
      }
      if (transcript === null) {
        // The start never reached the server: start again.
        sendStart();
        return;
      }
      var unsent = replies;
      if (transcript) {
        var known = (transcript.messages || []).filter(function (m) { return m.role === "trainee"; }).length;
        unsent = replies.slice(known);
        var shownCustomer = $("log").querySelectorAll("[data-testid=customer-message]").length;
        var customerLines = (transcript.messages || []).filter(function (m) { return m.role === "customer"; });
        var missed = customerLines.slice(shownCustomer).map(function (m) { return m.text; });
        if (missed.length || known > replies.length - unsent.length) {
          rebuild(transcript, unsent);
          restored = missed;
        } else {
          unsent = unsent.filter(function (r) { return !r.acked; });
        }
        if (transcript.scorecard && $("scorecard-view").hidden) { renderScorecard(transcript.scorecard); return; }
        if (transcript.ended && !session.ended) customerEnded(transcript.outcome);
      }
      if (!confirmed) return;
      unsent.forEach(emitReply);
      if (session.ended && $("scorecard-view").hidden) {
        if (!scoreRequested) { scoreRequested = true; addNote("system scoring", "Scoring your conversation…"); }
        sendEnd();
      }
    } finally {
      syncing = false;
      drain();
    }
  }

  function fetchTranscript() {
    return fetchTranscriptOf(session.senderId)
      .catch(function () { return undefined; });  // the web server is down: keep what is on screen
  }

  function inFlight(transcript) {
    var known = (transcript.messages || []).filter(function (m) { return m.role === "trainee"; }).length;
    return replies.slice(known).filter(function (r) { return r.emitted && !r.acked; });
  }

  // ---------------------------------------------------------------- resume after a reload
  function rebuild(transcript, unsent) {
    clear($("log"));
    pendingTurns = [];
    replies = [];
    earned = {};
    lastRestoredTurn = 0;
    MOVES.forEach(function (move) {
      var item = document.querySelector('[data-testid="move-' + move + '"]');
      item.setAttribute("data-earned", "false");
      item.classList.remove("earned", "just-earned");
      item.querySelector(".move-quote").textContent = "";
    });
    var practice = session.mode !== "assessment";
    var mood = null;
    (transcript.messages || []).forEach(function (m) {
      if (m.role === "trainee") {
        var bubble = addLine("trainee", m.text, { className: "delivered" });
        var reply = { text: m.text, bubble: bubble, emitted: true, acked: true };
        replies.push(reply);
        if (m.record) {
          bubble.setAttribute("data-turn", String(m.record.turn));
          bubble.parentNode.id = "turn-" + m.record.turn;
          lastRestoredTurn = Math.max(lastRestoredTurn, m.record.turn);
          if (practice) {
            markEvidence(bubble, m.text, m.record.evidence);
            earn(m.record.moves, m.record.evidence, m.record.turn, false);
          }
          if (m.record.mood_after !== undefined) mood = m.record.mood_after;
        } else {
          pendingTurns.push(reply);
        }
      } else if (m.role === "customer") {
        addLine("customer", m.text, m.nudge ? { className: "nudge", note: "you kept them waiting" } : {});
      } else {
        addNote("system", m.text);
      }
    });
    if (practice) setMood(mood !== null ? mood : transcript.opening_mood);
    (unsent || []).forEach(function (old) {
      var reply = { text: old.text, bubble: addLine("trainee", old.text, { className: "pending" }), emitted: false, acked: false };
      replies.push(reply);
      pendingTurns.push(reply);
    });
    lastSpokeAt = Date.now();
  }

  async function resume(saved) {
    session = saved;
    var transcript;
    try {
      transcript = await fetchTranscriptOf(saved.senderId);
    } catch (error) {
      serverError("loading your conversation", error);
      showStart(saved);
      return;
    }
    if (!transcript) { forgetSession(); showStart(saved); return; }
    session.mode = transcript.mode || session.mode;
    openChat();
    rebuild(transcript, []);
    if (transcript.scorecard) { renderScorecard(transcript.scorecard); return; }
    startSent = true;
    if (transcript.ended) customerEnded(transcript.outcome);
    connect();
  }

  // ---------------------------------------------------------------- scorecard
  function turnLink(turn, text) {
    var link = el("a", { className: "turn-link", href: "#turn-" + turn, text: text || "turn " + turn });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      highlightTurn(turn);
    });
    return link;
  }

  function highlightTurn(turn) {
    var target = document.getElementById("turn-" + turn);
    if (!target) return;
    Array.prototype.forEach.call(document.querySelectorAll(".msg.highlight"), function (n) { n.classList.remove("highlight"); });
    target.classList.add("highlight");
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.focus({ preventScroll: true });
  }

  // What a quote says about the case: the fact it restated, or that it fits any customer.
  var QUALITY_NOTES = { stock: "fits any customer: name this one's situation", invited: "no specific of the case yet" };

  function quoteLine(turn, quote, detail) {
    var item = el("li", { className: "quote-line" });
    if (turn !== null && turn !== undefined) { item.appendChild(turnLink(turn, "Turn " + turn)); item.appendChild(document.createTextNode(" ")); }
    if (quote) item.appendChild(el("q", { text: quote }));
    var note = detail && (detail.fact ? "restated: " + detail.fact : detail.term ? "not this customer's: " + detail.term :
      QUALITY_NOTES[detail.quality]);
    if (note) item.appendChild(el("span", { className: "quote-note", text: " (" + note + ")" }));
    return item;
  }

  function renderScorecard(card) {
    clearTimeout(endTimer);
    setComposer(false);
    typing(false);
    var name = (scenario && scenario.customer_name) || "The customer";
    $("overall-score").textContent = String(card.overall);
    $("grade").textContent = card.grade ? "Grade " + card.grade : "";
    $("grade").className = "grade grade-" + String(card.grade || "").toLowerCase();
    $("score-meta").textContent = [card.scenario_title || (scenario && scenario.title), personaLabel(card.persona),
      card.trainee, card.mode === "assessment" ? "assessment" : "practice"].filter(Boolean).join(" · ");
    var first = firstName(name);
    $("score-outcome").textContent = card.outcome === "resolved" ? first + " accepted your solution." :
      card.outcome === "hung_up" ? first + " hung up." :
      card.outcome === "escalated" ? first + "'s complaint was escalated." : "You ended the conversation before it was settled.";

    var moves = $("score-moves");
    clear(moves);
    MOVES.forEach(function (move) {
      var m = (card.moves || {})[move] || { score: 0, count: 0, quotes: [] };
      var weight = (card.weights || {})[move];
      var quotes = el("ul", { className: "quotes" });
      (m.quotes || []).forEach(function (q) { quotes.appendChild(quoteLine(q.turn, q.quote, q)); });
      if (!(m.quotes || []).length) quotes.appendChild(el("li", { className: "missing", text: "Not heard in this conversation." }));
      (m.deductions || []).forEach(function (d) { quotes.appendChild(el("li", { className: "deduction", text: "− " + d })); });
      moves.appendChild(el("li", { className: "score-move " + (m.count ? "earned" : "missed"), "data-move": move }, [
        el("div", { className: "score-move-head" }, [
          el("span", { className: "move-name", text: MOVE_NAMES[move] }),
          el("span", { className: "move-score", text: m.score + "%" + (weight ? " of " + weight + " pts" : "") })
        ]),
        el("div", { className: "bar", "aria-hidden": "true" }, [el("span", { style: "width:" + Math.max(0, Math.min(100, m.score)) + "%" })]),
        quotes
      ]));
    });

    var penalties = $("score-penalties");
    clear(penalties);
    (card.penalties || []).forEach(function (p) {
      var item = el("li", { className: "penalty" }, [
        el("span", { className: "penalty-name", text: (PENALTIES[p.penalty] || p.penalty) + " (−" + p.points + ")" })
      ]);
      var line = quoteLine(p.turn, p.quote, p);
      item.appendChild(el("ul", { className: "quotes" }, [line]));
      penalties.appendChild(item);
    });
    if (!(card.penalties || []).length) penalties.appendChild(el("li", { className: "none", text: "None: no blaming, arguing or telling them to calm down." }));

    var tips = $("score-tips");
    clear(tips);
    (card.tips || []).forEach(function (tip) {
      var item = el("li", { className: "tip", "data-finding": tip.finding || "" }, [el("p", { text: tip.text })]);
      if (tip.turn !== null && tip.turn !== undefined) {
        var about = el("p", { className: "tip-turn" }, [turnLink(tip.turn, "See turn " + tip.turn)]);
        if (tip.quote) { about.appendChild(document.createTextNode(": ")); about.appendChild(el("q", { text: tip.quote })); }
        item.appendChild(about);
      }
      tips.appendChild(item);
    });

    renderMoodChart($("mood-chart"), card.mood_trace || []);

    // The conversation itself goes under the scorecard, so tips can point at their turns.
    var transcript = $("transcript");
    $("score-transcript").appendChild(transcript);
    Array.prototype.forEach.call(document.querySelectorAll("#log .note.scoring"), function (n) { n.parentNode.removeChild(n); });
    view("scorecard-view");
    window.scrollTo(0, 0);
    $("scorecard-title").focus();
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMoodChart(container, trace) {
    clear(container);
    if (!trace.length) { container.appendChild(el("p", { text: "No mood recorded." })); return; }
    var W = 320, H = 190, left = 26, right = 10, top = 10, bottom = 34;
    var plotW = W - left - right, plotH = H - top - bottom;
    var x = function (i) { return left + (trace.length === 1 ? plotW / 2 : i * plotW / (trace.length - 1)); };
    var y = function (v) { return top + (10 - v) * plotH / 10; };
    var label = "Mood from " + fmt(trace[0]) + " to " + fmt(trace[trace.length - 1]) + " out of 10 (10 is furious) over " +
      (trace.length - 1) + " replies";
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label, "class": "chart" });
    chart.appendChild(svg("title", {}, label));
    [[7, 10, "zone-hot"], [4, 7, "zone-warm"], [0, 4, "zone-calm"]].forEach(function (z) {
      chart.appendChild(svg("rect", { x: left, y: y(z[1]), width: plotW, height: y(z[0]) - y(z[1]), "class": z[2] }));
    });
    [0, 5, 10].forEach(function (v) {
      chart.appendChild(svg("line", { x1: left, x2: left + plotW, y1: y(v), y2: y(v), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 6, y: y(v) + 4, "class": "axis", "text-anchor": "end" }, String(v)));
    });
    chart.appendChild(svg("text", { x: left + 4, y: y(10) + 12, "class": "zone-label" }, "furious"));
    chart.appendChild(svg("text", { x: left + 4, y: y(0) - 5, "class": "zone-label" }, "calm"));
    var points = trace.map(function (v, i) { return x(i) + "," + y(v); }).join(" ");
    chart.appendChild(svg("polyline", { points: points, "class": "line" }));
    var every = Math.ceil(trace.length / 12);
    trace.forEach(function (v, i) {
      var dot = svg("circle", { cx: x(i), cy: y(v), r: 4.5, "class": "dot" });
      dot.appendChild(svg("title", {}, (i === 0 ? "Opening" : "After reply " + i) + ": " + fmt(v) + "/10"));
      chart.appendChild(dot);
      if (i % every === 0 || i === trace.length - 1)
        chart.appendChild(svg("text", { x: x(i), y: H - bottom + 18, "class": "axis", "text-anchor": "middle" }, i === 0 ? "start" : String(i)));
    });
    chart.appendChild(svg("text", { x: left + plotW / 2, y: H - 4, "class": "axis-title", "text-anchor": "middle" }, "your replies"));
    container.appendChild(chart);
  }

  // ---------------------------------------------------------------- boot
  async function boot() {
    window.__sparring = { socket: null };
    $("start-form").addEventListener("submit", onStart);
    $("composer").addEventListener("submit", function (event) { event.preventDefault(); sendReply(); });
    $("message-input").addEventListener("keydown", onComposerKey);
    $("end-button").addEventListener("click", endConversation);
    $("try-again").addEventListener("click", function () {
      var last = session;
      if (socket) { socket.off(); socket.disconnect(); socket = null; }
      startConversation(last.scenarioId, last.trainee, last.mode);
    });
    $("another-customer").addEventListener("click", function () {
      var last = session;
      if (socket) { socket.off(); socket.disconnect(); socket = null; }
      forgetSession();
      session = null;
      showStart({ trainee: last && last.trainee, mode: last && last.mode });
    });
    try {
      var loaded = await Promise.all([getJSON("/api/config"), getJSON("/api/scenarios")]);
      config = loaded[0];
      scenarios = loaded[1] || [];
      if (!config) throw new Error("no /api/config");
    } catch (error) {
      show($("loading"), false);
      serverError("loading the scenarios", error);
      return;
    }
    renderScenarios();
    var saved = loadSession();
    if (saved && saved.senderId && !saved.ended) resume(saved);
    else if (saved && saved.senderId && saved.ended) resume(saved);
    else showStart(null);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
