import { chromium } from "@playwright/test";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
let errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text().split("\n")[0]); });
page.on("pageerror", (e) => errors.push("pageerror " + e.message));
await page.goto("http://127.0.0.1:3201/login");
await page.getByLabel("Username").fill("clerk");
await page.getByLabel("Password").fill("clerk");
await page.getByRole("button", { name: "Log in" }).click();
await page.waitForURL(/\/$/);
for (const url of ["/", "/orders/5", "/orders/5/history", "/jobs", "/campaigns", "/orders?q=Customer+000077", "/account/tokens"]) {
  errors = [];
  await page.goto("http://127.0.0.1:3201" + url);
  await page.waitForTimeout(1500);
  console.log(url, JSON.stringify(errors));
}
await browser.close();
