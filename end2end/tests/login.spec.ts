// The first journey: log in, use the hydrated console, log out; a wrong password is refused.
import { expect, test } from "@playwright/test";
import { submitLogin, waitForHydration } from "./helpers";

test("an operator logs in, opens the shortcuts help, and logs out", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("note")).toContainText("Demo database");

  await submitLogin(page, "admin", "admin");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await expect(page.getByText("Logged in as admin")).toBeVisible();

  // Only the hydrated app opens the dialog: the server-rendered button has no handler.
  await waitForHydration(page);
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.keyboard.press("?");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await expect(page.getByRole("status")).toHaveText("You have been logged out.");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password shows the error and keeps the user out", async ({ page }) => {
  await submitLogin(page, "admin", "not-the-password");
  await expect(page).toHaveURL(/\/login\?/);
  await expect(page.getByRole("alert")).toHaveText(/Wrong username or password/);
  await expect(page.getByLabel("Username")).toHaveValue("admin");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("an unknown user gets the same message as a wrong password", async ({ page }) => {
  await submitLogin(page, "nobody", "whatever");
  await expect(page.getByRole("alert")).toHaveText(/Wrong username or password/);
});

test("a deep link survives the login", async ({ page }) => {
  await page.goto("/orders?state=paid");
  await expect(page).toHaveURL(/\/login\?next=%2Forders%3Fstate%3Dpaid$/);
  await page.getByLabel("Username").fill("viewer");
  await page.getByLabel("Password").fill("viewer");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/orders\?state=paid$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Orders");
  await page.goto("/a/b/c/d/e");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("what the user typed before the app hydrated is kept", async ({ page }) => {
  // Hold the WASM bundle back until the form is filled, as on a slow connection.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/login?error=credentials&username=someone");
  await page.getByLabel("Username").fill("clerk");
  await page.getByLabel("Password").fill("clerk");
  release();
  await waitForHydration(page);
  await expect(page.getByLabel("Username")).toHaveValue("clerk");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Logged in as clerk")).toBeVisible();
});
