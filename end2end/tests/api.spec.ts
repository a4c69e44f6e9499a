// The automation API as a person meets it: the help links to its reference, which names
// every operation; the OpenAPI document it renders is the one programs fetch.
import { expect, test } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

test("the help links to the API's reference, which lists the fire endpoint", async ({ page, request }) => {
  await logIn(page, "clerk");
  await waitForHydration(page);
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await help.getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/api\/v1\/docs$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Switchyard automation API");
  await expect(
    page.getByRole("heading", {
      name: "POST /api/v1/resources/{resource}/objects/{id}/transitions/{transition}",
    }),
  ).toBeVisible();
  await expect(page.getByRole("heading", { name: "Problem", exact: true })).toBeVisible();

  const document = await (await request.get("/api/v1/openapi.json")).json();
  expect(document.openapi).toMatch(/^3\.1/);
  expect(Object.keys(document.paths)).toContain("/resources/{resource}/objects/{id}/transitions/{transition}");
  // Without a token, the API itself answers a problem document.
  const refused = await request.get("/api/v1/resources");
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
});
