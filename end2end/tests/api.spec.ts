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

test("a token made on the tokens page works once shown, and stops when revoked", async ({ page, request }) => {
  await logIn(page, "clerk");
  await page.goto("/account/tokens");
  const name = `e2e-${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Expires after (days)").fill("7");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await expect(page.getByText("it will not be shown again")).toBeVisible();
  const secret = await page.getByLabel("Secret").inputValue();
  expect(secret).toMatch(/^sy_[0-9a-f]{64}$/);

  const headers = { Authorization: `Bearer ${secret}` };
  const resources = await request.get("/api/v1/resources", { headers });
  expect(resources.status()).toBe(200);
  expect((await resources.json()).map((r: { name: string }) => r.name)).toContain("orders");

  // Shown once: a reload has the token in the list but not its secret.
  await page.reload();
  await expect(page.getByLabel("Secret")).toHaveCount(0);
  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
  const refused = await request.get("/api/v1/resources", { headers });
  expect(refused.status()).toBe(401);
});
