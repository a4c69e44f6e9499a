// Every page against axe-core (WCAG 2.1 A and AA), every page titled, and one operator's
// day with the keyboard only, asserting where the focus is at each step.
// Orders 880-889 are this file's own.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function expectNoViolations(page: Page, address: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ` +
      violation.nodes.map((node) => node.target.join(" ")).join(", "),
  );
  expect(found, `axe on ${address}`).toEqual([]);
}

const ADMIN_PAGES = [
  "/",
  "/orders",
  "/orders?state=new&sort=-amount_cents",
  "/orders/880",
  "/orders/880/history",
  "/orders/880/transitions/cancel",
  "/orders/880/edit",
  "/orders/880/delete",
  "/orders/add",
  "/orders/diagram",
  "/orders/settings/transitions",
  "/orders/bulk?transition=pay&id=881&id=882",
  "/jobs",
  "/account/password",
  "/account/tokens",
  "/campaigns",
  "/campaigns/1",
  "/campaigns/1/transitions/reject",
  "/campaigns/diagram",
  "/no-such-page",
  "/orders/999999",
];

test("every page has no WCAG 2.1 A or AA violation and a title", async ({ page }) => {
  // 23 axe runs: the server answers each page in milliseconds, but axe takes up to 5 s on a
  // list page's DOM on a slow 2-core machine, which once ran this test past the default 30 s.
  test.setTimeout(120_000);
  await page.goto("/login");
  await expectNoViolations(page, "/login");
  await logIn(page, "admin");
  for (const address of ADMIN_PAGES) {
    await page.goto(address);
    await waitForHydration(page);
    await expect(page, `title of ${address}`).toHaveTitle(/\S+ · Switchyard$/);
    await expectNoViolations(page, address);
  }
});

test("a forbidden page is titled and passes axe too", async ({ page }) => {
  await logIn(page, "viewer");
  const response = await page.goto("/orders/settings/transitions");
  expect(response?.status()).toBe(403);
  await expect(page).toHaveTitle("Not allowed · Switchyard");
  await expectNoViolations(page, "/orders/settings/transitions as viewer");
});

/** Presses Tab until `target` has the focus (at most `limit` times). */
async function tabTo(page: Page, target: Locator, limit = 80) {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) {
      return;
    }
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("with the keyboard only: log in, pay, ship with the form, preview a bulk action", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByLabel("Username")).toBeFocused();
  await page.keyboard.type("clerk");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type("clerk");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/$/);
  // A new page starts at its heading.
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();

  // The skip link is the first stop and works before any script runs.
  await page.goto("/orders/883");
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  const skip = page.getByRole("link", { name: "Skip to content" });
  for (let presses = 0; presses < 40; presses += 1) {
    if (await skip.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press("Shift+Tab");
  }
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/orders\/883#main$/);

  await tabTo(page, page.getByRole("button", { name: "Mark as paid" }));
  await page.keyboard.press("Enter");
  await expect(page.locator("p.message")).toHaveText("Mark as paid: moved from New to Paid.");
  // The outcome has the focus, so a screen reader reads it first.
  await expect(page.locator("p.message")).toBeFocused();

  await tabTo(page, page.getByRole("link", { name: "Ship…" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/orders\/883\/transitions\/ship$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await tabTo(page, page.getByLabel("Tracking number"));
  await page.keyboard.type("1Z999AA10123456784");
  await tabTo(page, page.getByLabel("Carrier"));
  await page.keyboard.press("ArrowDown");
  await tabTo(page, page.getByRole("button", { name: "Ship" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/orders\/883$/);
  await expect(page.locator("p.message")).toHaveText("Ship: moved from Paid to Shipped.");
  await expect(page.locator("p.message")).toBeFocused();

  await page.goto("/orders?q=Customer+000088");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await tabTo(page, page.getByLabel("Select order 885"));
  await page.keyboard.press("Space");
  await tabTo(page, page.getByLabel("Select order 886"));
  await page.keyboard.press("Space");
  await expect(page.locator(".selection-count")).toHaveText("2 orders selected");
  await tabTo(page, page.getByLabel("Action"));
  await tabTo(page, page.getByRole("button", { name: "Preview" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/orders\/bulk\?/);
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await expect(page.getByRole("button", { name: "Apply" })).toBeVisible();
});
