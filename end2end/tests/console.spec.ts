// The operators' journeys on the demo database (1,000 orders, all `new` at start): each test
// works on orders no other test touches, so the order of tests does not matter.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

async function openOrder(page: Page, id: number) {
  await page.goto(`/orders/${id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Order ${id}`);
  await waitForHydration(page);
}

function message(page: Page) {
  return page.locator("p.message");
}

async function newPage(browser: Browser, username: string, javaScriptEnabled = true) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await logIn(page, username);
  return page;
}

test("the clerk finds an order in the list and pays it", async ({ page }) => {
  await logIn(page, "clerk");
  await page.getByRole("link", { name: "Orders" }).first().click();
  await expect(page).toHaveURL(/\/orders$/);
  await waitForHydration(page);
  await page.getByLabel("Search").fill("Customer 0000100");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/q=Customer\+0000100/);
  await page.getByRole("link", { name: "101", exact: true }).click();
  await expect(page).toHaveURL(/\/orders\/101$/);
  await waitForHydration(page);

  const pay = page.getByRole("button", { name: "Mark as paid" });
  await pay.dblclick();
  await expect(message(page)).toHaveText("Mark as paid: moved from New to Paid.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Paid");
  await expect(page.getByRole("button", { name: "Mark as paid" })).toHaveCount(0);
  // A double click fired once: one history row.
  await page.goto("/orders/101/history");
  await expect(page.locator("table.history tbody tr")).toHaveCount(1);
});

test("the clerk ships an order through its form after a too-short tracking number", async ({ page }) => {
  await logIn(page, "clerk");
  await openOrder(page, 102);
  await page.getByRole("button", { name: "Mark as paid" }).click();
  await expect(message(page)).toContainText("moved from New to Paid");

  await page.getByRole("link", { name: "Ship" }).click();
  await expect(page).toHaveURL(/\/orders\/102\/transitions\/ship$/);
  await waitForHydration(page);
  await page.getByLabel("Tracking number").fill("AB");
  await page.getByLabel("Carrier").selectOption("ups");
  await page.getByLabel("Note").fill("Fragile");
  await page.getByRole("button", { name: "Ship" }).click();
  await expect(page.locator(".field-errors")).toContainText("at least 3");
  await expect(page.getByLabel("Tracking number")).toHaveValue("AB");
  await expect(page.getByLabel("Note")).toHaveValue("Fragile");
  await expect(page).toHaveURL(/\/orders\/102\/transitions\/ship$/);

  // The form survives a reload.
  await page.reload();
  await expect(page.getByLabel("Tracking number")).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await page.getByLabel("Carrier").selectOption("ups");
  await page.getByRole("button", { name: "Ship" }).click();
  await expect(page).toHaveURL(/\/orders\/102$/);
  await expect(message(page)).toHaveText("Ship: moved from Paid to Shipped.");
  await expect(page.locator("dl.fields")).toContainText("1Z999AA10123456784");
});

test("the admin's fraud check on an order over 1,000 lands in failed with a message", async ({ page }) => {
  await logIn(page, "admin");
  // Order 28 is seeded with 1,000.27.
  await openOrder(page, 28);
  await expect(page.locator("dl.fields")).toContainText("1,000.27");
  await page.getByRole("button", { name: "Fraud check" }).click();
  await expect(message(page)).toHaveText(
    "Fraud check failed: Amount above 1000 needs a manual review. The order is now Failed.",
  );
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Failed");
  await expect(page.locator("table.history")).toContainText("Failed: Amount above 1000");
});

test("the clerk sees no reopen and the viewer sees no buttons", async ({ browser }) => {
  const admin = await newPage(browser, "admin");
  await openOrder(admin, 103);
  await admin.getByRole("button", { name: "Mark as paid" }).click();
  await expect(message(admin)).toContainText("moved from New to Paid");
  await expect(admin.getByRole("button", { name: "Reopen" })).toBeVisible();

  const clerk = await newPage(browser, "clerk");
  await openOrder(clerk, 103);
  await expect(clerk.getByRole("button", { name: "Cancel order" })).toBeVisible();
  await expect(clerk.getByRole("link", { name: "Ship" })).toBeVisible();
  await expect(clerk.getByRole("button", { name: "Reopen" })).toHaveCount(0);

  const viewer = await newPage(browser, "viewer");
  await openOrder(viewer, 104);
  await expect(viewer.locator("ul.actions button, ul.actions a")).toHaveCount(0);
  await expect(viewer.getByText("No transition is available to you")).toBeVisible();
});

test("a click from a stale second tab reports the conflict", async ({ browser }) => {
  const first = await newPage(browser, "clerk");
  const second = await first.context().newPage();
  await openOrder(first, 105);
  await openOrder(second, 105);

  await first.getByRole("button", { name: "Mark as paid" }).click();
  await expect(message(first)).toContainText("moved from New to Paid");

  await second.getByRole("button", { name: "Cancel order" }).click();
  await expect(message(second)).toContainText(
    "Cancel order: this order was changed by someone else since the page was loaded.",
  );
  // The page now shows the order as it is: paid.
  await expect(second.getByRole("heading", { level: 1 })).toContainText("Paid");
});

test("the history shows every step with its actor", async ({ browser }) => {
  const clerk = await newPage(browser, "clerk");
  await openOrder(clerk, 106);
  await clerk.getByRole("button", { name: "Mark as paid" }).click();
  await expect(message(clerk)).toContainText("moved from New to Paid");

  const admin = await newPage(browser, "admin");
  await openOrder(admin, 106);
  await admin.getByRole("button", { name: "Reopen" }).click();
  await expect(message(admin)).toContainText("moved from Paid to New");

  await clerk.goto("/orders/106/history");
  const rows = clerk.locator("table.history tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("admin");
  await expect(rows.nth(0)).toContainText("Reopen");
  await expect(rows.nth(1)).toContainText("clerk");
  await expect(rows.nth(1)).toContainText("Mark as paid");
});

test("with JavaScript off, buttons and forms post and redirect", async ({ browser }) => {
  const page = await newPage(browser, "clerk", false);
  await page.goto("/orders/107");
  await page.getByRole("button", { name: "Mark as paid" }).click();
  await expect(page).toHaveURL(/\/orders\/107$/);
  await expect(message(page)).toHaveText("Mark as paid: moved from New to Paid.");

  await page.getByRole("link", { name: "Ship" }).click();
  await page.getByLabel("Tracking number").fill("X");
  await page.getByRole("button", { name: "Ship" }).click();
  await expect(page).toHaveURL(/\/orders\/107\/transitions\/ship$/);
  await expect(page.locator(".field-errors").first()).toBeVisible();
  await page.getByLabel("Tracking number").fill("JS-OFF-123");
  await page.getByLabel("Carrier").selectOption("dhl");
  await page.getByRole("button", { name: "Ship" }).click();
  await expect(page).toHaveURL(/\/orders\/107$/);
  await expect(message(page)).toHaveText("Ship: moved from Paid to Shipped.");
});

test("the list filters by state, sorts and pages, and Back restores it", async ({ page }) => {
  await logIn(page, "viewer");
  await page.goto("/orders?state=new");
  await waitForHydration(page);
  await expect(page.locator(".list-summary")).toContainText(/1–100 of \d+ orders/);
  await page.getByRole("link", { name: "Amount" }).click();
  await expect(page).toHaveURL(/sort=amount_cents/);
  await expect(page).toHaveURL(/state=new/);
  const firstPage = await page.locator("table.list tbody tr").first().textContent();
  // Next follows a keyset cursor: the last row's key and amount.
  await page.getByRole("link", { name: "Next ›" }).click();
  await expect(page).toHaveURL(/after=\d+(%3A|:)\d+/);
  await expect(page.locator(".page-of")).toHaveText(/\d+ pages/);
  await expect(page.locator(".list-summary")).toContainText(/^100 of \d+ orders/);
  await page.getByRole("link", { name: "‹ Previous" }).click();
  await expect(page).toHaveURL(/before=\d+/);
  await expect(page.locator("table.list tbody tr").first()).toHaveText(firstPage ?? "");
  await page.goBack();
  await page.goBack();
  await expect(page.locator(".page-of")).toHaveText(/Page 1 of \d+/);
  // A bookmarked page number still works.
  await page.goto("/orders?state=new&page=2");
  await expect(page.locator(".page-of")).toHaveText(/Page 2 of \d+/);
});
