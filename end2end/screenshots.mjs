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

// The console pages, on orders the screenshots move along (use a fresh demo database).
const hydrated = () => page.waitForFunction(() => document.body.dataset.hydrated === "true");
await page.goto(`${base}/orders?state=new&sort=-amount_cents`);
await hydrated();
await page.screenshot({ path: `${out}/list.png` });
await page.goto(`${base}/orders/900`);
await hydrated();
await page.getByRole("button", { name: "Mark as paid" }).click();
await page.locator("p.message").waitFor();
await page.screenshot({ path: `${out}/object.png`, fullPage: true });
await page.getByRole("link", { name: "Ship" }).click();
await hydrated();
await page.getByLabel("Tracking number").fill("AB");
await page.getByRole("button", { name: "Ship" }).click();
await page.locator(".field-errors").first().waitFor();
await page.screenshot({ path: `${out}/form-errors.png`, fullPage: true });
await page.goto(`${base}/orders/28`);
await hydrated();
await page.getByRole("button", { name: "Fraud check" }).click();
await page.locator("p.message").waitFor();
await page.screenshot({ path: `${out}/object-failed.png`, fullPage: true });
await page.goto(`${base}/orders/900/history`);
await page.screenshot({ path: `${out}/history.png`, fullPage: true });
await page.goto(`${base}/orders/settings/transitions`);
await hydrated();
await page.getByLabel("Visibility of Put on hold").selectOption({ label: "Shown" });
await page.getByLabel("Label of Fraud check").fill("Run fraud check");
await page.getByRole("button", { name: "Save" }).click();
await page.locator("p.message").waitFor();
await page.screenshot({ path: `${out}/settings.png`, fullPage: true });

// Campaigns: two state fields on one row (campaigns 40 to 49 are left to the screenshots).
await page.goto(`${base}/campaigns?step=draft&review=pending`);
await hydrated();
await page.screenshot({ path: `${out}/campaigns-list.png` });
await page.goto(`${base}/campaigns/40`);
await hydrated();
await page.getByRole("button", { name: "Add job" }).click();
await page.locator("p.message").waitFor();
await page.screenshot({ path: `${out}/campaign.png`, fullPage: true });
await page.goto(`${base}/campaigns/41/transitions/cancel`);
await page.screenshot({ path: `${out}/campaign-cancel.png` });
await page.goto(`${base}/campaigns/42/transitions/reject`);
await page.screenshot({ path: `${out}/campaign-reject.png` });
await page.goto(`${base}/orders/diagram`);
await page.screenshot({ path: `${out}/diagram.png`, fullPage: true });
await page.goto(`${base}/campaigns/diagram`);
await page.screenshot({ path: `${out}/campaigns-diagram.png`, fullPage: true });
await page.goto(`${base}/orders?after=500`);
await page.screenshot({ path: `${out}/list-keyset.png` });

const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
await phone.context().addCookies(await page.context().cookies());
await phone.goto(`${base}/orders/diagram`);
await phone.screenshot({ path: `${out}/diagram-phone.png`, fullPage: true });
await phone.goto(`${base}/orders/900`);
await phone.screenshot({ path: `${out}/object-phone.png`, fullPage: true });
await phone.goto(`${base}/orders`);
await phone.screenshot({ path: `${out}/list-phone.png` });
await phone.goto(`${base}/campaigns/40`);
await phone.screenshot({ path: `${out}/campaign-phone.png`, fullPage: true });
await phone.goto(`${base}/jobs`);
await phone.screenshot({ path: `${out}/jobs-phone.png`, fullPage: true });

// The list's row buttons and the selection count, the jobs page, and the focus outline.
await page.goto(`${base}/orders?q=Customer+000091`);
await hydrated();
await page.getByRole("button", { name: "Mark as paid (order 912)" }).click();
await page.locator("#messages p.message").waitFor();
await page.getByLabel("Select order 915").check();
await page.getByLabel("Select order 916").check();
await page.screenshot({ path: `${out}/list-row-actions.png`, fullPage: true });
await phone.goto(`${base}/orders?q=Customer+000091`);
await phone.screenshot({ path: `${out}/list-row-actions-phone.png`, fullPage: true });
await page.goto(`${base}/jobs`);
await page.screenshot({ path: `${out}/jobs.png`, fullPage: true });
await page.goto(`${base}/orders/920`);
await page.keyboard.press("Tab");
await page.keyboard.press("Tab");
await page.screenshot({ path: `${out}/object-focus.png` });

// The account page: a refused change, then the login throttle's answer.
await page.goto(`${base}/account/password`);
await page.screenshot({ path: `${out}/account.png` });
await page.getByLabel("Current password").fill("wrong");
await page.getByLabel("New password", { exact: true }).fill("a new password");
await page.getByLabel("Confirm new password").fill("a new password");
await page.getByRole("button", { name: "Change password" }).click();
await page.screenshot({ path: `${out}/account-refused.png` });
// API tokens: one created (its secret shown once), then the API's reference.
await page.goto(`${base}/account/tokens`);
await page.getByLabel("Name", { exact: true }).fill("deploys");
await page.getByRole("button", { name: /create/i }).click();
await page.screenshot({ path: `${out}/tokens-created.png`, fullPage: true });
await page.reload();
await page.screenshot({ path: `${out}/tokens.png`, fullPage: true });
await page.goto(`${base}/api/v1/docs`);
await page.screenshot({ path: `${out}/api-docs.png` });
const stranger = await browser.newPage({ viewport: { width: 1280, height: 800 } });
for (let attempt = 0; attempt < 12; attempt += 1) {
  await stranger.goto(`${base}/login`);
  await stranger.getByLabel("Username").fill("manager");
  await stranger.getByLabel("Password").fill("wrong");
  await stranger.getByRole("button", { name: "Log in" }).click();
}
await stranger.screenshot({ path: `${out}/login-throttled.png` });
await browser.close();
