// The admin edits an order's customer, creates an order and deletes one; the clerk may not.
import { expect, test } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

test("the admin edits a customer, creates an order and deletes it", async ({ page }) => {
  await logIn(page, "admin");
  await page.goto("/orders/201");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page).toHaveURL(/\/orders\/201\/edit$/);
  await waitForHydration(page);
  await page.getByLabel("Customer").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".field-errors")).toBeVisible();
  await page.getByLabel("Customer").fill("Acme Ltd");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/orders\/201$/);
  await expect(page.locator("p.message")).toHaveText("Order 201 was saved: Customer changed.");
  await expect(page.locator("dl.fields")).toContainText("Acme Ltd");
  await expect(page.locator("table.history")).toContainText("Edited");

  await page.goto("/orders");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Add order" }).click();
  await waitForHydration(page);
  await page.getByLabel("Customer").fill("Brand New Ltd");
  await page.getByLabel("Amount").fill("42.50");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.locator("p.message")).toHaveText(/Order \d+ was created\./);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("New");
  await expect(page.locator("dl.fields")).toContainText("42.50");

  await page.getByRole("link", { name: "Delete" }).click();
  await waitForHydration(page);
  await page.getByRole("button", { name: /^Delete Order \d+$/ }).click();
  await expect(page).toHaveURL(/\/orders$/);
  await expect(page.locator("p.message")).toHaveText(/Order \d+ was deleted\./);
});

test("the clerk can neither edit, create nor delete", async ({ page }) => {
  await logIn(page, "clerk");
  await page.goto("/orders/202");
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Delete" })).toHaveCount(0);
  await page.goto("/orders");
  await expect(page.getByRole("link", { name: "Add order" })).toHaveCount(0);
  const response = await page.goto("/orders/202/edit");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
});
