// Takes Chromium screenshots of the console's pages for a person to look at:
//   BASE_URL=http://127.0.0.1:3000 OUT=/tmp/shots node end2end/screenshots.mjs
// Not a test: it asserts nothing; the Playwright specs do.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const out = process.env.OUT ?? "screenshots";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`${base}/login`);
await page.screenshot({ path: `${out}/login.png` });
await page.getByLabel("Username").fill("admin");
await page.getByLabel("Password").fill("wrong");
await page.getByRole("button", { name: "Log in" }).click();
await page.screenshot({ path: `${out}/login-error.png` });
await page.getByLabel("Password").fill("admin");
await page.getByRole("button", { name: "Log in" }).click();
await page.waitForFunction(() => document.body.dataset.hydrated === "true");
await page.screenshot({ path: `${out}/home.png` });
await page.keyboard.press("?");
await page.screenshot({ path: `${out}/shortcuts.png` });
await page.keyboard.press("Escape");
await page.keyboard.press("Tab");
await page.keyboard.press("Tab");
await page.screenshot({ path: `${out}/home-focus.png` });
await browser.close();
