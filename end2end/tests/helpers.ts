// What the journeys share: logging in as a demo user and waiting for hydration.
import { expect, type Page } from "@playwright/test";

/** Fills and submits the login form, wherever that leads. */
export async function submitLogin(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in as a demo user (each one's password is its name) and lands on Home. */
export async function logIn(page: Page, username: string) {
  await submitLogin(page, username, username);
  await expect(page).toHaveURL(/\/$/);
}

/** Resolves once the WASM bundle has hydrated the page (set by the app's hydrate()). */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => document.body.dataset.hydrated === "true");
}
