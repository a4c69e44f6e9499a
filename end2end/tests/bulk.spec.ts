// Bulk transitions from the list: select all orders matching a search, read the grouped
// preview, apply, follow the job's progress and report, and download its CSV.
import { expect, test } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

test("the clerk pays every order matching a search, with a grouped preview and a report", async ({ page }) => {
  await logIn(page, "clerk");
  // Orders 501..510 ("Customer 000050x"); 501 is paid first, so the preview skips it.
  await page.goto("/orders/501");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Mark as paid" }).click();
  await expect(page.locator("p.message")).toContainText("moved from New to Paid");

  await page.goto("/orders?q=Customer+000050");
  await waitForHydration(page);
  await expect(page.locator(".list-summary")).toContainText("of 10 orders");
  await page.getByLabel("Action").selectOption({ label: "Mark as paid" });
  await page.getByLabel(/Select all matching/).check();
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page).toHaveURL(/\/orders\/bulk\?/);
  await expect(page.locator(".preview-summary")).toHaveText("9 will move, 1 will be skipped.");
  await expect(page.locator("table.preview")).toContainText("Mark as paid is not possible: the order is Paid.");

  await waitForHydration(page);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await expect(page.locator("#progress-heading")).toHaveText("Done");
  await expect(page.locator(".job-progress")).toHaveText("10 of 10 processed: 9 moved, 1 skipped, 0 failed");
  await expect(page.locator("progress")).toHaveAttribute("value", "10");
  await expect(page.getByRole("cell", { name: "Mark as paid is not possible: the order is Paid." })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Per-row outcomes (CSV)" }).click();
  const csv = await (await download).createReadStream();
  let text = "";
  for await (const chunk of csv) text += chunk;
  expect(text.split("\n")[0]).toBe("position,object_id,outcome,reason");
  expect(text).toContain("applied");
  expect(text).toContain("501,skipped,Mark as paid is not possible: the order is Paid.");

  await page.goto("/jobs");
  await expect(page.locator("table")).toContainText("Mark as paid (orders)");
});

test("checked rows are the selection, and the viewer gets no bulk controls", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, "clerk");
  await page.goto("/orders?q=Customer+000060");
  await waitForHydration(page);
  await page.getByLabel("Select order 601").check();
  await page.getByLabel("Select order 602").check();
  await page.getByLabel("Action").selectOption({ label: "Cancel order" });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".preview-summary")).toHaveText("2 will move, 0 will be skipped.");
  // Cancelling is declared all or nothing by default; the operator may still choose.
  await expect(page.getByLabel(/All or nothing/)).toBeChecked();
  await expect(page.getByLabel(/Best effort/)).not.toBeChecked();

  const viewer = await (await browser.newContext()).newPage();
  await logIn(viewer, "viewer");
  await viewer.goto("/orders");
  await expect(viewer.getByLabel("Action")).toHaveCount(0);
  await expect(viewer.getByLabel("Select order 1", { exact: true })).toHaveCount(0);
});

test("the admin runs the deployer's own action, row by row", async ({ page }) => {
  await logIn(page, "admin");
  await page.goto("/orders?q=Customer+000070");
  await waitForHydration(page);
  await page.getByLabel("Select order 701").check();
  await page.getByLabel("Select order 702").check();
  await page.getByLabel("Action").selectOption({ label: "Record payment" });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".preview-summary")).toHaveText("2 will be processed, 0 will be skipped.");
  await expect(page.getByRole("group", { name: "If a row cannot move" })).toHaveCount(0);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await expect(page.locator(".job-progress")).toHaveText("2 of 2 processed: 2 moved, 0 skipped, 0 failed");
  await page.goto("/orders/701");
  await expect(page.getByText("Payment recorded")).toBeVisible();
  await expect(page.locator("dl.fields")).toContainText("Payment recordedYes");
});
