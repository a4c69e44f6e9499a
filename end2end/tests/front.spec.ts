// The light front end and the operator's daily tools: what a cold and a repeat visit
// download, transitions on list rows, the list's CSV export and the jobs page's filters.
// Orders 850-879 are this file's own.
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

/** What one page load fetched: each response's address, transferred bytes and origin. */
type Transfer = { url: string; bytes: number; fromCache: boolean; encoding?: string };

async function recordTransfers(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const byId = new Map<string, Transfer>();
  // Chromium says a request was served from its memory cache before it reports the response.
  const servedFromCache = new Set<string>();
  cdp.on("Network.requestServedFromCache", (event) => {
    servedFromCache.add(event.requestId);
  });
  cdp.on("Network.responseReceived", (event) => {
    const headers = event.response.headers as Record<string, string>;
    byId.set(event.requestId, {
      url: event.response.url,
      bytes: 0,
      fromCache:
        servedFromCache.has(event.requestId) ||
        !!(event.response.fromDiskCache || event.response.fromPrefetchCache),
      encoding: headers["content-encoding"] ?? headers["Content-Encoding"],
    });
  });
  cdp.on("Network.loadingFinished", (event) => {
    const seen = byId.get(event.requestId);
    if (seen) seen.bytes = event.encodedDataLength;
  });
  const reset = () => {
    byId.clear();
    servedFromCache.clear();
  };
  return { cdp, transfers: () => [...byId.values()], reset };
}

test("a cold load of an order fetches the WASM once, compressed and small; a repeat load fetches none", async ({ page }) => {
  await logIn(page, "viewer");
  const network = await recordTransfers(page);
  await network.cdp.send("Network.clearBrowserCache");
  network.reset();

  await page.goto("/orders/1");
  await waitForHydration(page);
  const cold = network.transfers();
  const wasm = cold.filter((t) => t.url.endsWith(".wasm"));
  expect(wasm).toHaveLength(1);
  expect(wasm[0].url).toMatch(/\/pkg\/switchyard\.[A-Za-z0-9_-]+\.wasm$/);
  expect(wasm[0].fromCache).toBe(false);
  expect(["br", "gzip"]).toContain(wasm[0].encoding);
  expect(wasm[0].bytes).toBeLessThan(300_000);
  const assets = await page.request.get(wasm[0].url);
  expect(assets.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  const html = await page.request.get("/orders/1");
  expect(html.headers()["cache-control"]).toBe("no-store");

  network.reset();
  await page.goto("/orders/2");
  await waitForHydration(page);
  const repeat = network.transfers().filter((t) => /\.(wasm|js|css)$/.test(t.url));
  for (const asset of repeat) {
    expect(asset.fromCache, `${asset.url} came from the cache`).toBe(true);
  }
  const wasmBytes = repeat.filter((t) => t.url.endsWith(".wasm")).reduce((sum, t) => sum + t.bytes, 0);
  expect(wasmBytes).toBe(0);
});

test("a row's button pays the order in place, says so, and leaves the focus on the row", async ({ page }) => {
  await logIn(page, "clerk");
  await page.goto("/orders?q=Customer+0000850");
  await waitForHydration(page);
  const row = page.locator("tbody tr", { has: page.getByRole("link", { name: "851", exact: true }) });
  await expect(row.locator(".badge")).toHaveText("New");
  await row.getByRole("button", { name: "Mark as paid (order 851)" }).click();

  await expect(row.locator(".badge")).toHaveText("Paid");
  await expect(page.locator("#messages")).toHaveText("Mark as paid: moved from New to Paid.");
  await expect(page).toHaveURL(/\/orders\?q=Customer\+0000850$/);
  await expect(row.getByRole("button", { name: "Mark as paid (order 851)" })).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Cancel order (order 851)" })).toBeFocused();

  // The row's version moved with it: cancelling now works, and the history has both rows.
  await page.keyboard.press("Enter");
  await expect(row.locator(".badge")).toHaveText("Cancelled");
  await expect(page.locator("#messages")).toHaveText("Cancel order: moved from Paid to Cancelled.");
  await expect(row.getByRole("link", { name: "851", exact: true })).toBeFocused();
  await page.goto("/orders/851/history");
  await expect(page.locator("table.history tbody tr")).toHaveCount(2);
});

test("a row's button posts and comes back to the same list page without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await logIn(page, "clerk");
  await page.goto("/orders?q=Customer+0000851&sort=-amount_cents");
  await page.getByRole("button", { name: "Mark as paid (order 852)" }).click();
  await expect(page).toHaveURL(/\/orders\?q=Customer(\+|%20)0000851&sort=-amount_cents$/);
  await expect(page.locator("p.message")).toHaveText("Mark as paid: moved from New to Paid.");
  await expect(page.locator("tbody tr .badge")).toHaveText("Paid");
  await context.close();
});

test("a stale row's button is refused with a warning and changes nothing", async ({ browser }) => {
  const clerk = await (await browser.newContext()).newPage();
  await logIn(clerk, "clerk");
  await clerk.goto("/orders?q=Customer+0000852");
  await waitForHydration(clerk);
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, "admin");
  await admin.goto("/orders/853");
  await admin.getByRole("button", { name: "Cancel order" }).click();
  await expect(admin.locator("p.message")).toContainText("moved from New to Cancelled");

  await clerk.getByRole("button", { name: "Mark as paid (order 853)" }).click();
  await expect(clerk.locator("#messages .message.warning")).toBeVisible();
  await clerk.goto("/orders/853/history");
  await expect(clerk.locator("table.history tbody tr")).toHaveCount(1);
});

test("Export CSV downloads exactly the filtered, searched and sorted rows of every page", async ({ page }) => {
  await logIn(page, "viewer");
  await page.goto("/orders?state=new&q=Customer+000086&sort=-amount_cents");
  const heading = await page.locator("h1 .count-total").textContent();
  const total = Number(heading?.match(/(\d+)/)?.[1]);
  expect(total).toBeGreaterThan(0);
  const firstId = await page.locator("tbody tr").first().locator("td.numeric a").textContent();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("orders.csv");
  const lines = (await readFile(await download.path(), "utf8")).trimEnd().split("\n");
  expect(lines[0]).toBe("ID,State,Customer,Amount,Tracking number");
  expect(lines).toHaveLength(total + 1);
  expect(lines[1].split(",")[0]).toBe(firstId);
  expect(lines.slice(1).every((line) => line.includes(",New,Customer 000086"))).toBe(true);

  // The whole list: a thousand rows, more than any page holds.
  const all = await page.request.get("/orders/export.csv");
  expect(all.status()).toBe(200);
  expect((await all.text()).trimEnd().split("\n")).toHaveLength(1001);
  // A filter the list refuses is refused here too, before any row is sent.
  const refused = await page.request.get("/orders/export.csv?state=nonsense");
  expect(refused.status()).toBe(400);
});

test("the header leads to the jobs, which filter by status, resource and author and page", async ({ page }) => {
  await logIn(page, "clerk");
  await page.goto("/orders/bulk?transition=pay&id=870&id=871&id=872");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  const job = page.url().match(/\/jobs\/(\d+)$/)?.[1] ?? "";
  await expect(page.locator(".job-progress")).toContainText("3 moved");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Jobs/ }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await page.getByLabel("Status").selectOption("done");
  await page.getByLabel("Resource").selectOption("orders");
  await page.getByLabel("Author").fill("clerk");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=done&resource=orders&author=clerk/);
  await expect(page.getByRole("link", { name: job, exact: true })).toBeVisible();
  for (const who of await page.locator("tbody tr td:nth-child(5)").allTextContents()) {
    expect(who).toBe("clerk");
  }

  await page.goto("/jobs?author=nobody");
  await expect(page.getByText("No job matches these filters.")).toBeVisible();
  await page.goto("/jobs?status=running&author=clerk");
  await expect(page.getByRole("link", { name: job, exact: true })).toHaveCount(0);
  const bad = await page.request.get("/jobs?status=exploded");
  expect(bad.status()).toBe(400);
});

test("the list counts the selected rows beside the bulk controls, after the rows", async ({ page }) => {
  await logIn(page, "clerk");
  await page.goto("/orders?q=Customer+000087");
  await waitForHydration(page);
  const count = page.locator(".selection-count");
  await expect(count).toHaveText("0 orders selected");
  await page.getByLabel("Select order 875").check();
  await expect(count).toHaveText("1 order selected");
  await page.getByLabel("Select all on this page").check();
  await expect(count).toHaveText("10 orders selected");
  await page.getByLabel(/Select all matching/).check();
  await expect(count).toHaveText("All 10 matching selected");
  // The controls come after the table in the page's order.
  const after = await page.evaluate(() => {
    const table = document.querySelector("table.list");
    const bar = document.querySelector(".bulk-bar");
    return !!table && !!bar && !!(table.compareDocumentPosition(bar) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  expect(after).toBe(true);
});
