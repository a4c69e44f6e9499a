// The diagram page: live counts that change after a transition, states that open the
// filtered list, and the object page's small diagram with the current state outlined.
import { expect, test, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

/** The count drawn in a state's box (its second line). */
async function drawnCount(page: Page, state: string): Promise<number> {
  const text = await page
    .locator(`.diagram-card[data-field="state"] .diagram-state[data-state="${state}"] tspan`)
    .last()
    .textContent();
  return Number(text);
}

/** The count listed beside the drawing for a state. */
function listedCount(page: Page, label: string) {
  return page
    .locator(".diagram-counts li")
    .filter({ has: page.getByRole("link", { name: label, exact: true }) })
    .locator(".count");
}

test("the diagram's counts follow a transition, and a state opens its list", async ({ page }) => {
  await logIn(page, "admin");
  await page.getByRole("link", { name: "Orders state diagram" }).click();
  await expect(page).toHaveURL(/\/orders\/diagram$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Orders: state diagram");
  const newBefore = await drawnCount(page, "new");
  const paidBefore = await drawnCount(page, "paid");
  await expect(listedCount(page, "New")).toHaveText(String(newBefore));
  // The text alternative lists the transitions; hold is hidden, shown set apart to the admin.
  const transitions = page.getByRole("table", { name: "State transitions" });
  await expect(transitions.getByRole("rowheader", { name: "Mark as paid" })).toBeVisible();
  await expect(transitions).toContainText("(hidden)");

  // Pay the newest new order, then come back.
  await page.goto("/orders?state=new&sort=-id");
  await page.locator("table.list tbody tr a").first().click();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Mark as paid" }).click();
  await expect(page.locator("p.message")).toContainText("Mark as paid: moved from New to Paid.");
  await page.goto("/orders/diagram");
  expect(await drawnCount(page, "new")).toBe(newBefore - 1);
  expect(await drawnCount(page, "paid")).toBe(paidBefore + 1);

  // A state in the drawing opens the list filtered by it.
  await page.locator('.diagram-state[data-state="shipped"] a').click();
  await expect(page).toHaveURL(/\/orders\?state=shipped$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Orders");
});

test("the object page draws the order with its state outlined", async ({ page }) => {
  await logIn(page, "viewer");
  await page.goto("/orders?state=shipped");
  await page.locator("table.list tbody tr a").first().click();
  const drawing = page.locator(".object-diagram");
  await expect(drawing).toBeVisible();
  await expect(drawing.locator('.diagram-state.current[data-state="shipped"]')).toHaveCount(1);
  await expect(drawing.locator(".diagram-state.current")).toHaveCount(1);
  // The viewer does not see hold: it is hidden from the console, and they may not configure it.
  await page.goto("/orders/diagram");
  await expect(page.getByRole("table", { name: "State transitions" })).not.toContainText("Put on hold");
});

test("campaigns have one diagram per state field", async ({ page }) => {
  await logIn(page, "admin");
  await page.goto("/campaigns");
  await page.getByRole("link", { name: "Diagram" }).click();
  await expect(page).toHaveURL(/\/campaigns\/diagram$/);
  await expect(page.getByRole("heading", { level: 2, name: "Step" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Review" })).toBeVisible();
  await page.locator('.diagram-card[data-field="review"] .diagram-state[data-state="approved"] a').click();
  await expect(page).toHaveURL(/\/campaigns\?review=approved$/);
});
