// Times the first load of an object page with a cold cache until it is hydrated, and
// counts the bytes it transferred; then a repeat load with the cache warm.
//   BASE_URL=http://127.0.0.1:3000 node end2end/measure-load.mjs [/orders/1] [runs]
// A measurement for PERFORMANCE.md, not a test: the specs assert; this prints medians.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const address = process.argv[2] ?? "/orders/1";
const runs = Number(process.argv[3] ?? 7);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

async function load(page, cdp, clearCache) {
  if (clearCache) await cdp.send("Network.clearBrowserCache");
  let bytes = 0;
  const byKind = {};
  const finished = (event) => {
    bytes += event.encodedDataLength;
  };
  const received = (event) => {
    const kind = event.response.url.split("?")[0].split(".").pop();
    byKind[event.requestId] = kind;
  };
  cdp.on("Network.responseReceived", received);
  cdp.on("Network.loadingFinished", finished);
  await page.goto(`${base}${address}`);
  await page.waitForFunction(() => document.body.dataset.hydrated === "true", null, { polling: 5 });
  const hydratedAt = await page.evaluate(() => performance.now());
  cdp.off("Network.responseReceived", received);
  cdp.off("Network.loadingFinished", finished);
  return { ms: hydratedAt, bytes };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cold = [];
const warm = [];
for (let run = 0; run < runs; run += 1) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill("viewer");
  await page.getByLabel("Password").fill("viewer");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/$/);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  cold.push(await load(page, cdp, true));
  warm.push(await load(page, cdp, false));
  await context.close();
}
await browser.close();
const summary = (loads) => ({
  hydrated_ms_median: Math.round(median(loads.map((l) => l.ms))),
  bytes_median: median(loads.map((l) => l.bytes)),
});
console.log(JSON.stringify({ address, runs, cold: summary(cold), repeat: summary(warm) }, null, 2));
