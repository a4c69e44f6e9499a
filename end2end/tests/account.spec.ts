// Changing one's password: refusals change nothing, a change ends the user's other
// session and retires the old password, and the test changes it back at the end.
import { expect, test, type Page } from "@playwright/test";
import { logIn, submitLogin, waitForHydration } from "./helpers";

const NEW_PASSWORD = "a new password for viewer";

async function changePassword(page: Page, current: string, next: string, confirm = next) {
  await page.goto("/account/password");
  await page.getByLabel("Current password").fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Confirm new password").fill(confirm);
  await page.getByRole("button", { name: "Change password" }).click();
}

test("a user changes their password and their other session ends", async ({ page, browser }) => {
  await logIn(page, "viewer");
  const elsewhere = await (await browser.newContext()).newPage();
  await logIn(elsewhere, "viewer");
  let changed = false;
  try {
    await page.getByRole("link", { name: "viewer", exact: true }).click();
    await expect(page).toHaveURL(/\/account\/password$/);
    await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
    await waitForHydration(page);

    await changePassword(page, "viewer", NEW_PASSWORD, "something else");
    await expect(page.getByRole("alert")).toHaveText(/The new password and its confirmation differ/);
    await changePassword(page, "not the password", NEW_PASSWORD);
    await expect(page.getByRole("alert")).toHaveText(/The current password is wrong/);

    await changePassword(page, "viewer", NEW_PASSWORD);
    changed = true;
    await expect(page).toHaveURL(/\/account\/password\?changed=1$/);
    await expect(page.getByRole("status")).toContainText("Your password was changed.");

    await elsewhere.goto("/");
    await expect(elsewhere).toHaveURL(/\/login$/);
    await submitLogin(elsewhere, "viewer", "viewer");
    await expect(elsewhere.getByRole("alert")).toHaveText(/Wrong username or password/);
    await submitLogin(elsewhere, "viewer", NEW_PASSWORD);
    await expect(elsewhere).toHaveURL(/\/$/);
  } finally {
    // The demo user gets its own password back, so later journeys log in as before.
    if (changed) {
      await changePassword(page, NEW_PASSWORD, "viewer");
    }
  }
  await expect(page.getByRole("status")).toContainText("Your password was changed.");
  await elsewhere.goto("/");
  await expect(elsewhere).toHaveURL(/\/login$/);
  await submitLogin(elsewhere, "viewer", "viewer");
  await expect(elsewhere).toHaveURL(/\/$/);
});
