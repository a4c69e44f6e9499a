// Campaigns: two state fields on one row (an integer step and a review keyed into the
// review_states table). The demo seeds 50 campaigns, drafts pending review; each test
// works on campaigns no other test touches.
import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

async function openCampaign(page: Page, id: number) {
  await page.goto(`/campaigns/${id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Campaign ${id}`);
  await waitForHydration(page);
}

function block(page: Page, label: string) {
  return page.getByRole("region", { name: label, exact: true });
}

function message(page: Page) {
  return page.locator("p.message");
}

test("the clerk adds a job, which enables Start production, and starts it", async ({ page }) => {
  await logIn(page, "clerk");
  await openCampaign(page, 3);
  const step = block(page, "Step");
  await expect(block(page, "Review")).toContainText("Pending review");
  const start = step.getByRole("button", { name: "Start production" });
  await expect(start).toBeDisabled();
  await expect(step).toContainText("Add a job first.");

  await step.getByRole("button", { name: "Add job" }).click();
  await expect(message(page)).toHaveText("Add job: done; the campaign stays Draft.");
  await expect(page.locator("dl.fields")).toContainText("1");
  await expect(step.getByRole("button", { name: "Start production" })).toBeEnabled();

  await step.getByRole("button", { name: "Start production" }).click();
  await expect(message(page)).toHaveText("Start production: moved from Draft to Being produced.");
  await expect(step).toContainText("Being produced");
  await expect(step).toContainText("Jobs are being produced");
  // The clerk holds no campaigns.review: the review block offers nothing.
  await expect(block(page, "Review").getByRole("button")).toHaveCount(0);
});

test("the admin rejects a review with a reason, kept in the history", async ({ page }) => {
  await logIn(page, "admin");
  await openCampaign(page, 4);
  await block(page, "Review").getByRole("link", { name: "Reject…" }).click();
  await expect(page).toHaveURL(/\/campaigns\/4\/transitions\/reject$/);
  await waitForHydration(page);
  await page.getByLabel("Reason").fill("No");
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.locator(".field-errors")).toContainText("at least 5");
  await page.getByLabel("Reason").fill("The artwork is missing.");
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(message(page)).toHaveText("Reject: moved from Pending review to Rejected.");
  await expect(block(page, "Review")).toContainText("Rejected");
  await expect(page.locator("table.history")).toContainText("The artwork is missing.");
  await expect(page.locator("table.history")).toContainText("(Review)");
});

test("the list filters by step and review at once, held in the address", async ({ page }) => {
  await logIn(page, "viewer");
  await page.goto("/campaigns?step=draft&review=pending");
  await waitForHydration(page);
  await expect(page.getByLabel("Step")).toHaveValue("draft");
  await expect(page.getByLabel("Review")).toHaveValue("pending");
  await expect(page.getByRole("columnheader", { name: "Review" })).toBeVisible();
  await page.getByLabel("Step").selectOption("closed");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/review=pending&step=closed|step=closed.*review=pending/);
  await expect(page.locator(".list-summary")).toHaveText("No campaign matches.");
});

test("Cancel campaign asks its question before it runs", async ({ page }) => {
  await logIn(page, "admin");
  await openCampaign(page, 5);
  await block(page, "Step").getByRole("link", { name: "Cancel campaign…" }).click();
  await expect(page).toHaveURL(/\/campaigns\/5\/transitions\/cancel$/);
  await expect(page.locator("p.confirmation")).toHaveText(
    "Cancel this campaign? This cannot be undone.",
  );
  await waitForHydration(page);
  await page.getByRole("button", { name: "Cancel campaign" }).click();
  await expect(message(page)).toHaveText("Cancel campaign: moved from Draft to Cancelled.");
  await expect(block(page, "Step")).toContainText("Cancelled");
});

test("a campaign in a retired step still opens, and its review still works", async ({ page }) => {
  const database = process.env.SWITCHYARD_DEMO_DB;
  expect(database, "SWITCHYARD_DEMO_DB names the demo's SQLite file").toBeTruthy();
  // A step a later release retired, written as a migration would.
  execFileSync("sqlite3", [database!, "UPDATE campaigns SET step = 9 WHERE id = 6"]);
  await logIn(page, "admin");
  await openCampaign(page, 6);
  await expect(block(page, "Step")).toContainText("Unknown state: 9");
  await expect(block(page, "Step").getByRole("button")).toHaveCount(0);
  await page.goto("/campaigns?step=9");
  await expect(page.locator(".list-summary")).toHaveText("1–1 of 1 campaign");
  await openCampaign(page, 6);
  await block(page, "Review").getByRole("button", { name: "Approve" }).click();
  await expect(message(page)).toHaveText("Approve: moved from Pending review to Approved.");
});
