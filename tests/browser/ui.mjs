// Drives Debian's chromium through playwright-core against a running admin
// server and prints one JSON line: {"checks": [{name, ok, detail}], "screenshots": [...]}.
// test_ui.py starts the publisher and turns the checks into TAP.
//
//   node ui.mjs URL OUTDIR TOPIC [TOPIC...]
//
// Every wait is for a condition with a deadline, never a fixed sleep.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const [url, outDir, ...topics] = process.argv.slice(2);
if (!url || !outDir || !topics.length) {
  console.error("usage: node ui.mjs URL OUTDIR TOPIC [TOPIC...]");
  process.exit(2);
}
const WAIT = 20000;
const checks = [];
const screenshots = [];
const consoleErrors = [];
const badRequests = [];
let collecting = true;

async function check(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail: detail ?? "" });
  } catch (e) {
    checks.push({ name, ok: false, detail: String(e && e.stack ? e.stack : e) });
  }
}

function watch(page, label) {
  page.on("console", (msg) => {
    if (collecting && msg.type() === "error") consoleErrors.push(`${label}: ${msg.text()} @ ${JSON.stringify(msg.location())}`);
  });
  page.on("pageerror", (err) => {
    if (collecting) consoleErrors.push(`${label}: uncaught ${err}`);
  });
  page.on("requestfailed", (req) => {
    // the event stream is cut when the page reloads or closes: not a failure
    const aborted = req.failure()?.errorText === "net::ERR_ABORTED" && req.url().includes("/stats/stream");
    if (collecting && !aborted) badRequests.push(`${label}: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (collecting && res.status() >= 400) badRequests.push(`${label}: ${res.url()}: HTTP ${res.status()}`);
  });
}

const historyResponses = new Map();

fs.mkdirSync(outDir, { recursive: true });
// launch() gives chromium a fresh --user-data-dir of its own (a temporary
// profile, removed at close); passing one is refused
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  timeout: 60000,
});

try {
  const desktop = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  const page = await desktop.newPage();
  watch(page, "desktop");
  page.on("response", (res) => {
    const m = res.url().match(/\/api\/v1\/topics\/([^/]+)\/history\?minutes=60$/);
    if (m) historyResponses.set(decodeURIComponent(m[1]), res.status());
  });

  await check("page_loads_and_connects", async () => {
    await page.goto(url, { waitUntil: "load", timeout: WAIT });
    await page.waitForSelector('#conn[data-state="open"]', { timeout: WAIT });
    for (const t of topics) {
      await page.waitForSelector(`#topic-table tr[data-topic="${t}"]`, { timeout: WAIT });
    }
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== "zh-CN") throw new Error(`<html lang> is ${lang}, not zh-CN`);
    return `badge ${await page.textContent("#conn")}`;
  });

  await check("numbers_change_as_data_flows", async () => {
    const sel = '[data-card="msg"]';
    const text = async () => (await page.textContent(sel)).replace(/\s+/g, " ").trim();
    const before = await text();
    await page.waitForFunction(
      ([s, b]) => document.querySelector(s).textContent.replace(/\s+/g, " ").trim() !== b, [sel, before],
      { timeout: WAIT });
    const after = await text();
    // and the live rate is a number, not the dash shown before two frames
    await page.waitForFunction(() => /[0-9]/.test(document.querySelector("#s-msg").textContent.split("·")[0]),
      null, { timeout: WAIT });
    return `${JSON.stringify(before)} -> ${JSON.stringify(after)}`;
  });

  await check("history_chart_renders", async () => {
    const t = topics[0];
    const sel = `#chart-msg path.series[data-topic="${t}"]`;
    // the seeded history gives many points at once; the live ones follow
    await page.waitForFunction((s) => {
      const p = document.querySelector(s);
      return p && (p.getAttribute("d").match(/[ML]/g) || []).length >= 10;
    }, sel, { timeout: WAIT });
    const d = await page.getAttribute(sel, "d");
    const points = (d.match(/[ML]/g) || []).length;
    if (historyResponses.get(t) !== 200) throw new Error(`history of ${t}: HTTP ${historyResponses.get(t)}`);
    for (const m of ["rec", "bytes"]) {
      const n = await page.locator(`#chart-${m} path.series`).count();
      if (n < topics.length) throw new Error(`chart ${m}: ${n} series, want ${topics.length}`);
    }
    return `${t}: ${points} points in the messages chart`;
  });

  await check("pipeline_graph_renders", async () => {
    await page.waitForSelector("#pipeline-graph .node", { timeout: WAIT });
    const nodes = await page.locator("#pipeline-graph .node").count();
    const edges = await page.locator("#pipeline-graph path.edge").count();
    const text = await page.textContent("#pipeline-graph");
    for (const f of ["ticksrc", "msgpack", "zmqpub"]) if (!text.includes(f)) throw new Error(`no ${f} in the graph`);
    if (nodes < 6 || edges < 4) throw new Error(`${nodes} elements and ${edges} links drawn`);
    await page.locator("#pipeline-graph .node").first().click();
    await page.waitForSelector("#element-detail:not([hidden]) table", { timeout: WAIT });
    return `${nodes} elements, ${edges} links`;
  });

  await check("auth_table_renders", async () => {
    await page.waitForFunction(() => document.querySelector("#auth-state").textContent.length > 0, null, { timeout: WAIT });
    return await page.textContent("#auth-state");
  });

  await check("language_switch", async () => {
    const label = "#h-charts";
    const zh = await page.textContent(label);
    if (zh !== "流量曲线") throw new Error(`Chinese label is ${JSON.stringify(zh)}`);
    await page.click("#lang");
    await page.waitForFunction((s) => document.querySelector(s).textContent === "Traffic", label, { timeout: WAIT });
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== "en") throw new Error(`<html lang> is ${lang} after the switch`);
    const badge = await page.textContent("#conn");
    if (badge !== "Connected") throw new Error(`badge reads ${JSON.stringify(badge)}`);
    // the choice is kept across a reload
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction((s) => document.querySelector(s).textContent === "Traffic", label, { timeout: WAIT });
    await page.click("#lang");
    await page.waitForFunction((s) => document.querySelector(s).textContent === "流量曲线", label, { timeout: WAIT });
    await page.waitForSelector('#conn[data-state="open"]', { timeout: WAIT });
    return `${zh} -> Traffic -> (reload) Traffic -> ${await page.textContent(label)}`;
  });

  await check("desktop_screenshot", async () => {
    // wait for the live part of the charts after the reload
    await page.waitForFunction(() => /[0-9]/.test(document.querySelector("#s-msg").textContent.split("·")[0]),
      null, { timeout: WAIT });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    if (overflow > 1366) throw new Error(`scrollWidth ${overflow} > 1366`);
    const file = path.join(outDir, "ui-desktop.png");
    await page.screenshot({ path: file, fullPage: true });
    screenshots.push(file);
    return file;
  });

  await check("phone_width_no_horizontal_overflow", async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN",
    });
    const p = await phone.newPage();
    watch(p, "phone");
    await p.goto(url, { waitUntil: "load", timeout: WAIT });
    await p.waitForSelector('#conn[data-state="open"]', { timeout: WAIT });
    await p.waitForSelector(`#chart-msg path.series`, { timeout: WAIT });
    await p.waitForSelector("#pipeline-graph .node", { timeout: WAIT });
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    const file = path.join(outDir, "ui-phone.png");
    await p.screenshot({ path: file, fullPage: true });
    screenshots.push(file);
    collecting = false;
    await phone.close();
    if (width > 375) throw new Error(`document scrollWidth is ${width} > 375`);
    return `scrollWidth ${width}`;
  });

  collecting = false;
  checks.push({ name: "no_console_errors", ok: consoleErrors.length === 0, detail: consoleErrors.join("\n") });
  checks.push({ name: "no_failed_requests", ok: badRequests.length === 0, detail: badRequests.join("\n") });
  await desktop.close();
} finally {
  await browser.close();
}

process.stdout.write(JSON.stringify({ checks, screenshots }) + "\n");
