// PulseMQ admin UI: live statistics over Server-Sent Events, per-topic rate
// charts drawn as SVG, the topic and authentication tables and the running
// pipeline as a graph. Plain ES2020, no framework and no third-party code.
//
// Data: /api/v1/stats/stream sends the realtime snapshot once a second; the
// history charts start from /api/v1/topics/{topic}/history?minutes=60 (one
// row per finished minute) and go on with the live points the stream gives.
// /api/v1/auth and /api/v1/pipeline are polled, they change rarely.
"use strict";

(() => {
  const I18N = {
    zh: {
      "title": "发布器",
      "overview": "概览",
      "conn.idle": "未连接",
      "conn.open": "已连接",
      "conn.closed": "已断开",
      "lang.button": "English",
      "lang.aria": "Switch to English",
      "card.topics": "主题",
      "card.msg": "消息/秒",
      "card.rec": "记录/秒",
      "card.bytes": "字节/秒",
      "card.subs": "订阅者",
      "card.uptime": "运行时间",
      "sub.producers": "生产者 {n}",
      "sub.live": "实时 {v} · 本分钟 {n}",
      "sub.subs": "已接受 {a} · 已拒绝 {r}",
      "sub.started": "启动于 {t}",
      "charts": "流量曲线",
      "charts.hint": "点击主题以显示或隐藏其曲线（最多 5 个）。过去 60 分钟按分钟统计，之后为实时数据。",
      "chart.msg": "消息/秒",
      "chart.rec": "记录/秒",
      "chart.bytes": "字节/秒",
      "chart.empty": "尚无数据",
      "chart.none": "未选择主题",
      "topics": "主题",
      "topics.empty": "尚无主题",
      "col.topic": "主题",
      "col.msg_rate": "消息/秒",
      "col.rec_rate": "记录/秒",
      "col.bytes_rate": "字节/秒",
      "col.msgs_now": "本分钟消息",
      "col.cache": "缓存",
      "col.drops": "丢弃",
      "col.malformed": "格式错误",
      "col.p50": "延迟 p50",
      "col.p99": "延迟 p99",
      "auth": "订阅者认证",
      "auth.on": "认证已启用",
      "auth.off": "认证未启用：任何订阅者都可以连接",
      "auth.error": "无法读取认证信息",
      "auth.unknown": "未知用户",
      "col.user": "用户",
      "col.accepted": "已接受",
      "col.rejected": "已拒绝",
      "pipeline": "管道",
      "pipeline.state": "状态：{s} · {n} 个元素",
      "pipeline.error": "无法读取管道",
      "pipeline.hint": "点击元素查看属性",
      "detail.props": "属性",
      "detail.pads": "端口",
      "col.name": "名称",
      "col.value": "值",
      "col.direction": "方向",
      "col.format": "格式",
      "col.peer": "连接到",
      "days": "{d}天 ",
      "footer": "只读管理界面",
    },
    en: {
      "title": "Publisher",
      "overview": "Overview",
      "conn.idle": "Not connected",
      "conn.open": "Connected",
      "conn.closed": "Disconnected",
      "lang.button": "中文",
      "lang.aria": "切换到中文",
      "card.topics": "Topics",
      "card.msg": "Messages/s",
      "card.rec": "Records/s",
      "card.bytes": "Bytes/s",
      "card.subs": "Subscribers",
      "card.uptime": "Uptime",
      "sub.producers": "{n} producers",
      "sub.live": "live {v} · {n} this minute",
      "sub.subs": "{a} accepted · {r} rejected",
      "sub.started": "started {t}",
      "charts": "Traffic",
      "charts.hint": "Click a topic to show or hide its lines (up to 5). The last 60 minutes per minute, live data after that.",
      "chart.msg": "Messages/s",
      "chart.rec": "Records/s",
      "chart.bytes": "Bytes/s",
      "chart.empty": "no data yet",
      "chart.none": "no topic selected",
      "topics": "Topics",
      "topics.empty": "No topics yet",
      "col.topic": "Topic",
      "col.msg_rate": "Msg/s",
      "col.rec_rate": "Records/s",
      "col.bytes_rate": "Bytes/s",
      "col.msgs_now": "Msgs this min",
      "col.cache": "Cache",
      "col.drops": "Drops",
      "col.malformed": "Malformed",
      "col.p50": "Latency p50",
      "col.p99": "Latency p99",
      "auth": "Subscriber authentication",
      "auth.on": "Authentication is on",
      "auth.off": "Authentication is off: any subscriber may connect",
      "auth.error": "Could not read the authentication counters",
      "auth.unknown": "unknown users",
      "col.user": "User",
      "col.accepted": "Accepted",
      "col.rejected": "Rejected",
      "pipeline": "Pipeline",
      "pipeline.state": "State: {s} · {n} elements",
      "pipeline.error": "Could not read the pipeline",
      "pipeline.hint": "Click an element for its properties",
      "detail.props": "Properties",
      "detail.pads": "Pads",
      "col.name": "Name",
      "col.value": "Value",
      "col.direction": "Direction",
      "col.format": "Format",
      "col.peer": "Peer",
      "days": "{d}d ",
      "footer": "Read-only admin interface",
    },
  };

  const PALETTE = ["#38bdf8", "#fbbf24", "#6ee7b7", "#c084fc", "#f87171",
    "#fb923c", "#a3e635", "#f472b6", "#22d3ee", "#e2e8f0"];
  const MAX_SERIES = 5;
  const LIVE_WINDOW_S = 10; // live rates: counted over the last 10 s
  const LIVE_MAX = 3600; // live points kept per topic
  const RECONNECT_MS = 3000;
  const POLL_MS = 5000;
  const METRICS = ["msg", "rec", "bytes"];
  const SVG_NS = "http://www.w3.org/2000/svg";

  const token = new URLSearchParams(location.search).get("token");
  const tokenQuery = token ? "?token=" + encodeURIComponent(token) : "";

  let lang = "zh";
  try {
    const saved = localStorage.getItem("pulsemq.lang");
    if (saved === "en" || saved === "zh") lang = saved;
  } catch (e) {
    // storage may be disabled; Chinese it is
  }

  const state = {
    conn: "idle",
    snap: null,
    snapAt: 0, // performance.now() when snap arrived
    topics: new Map(), // name -> TopicState
    selected: [], // names, oldest first
    userPicked: false,
    colors: new Map(),
    auth: null,
    authError: false,
    pipeline: null,
    pipelineJson: "",
    pipelineError: false,
    element: null, // name of the element whose details are shown
  };

  const $ = (id) => document.getElementById(id);

  function t(key, vars) {
    let s = (I18N[lang] && I18N[lang][key]) ?? I18N.zh[key] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace("{" + k + "}", v);
    return s;
  }

  // --- formatting -----------------------------------------------------------

  const locale = () => (lang === "zh" ? "zh-CN" : "en-US");

  function fmtNum(x, digits = 0) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    return new Intl.NumberFormat(locale(), {
      maximumFractionDigits: digits,
      minimumFractionDigits: 0,
    }).format(x);
  }

  function fmtRate(x) {
    if (x === null || x === undefined) return "–";
    const a = Math.abs(x);
    return fmtNum(x, a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }

  const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
  function fmtBytes(x, suffix = "") {
    if (x === null || x === undefined) return "–";
    let i = 0;
    while (Math.abs(x) >= 1024 && i < BYTE_UNITS.length - 1) {
      x /= 1024;
      i++;
    }
    return fmtNum(x, i === 0 ? 0 : x >= 100 ? 0 : 1) + " " + BYTE_UNITS[i] + suffix;
  }

  function fmtMs(x) {
    if (x === null || x === undefined) return "–";
    return fmtNum(x, x >= 100 ? 0 : x >= 1 ? 2 : 3) + " ms";
  }

  function fmtDuration(s) {
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return (d ? t("days", { d }) : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60);
  }

  function fmtClock(ms, seconds) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + (seconds ? ":" + pad(d.getSeconds()) : "");
  }

  // compact numbers for chart axes
  function fmtAxis(x, metric) {
    if (metric === "bytes") return fmtBytes(x);
    const a = Math.abs(x);
    if (a >= 1e9) return fmtNum(x / 1e9, 1) + "G";
    if (a >= 1e6) return fmtNum(x / 1e6, 1) + "M";
    if (a >= 1e4) return fmtNum(x / 1e3, 1) + "k";
    return fmtNum(x, a >= 10 ? 0 : a >= 1 ? 1 : 2);
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- requests -------------------------------------------------------------

  async function api(path) {
    const headers = token ? { Authorization: "Bearer " + token } : {};
    const res = await fetch(path, { headers, cache: "no-store" });
    if (!res.ok) throw new Error(path + ": HTTP " + res.status);
    return res.json();
  }

  // --- language ---------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = "PulseMQ " + t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) {
      node.textContent = t(node.dataset.i18n);
    }
    const button = $("lang");
    button.textContent = t("lang.button");
    button.lang = lang === "zh" ? "en" : "zh-CN";
    button.setAttribute("aria-label", t("lang.aria"));
    setConn(state.conn);
    renderAll();
  }

  function switchLanguage() {
    lang = lang === "zh" ? "en" : "zh";
    try {
      localStorage.setItem("pulsemq.lang", lang);
    } catch (e) {
      // not kept, still switched
    }
    applyLanguage();
  }

  // --- the stream -------------------------------------------------------------

  function setConn(s) {
    state.conn = s;
    const badge = $("conn");
    badge.dataset.state = s;
    badge.textContent = t("conn." + s);
  }

  function connect() {
    const es = new EventSource("api/v1/stats/stream" + tokenQuery);
    es.onopen = () => setConn("open");
    es.onmessage = (ev) => {
      let snap;
      try {
        snap = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      setConn("open");
      onSnapshot(snap);
    };
    es.onerror = () => {
      // EventSource retries by itself at the browser's pace; we close and
      // come back after a fixed delay, as the original did, and say so
      es.close();
      setConn("closed");
      setTimeout(connect, RECONNECT_MS);
    };
  }

  function topicState(name) {
    let ts = state.topics.get(name);
    if (!ts) {
      ts = {
        history: [], // rows of the REST history
        historyMinutes: -1,
        fetching: false,
        live: [], // [ms, msg/s, rec/s, bytes/s]
        samples: [], // {t, msg, rec, bytes}: cumulative counts
        cum: { msg: 0, rec: 0, bytes: 0 },
        last: null, // the previous frame's topic entry
      };
      state.topics.set(name, ts);
    }
    return ts;
  }

  // Counts that only grow, from the per-minute counters of the snapshot:
  // *_current start again at zero each minute, and the tail of the minute
  // that ended between two frames comes from its *_rate_1min.
  function accumulate(ts, cur, now) {
    const fields = [
      ["msg", "msg_count_current", "msg_rate_1min"],
      ["rec", "record_count_current", "record_rate_1min"],
      ["bytes", "bytes_total_current", "bytes_rate_1min"],
    ];
    const prev = ts.last;
    const rolled = prev && cur.history_minutes !== prev.history_minutes;
    for (const [key, count, rate] of fields) {
      const c = cur[count] ?? 0;
      if (!prev) continue;
      const p = prev[count] ?? 0;
      let d;
      if (c >= p && !(rolled && c < p)) d = c - p;
      else if (rolled && cur[rate] !== undefined) d = Math.max(0, Math.round(cur[rate] * 60) - p) + c;
      else d = c;
      ts.cum[key] += d;
    }
    ts.last = cur;
    ts.samples.push({ t: now, ...ts.cum });
    while (ts.samples.length > 2 && now - ts.samples[1].t >= LIVE_WINDOW_S) ts.samples.shift();
    if (ts.samples.length < 2) return null;
    const first = ts.samples[0];
    const dt = now - first.t;
    if (dt < 2) return null; // too short to be a rate
    return {
      msg: (ts.cum.msg - first.msg) / dt,
      rec: (ts.cum.rec - first.rec) / dt,
      bytes: (ts.cum.bytes - first.bytes) / dt,
    };
  }

  function onSnapshot(snap) {
    state.snap = snap;
    state.snapAt = performance.now();
    const now = snap.server_time ?? Date.now() / 1000;
    const topics = snap.topics || {};
    state.live = { msg: null, rec: null, bytes: null };
    for (const name of Object.keys(topics).sort()) {
      const cur = topics[name];
      const ts = topicState(name);
      const rate = accumulate(ts, cur, now);
      if (rate) {
        ts.live.push([now * 1000, rate.msg, rate.rec, rate.bytes]);
        if (ts.live.length > LIVE_MAX) ts.live.shift();
        for (const k of METRICS) state.live[k] = (state.live[k] ?? 0) + rate[k];
      }
      // a finished minute: the history has a new row
      if (cur.history_minutes !== ts.historyMinutes && state.selected.includes(name)) fetchHistory(name);
    }
    if (!state.userPicked) {
      for (const name of Object.keys(topics).sort()) {
        if (state.selected.length >= MAX_SERIES) break;
        if (!state.selected.includes(name)) select(name);
      }
    }
    renderAll();
  }

  async function fetchHistory(name) {
    const ts = topicState(name);
    if (ts.fetching) return;
    ts.fetching = true;
    const minutes = state.snap?.topics?.[name]?.history_minutes;
    try {
      const body = await api("api/v1/topics/" + encodeURIComponent(name) + "/history?minutes=60");
      ts.history = Array.isArray(body.history) ? body.history : [];
      ts.historyMinutes = minutes ?? -1;
      renderCharts();
    } catch (e) {
      console.warn("history of", name, e);
    } finally {
      ts.fetching = false;
    }
  }

  function colorOf(name) {
    if (!state.colors.has(name)) state.colors.set(name, PALETTE[state.colors.size % PALETTE.length]);
    return state.colors.get(name);
  }

  function select(name) {
    state.selected.push(name);
    while (state.selected.length > MAX_SERIES) state.selected.shift();
    fetchHistory(name);
  }

  function toggle(name) {
    state.userPicked = true;
    const i = state.selected.indexOf(name);
    if (i >= 0) state.selected.splice(i, 1);
    else select(name);
    renderPicker();
    renderCharts();
  }

  // --- cards ----------------------------------------------------------------

  function renderCards() {
    const snap = state.snap;
    if (!snap) return;
    const topics = snap.topics || {};
    const names = new Set([...Object.keys(topics), ...Object.keys(snap.cache_sizes || {})]);
    let msg = 0, rec = 0, bytes = 0, msgNow = 0, recNow = 0, bytesNow = 0;
    for (const v of Object.values(topics)) {
      msg += v.msg_rate_1min ?? 0;
      rec += v.record_rate_1min ?? 0;
      bytes += v.bytes_rate_1min ?? 0;
      msgNow += v.msg_count_current ?? 0;
      recNow += v.record_count_current ?? 0;
      bytesNow += v.bytes_total_current ?? 0;
    }
    const live = state.live || {};
    $("v-topics").textContent = fmtNum(names.size);
    $("s-topics").textContent = t("sub.producers", { n: fmtNum(snap.producer_count ?? 0) });
    $("v-msg").textContent = fmtRate(msg);
    $("s-msg").textContent = t("sub.live", { v: fmtRate(live.msg), n: fmtNum(msgNow) });
    $("v-rec").textContent = fmtRate(rec);
    $("s-rec").textContent = t("sub.live", { v: fmtRate(live.rec), n: fmtNum(recNow) });
    $("v-bytes").textContent = fmtBytes(bytes, "/s");
    $("s-bytes").textContent = t("sub.live", {
      v: live.bytes === null || live.bytes === undefined ? "–" : fmtBytes(live.bytes, "/s"),
      n: fmtBytes(bytesNow),
    });
    const subs = snap.subscribers || {};
    $("v-subs").textContent = fmtNum(subs.connected ?? 0);
    $("s-subs").textContent = t("sub.subs", { a: fmtNum(subs.accepted ?? 0), r: fmtNum(subs.rejected ?? 0) });
    $("version").textContent = snap.version ? "v" + snap.version : "";
    if (snap.start_time) $("s-uptime").textContent = t("sub.started", { t: new Date(snap.start_time * 1000).toLocaleString(locale()) });
    renderUptime();
  }

  function renderUptime() {
    const snap = state.snap;
    if (!snap) return;
    const base = snap.uptime_seconds ?? (snap.server_time ?? 0) - (snap.start_time ?? 0);
    $("v-uptime").textContent = fmtDuration(base + (performance.now() - state.snapAt) / 1000);
  }

  // --- charts ---------------------------------------------------------------

  function renderPicker() {
    const picker = $("topic-picker");
    const names = [...state.topics.keys()].sort();
    const have = [...picker.children].map((b) => b.dataset.topic);
    if (have.join("\n") !== names.join("\n")) {
      picker.replaceChildren();
      for (const name of names) {
        const b = el("button", { type: "button", class: "chip", "data-topic": name });
        const dot = el("span", { class: "dot", "aria-hidden": "true" });
        b.append(dot, document.createTextNode(name));
        b.addEventListener("click", () => toggle(name));
        picker.append(b);
      }
    }
    for (const b of picker.children) {
      const on = state.selected.includes(b.dataset.topic);
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.firstChild.style.background = on ? colorOf(b.dataset.topic) : "";
    }
  }

  // the points of one topic for one metric: [ms, per second]
  function seriesPoints(ts, metric) {
    const field = { msg: "msg_count", rec: "record_count", bytes: "bytes_total" }[metric];
    const col = { msg: 1, rec: 2, bytes: 3 }[metric];
    const pts = [];
    let historyEnd = -Infinity;
    for (const row of ts.history) {
      // a row is a whole minute: its rate is drawn in the middle of it
      pts.push([(row.timestamp + 30) * 1000, (row[field] ?? 0) / 60]);
      historyEnd = (row.timestamp + 60) * 1000;
    }
    for (const p of ts.live) if (p[0] > historyEnd) pts.push([p[0], p[col]]);
    return pts;
  }

  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  const TIME_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

  function renderChart(fig) {
    const metric = fig.dataset.metric;
    let chart = fig.querySelector("svg");
    if (!chart) {
      chart = svg("svg", { role: "img" });
      fig.append(chart);
      fig.append(el("div", { class: "legend" }));
    }
    const legend = fig.querySelector(".legend");
    const W = Math.max(160, chart.clientWidth || 300);
    const H = Math.max(120, chart.clientHeight || 200);
    chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
    chart.setAttribute("aria-label", t("chart." + metric));
    chart.replaceChildren();
    legend.replaceChildren();

    const series = state.selected.map((name) => ({
      name,
      color: colorOf(name),
      pts: seriesPoints(topicState(name), metric),
    }));
    const all = series.flatMap((s) => s.pts);
    const nowMs = state.snap?.server_time ? state.snap.server_time * 1000 : Date.now();
    if (!all.length) {
      chart.append(svg("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" },
        t(series.length ? "chart.empty" : "chart.none")));
      return;
    }
    const xMax = Math.max(nowMs, ...all.map((p) => p[0]));
    const xMin = Math.min(xMax - 120e3, Math.max(xMax - 3600e3, Math.min(...all.map((p) => p[0]))));
    const top_ = Math.max(...all.map((p) => p[1]));
    // byte steps are round in their binary unit: 512 KiB, not 524,288 B
    let unit = 1;
    if (metric === "bytes") while (top_ / unit >= 1024 * 4) unit *= 1024;
    const yStep = niceStep(top_ / unit / 4) * unit;
    const yMax = Math.max(yStep, Math.ceil(top_ / yStep) * yStep);

    const left = metric === "bytes" ? 66 : 48, right = 10, top = 8, bottom = 22;
    const pw = W - left - right, ph = H - top - bottom;
    const X = (ms) => left + ((ms - xMin) / (xMax - xMin)) * pw;
    const Y = (v) => top + ph - (v / yMax) * ph;

    const grid = svg("g", { class: "grid" });
    const axis = svg("g", { class: "axis" });
    for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
      const y = Y(v).toFixed(1);
      grid.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y }));
      axis.append(svg("text", { x: left - 6, y: Number(y) + 4, "text-anchor": "end" }, fmtAxis(v, metric)));
    }
    const maxTicks = Math.max(2, Math.floor(pw / 80));
    const span = xMax - xMin;
    const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? 3600e3;
    const tz = new Date().getTimezoneOffset() * 60e3; // ticks on local round minutes
    for (let ms = Math.ceil((xMin - tz) / step) * step + tz; ms <= xMax; ms += step) {
      const x = X(ms).toFixed(1);
      grid.append(svg("line", { x1: x, x2: x, y1: top, y2: top + ph, opacity: 0.5 }));
      axis.append(svg("text", { x, y: H - 6, "text-anchor": "middle" }, fmtClock(ms, step < 60e3)));
    }
    chart.append(grid, axis);

    for (const s of series) {
      const pts = s.pts.filter((p) => p[0] >= xMin);
      if (!pts.length) continue;
      const d = pts.map((p, i) => (i ? "L" : "M") + X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1)).join("");
      const path = svg("path", { class: "series", d, stroke: s.color, "data-topic": s.name, "data-points": pts.length });
      path.append(svg("title", {}, s.name));
      chart.append(path);
      const last = pts[pts.length - 1];
      chart.append(svg("circle", { cx: X(last[0]).toFixed(1), cy: Y(last[1]).toFixed(1), r: 3, fill: s.color }));
      const item = el("span", { style: "--c:" + s.color });
      item.textContent = s.name + " " + (metric === "bytes" ? fmtBytes(last[1], "/s") : fmtRate(last[1]));
      legend.append(item);
    }
  }

  function renderCharts() {
    renderPicker();
    for (const fig of document.querySelectorAll(".chart")) renderChart(fig);
  }

  // --- topic table ------------------------------------------------------------

  const TOPIC_COLUMNS = [
    ["col.msg_rate", (v) => fmtRate(v.msg_rate_1min)],
    ["col.rec_rate", (v) => fmtRate(v.record_rate_1min)],
    ["col.bytes_rate", (v) => fmtBytes(v.bytes_rate_1min, "/s")],
    ["col.msgs_now", (v) => fmtNum(v.msg_count_current)],
    ["col.cache", (v, name) => fmtNum(state.snap.cache_sizes?.[name] ?? null)],
    ["col.drops", (v) => fmtNum(v.drops_total ?? v.drops_current ?? null), (v) => (v.drops_total ?? 0) > 0],
    ["col.malformed", (v) => fmtNum(v.malformed_total ?? v.malformed_current ?? null), (v) => (v.malformed_total ?? 0) > 0],
    ["col.p50", (v) => fmtMs(v.latency_p50_ms)],
    ["col.p99", (v) => fmtMs(v.latency_p99_ms)],
  ];

  function renderTopicTable() {
    const snap = state.snap;
    if (!snap) return;
    const tbody = $("topic-table").tBodies[0];
    const topics = snap.topics || {};
    const names = Object.keys(topics).sort();
    $("topics-empty").hidden = names.length > 0;
    const have = [...tbody.rows].map((r) => r.dataset.topic);
    if (have.join("\n") !== names.join("\n")) {
      tbody.replaceChildren();
      for (const name of names) {
        const tr = el("tr", { "data-topic": name });
        tr.append(el("th", { scope: "row" }, name));
        for (let i = 0; i < TOPIC_COLUMNS.length; i++) tr.append(el("td"));
        tbody.append(tr);
      }
    }
    for (const tr of tbody.rows) {
      const name = tr.dataset.topic;
      const v = topics[name];
      TOPIC_COLUMNS.forEach(([label, fmt, bad], i) => {
        const td = tr.cells[i + 1];
        td.dataset.label = t(label);
        td.textContent = fmt(v, name);
        td.classList.toggle("bad", Boolean(bad && bad(v)));
      });
    }
  }

  // --- authentication -----------------------------------------------------------

  async function pollAuth() {
    try {
      state.auth = await api("api/v1/auth");
      state.authError = false;
    } catch (e) {
      state.authError = true;
    }
    renderAuth();
  }

  function renderAuth() {
    const auth = state.auth;
    const tbody = $("auth-table").tBodies[0];
    tbody.replaceChildren();
    if (!auth) {
      $("auth-state").textContent = state.authError ? t("auth.error") : "";
      $("auth-table").hidden = true;
      return;
    }
    $("auth-state").textContent = t(auth.enabled ? "auth.on" : "auth.off");
    const users = auth.users || [];
    $("auth-table").hidden = !auth.enabled && users.length === 0;
    for (const u of users) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, u.user), el("td", {}, fmtNum(u.accepted)),
        el("td", { class: u.rejected ? "bad" : "" }, fmtNum(u.rejected)));
      tbody.append(tr);
    }
    if (auth.enabled || auth.rejected_unknown) {
      const tr = el("tr", { class: "total" });
      tr.append(el("th", { scope: "row" }, t("auth.unknown")), el("td", {}, "–"),
        el("td", { class: auth.rejected_unknown ? "bad" : "" }, fmtNum(auth.rejected_unknown ?? 0)));
      tbody.append(tr);
    }
  }

  // --- pipeline graph -----------------------------------------------------------

  async function pollPipeline() {
    try {
      const p = await api("api/v1/pipeline");
      state.pipelineError = false;
      const json = JSON.stringify(p);
      if (json !== state.pipelineJson) {
        state.pipelineJson = json;
        state.pipeline = p;
        renderPipeline();
      }
    } catch (e) {
      state.pipelineError = true;
      renderPipeline();
    }
  }

  const splitPad = (ref) => {
    const i = ref.lastIndexOf(".");
    return i < 0 ? [ref, ""] : [ref.slice(0, i), ref.slice(i + 1)];
  };

  // Columns by the longest path from a source, rows in the order of the
  // elements feeding them, so that chains stay on their line.
  function layout(elements, links) {
    const names = elements.map((e) => e.name);
    const rank = new Map(names.map((n) => [n, 0]));
    const preds = new Map(names.map((n) => [n, []]));
    const edges = [];
    for (const l of links) {
      const [a] = splitPad(l.from);
      const [b] = splitPad(l.to);
      if (!rank.has(a) || !rank.has(b) || a === b) continue;
      edges.push([a, b, l]);
      preds.get(b).push(a);
    }
    for (let i = 0; i < names.length; i++) {
      let changed = false;
      for (const [a, b] of edges) {
        if (rank.get(b) < rank.get(a) + 1) {
          rank.set(b, rank.get(a) + 1);
          changed = true;
        }
      }
      if (!changed) break;
    }
    const columns = [];
    for (const n of names) (columns[rank.get(n)] ??= []).push(n);
    const row = new Map();
    columns.forEach((col, c) => {
      if (c > 0) {
        const key = (n) => {
          const p = preds.get(n).filter((x) => row.has(x));
          return p.length ? p.reduce((s, x) => s + row.get(x), 0) / p.length : Infinity;
        };
        col.sort((a, b) => key(a) - key(b));
      }
      let next = 0;
      for (const n of col) {
        const fed = preds.get(n).filter((x) => row.has(x)).map((x) => row.get(x));
        const r = Math.max(next, fed.length ? Math.min(...fed) : next);
        row.set(n, r);
        next = r + 1;
      }
    });
    return { rank, row, edges, columns: columns.length };
  }

  function truncate(s, n) {
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  function renderPipeline() {
    const wrap = $("pipeline-graph");
    const p = state.pipeline;
    if (!p) {
      $("pipeline-state").textContent = state.pipelineError ? t("pipeline.error") : "";
      return;
    }
    const elements = p.elements || [];
    $("pipeline-state").textContent =
      t("pipeline.state", { s: p.state ?? "?", n: fmtNum(elements.length) }) + " · " + t("pipeline.hint");
    $("pipeline-desc").textContent = p.description ?? "";

    const { rank, row, edges, columns } = layout(elements, p.links || []);
    const BW = 150, BH = 58, GX = 56, GY = 16, PAD = 8;
    const rows = Math.max(1, ...[...row.values()].map((r) => r + 1));
    const W = PAD * 2 + columns * BW + Math.max(0, columns - 1) * GX;
    const H = PAD * 2 + rows * BH + (rows - 1) * GY;
    const pos = (n) => ({ x: PAD + rank.get(n) * (BW + GX), y: PAD + row.get(n) * (BH + GY) });

    const graph = svg("svg", {
      viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "group",
      "aria-label": t("pipeline"),
    });
    const defs = svg("defs");
    const marker = svg("marker", {
      id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse",
    });
    marker.append(svg("path", { d: "M0,0L10,5L0,10z", class: "arrowhead" }));
    defs.append(marker);
    graph.append(defs);

    const byName = new Map(elements.map((e) => [e.name, e]));
    for (const [a, b, l] of edges) {
      const pa = pos(a), pb = pos(b);
      const x1 = pa.x + BW, y1 = pa.y + BH / 2, x2 = pb.x - 1, y2 = pb.y + BH / 2;
      const mx = (x1 + x2) / 2;
      const path = svg("path", {
        class: "edge", d: `M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)",
      });
      const [, padName] = splitPad(l.from);
      const pad = (byName.get(a)?.pads || []).find((x) => x.name === padName);
      path.append(svg("title", {}, `${l.from} → ${l.to}${pad?.format ? " (" + pad.format + ")" : ""}`));
      graph.append(path);
    }
    for (const e of elements) {
      const { x, y } = pos(e.name);
      const g = svg("g", {
        class: "node" + (state.element === e.name ? " selected" : ""), tabindex: 0, role: "button",
        transform: `translate(${x},${y})`, "data-element": e.name,
        "aria-label": `${e.factory} ${e.name} ${e.state ?? ""}`,
      });
      g.append(svg("title", {}, `${e.factory} (${e.klass ?? ""})\n${e.name}`));
      g.append(svg("rect", { width: BW, height: BH, rx: 8 }));
      g.append(svg("text", { class: "factory", x: 10, y: 19 }, truncate(e.factory ?? "?", 19)));
      g.append(svg("text", { class: "name", x: 10, y: 35 }, truncate(e.name ?? "", 21)));
      const st = String(e.state ?? "").toLowerCase();
      g.append(svg("text", { class: "state " + st, x: 10, y: 50 }, "● " + (e.state ?? "")));
      const open = () => {
        state.element = state.element === e.name ? null : e.name;
        renderPipeline();
      };
      g.addEventListener("click", open);
      g.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          open();
        }
      });
      graph.append(g);
    }
    wrap.replaceChildren(graph);
    renderElementDetail();
  }

  function renderElementDetail() {
    const box = $("element-detail");
    const e = state.pipeline?.elements?.find((x) => x.name === state.element);
    box.hidden = !e;
    box.replaceChildren();
    if (!e) return;
    box.append(el("h3", {}, `${e.factory} · ${e.name}`));
    const props = el("table", { class: "data" });
    props.append(el("caption", { class: "sr-only" }, t("detail.props")));
    const head = el("tr");
    head.append(el("th", { scope: "col" }, t("detail.props")), el("th", { scope: "col" }, t("col.value")));
    props.append(head);
    for (const [k, v] of Object.entries(e.properties || {})) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, k), el("td", {}, v === null ? "null" : String(v)));
      props.append(tr);
    }
    const pads = el("table", { class: "data" });
    const ph = el("tr");
    for (const k of ["detail.pads", "col.direction", "col.format", "col.peer"]) ph.append(el("th", { scope: "col" }, t(k)));
    pads.append(ph);
    for (const pad of e.pads || []) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, pad.name), el("td", {}, pad.direction ?? ""),
        el("td", {}, pad.format ?? ""), el("td", {}, pad.peer ?? "–"));
      pads.append(tr);
    }
    box.append(el("div", { class: "table-wrap" }, undefined), el("div", { class: "table-wrap" }, undefined));
    box.children[1].append(props);
    box.children[2].append(pads);
  }

  // --- everything -----------------------------------------------------------------

  function renderAll() {
    renderCards();
    renderCharts();
    renderTopicTable();
    renderAuth();
    renderPipeline();
  }

  async function start() {
    $("lang").addEventListener("click", switchLanguage);
    const metrics = document.querySelector('footer a[href="metrics"]');
    if (metrics && token) metrics.href = "metrics" + tokenQuery;
    applyLanguage();
    // a first picture before the stream's first frame
    try {
      onSnapshot(await api("api/v1/stats/realtime"));
    } catch (e) {
      console.warn("realtime", e);
    }
    connect();
    pollAuth();
    pollPipeline();
    setInterval(pollAuth, POLL_MS);
    setInterval(pollPipeline, POLL_MS);
    setInterval(renderUptime, 1000);
    let resizeTimer = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(renderCharts, 100);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
