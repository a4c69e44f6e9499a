// Transition settings: an operator hides `cancel` from the clerks' group, the clerk loses it
// everywhere (and a hand-made POST is refused), then the operator restores it and the clerk
// has it again at once. Runs last and restores what it changed; it uses orders 901–902.
import { expect, test, type Browser } from "@playwright/test";
import { logIn, waitForHydration } from "./helpers";

async function pageAs(browser: Browser, username: string) {
  const page = await (await browser.newContext()).newPage();
  await logIn(page, username);
  return page;
}

test("an operator hides cancel from the clerks' group and restores it", async ({ browser }) => {
  const admin = await pageAs(browser, "admin");
  await admin.goto("/orders");
  await admin.getByRole("link", { name: "Transition settings" }).click();
  await expect(admin).toHaveURL(/\/orders\/settings\/transitions$/);
  await waitForHydration(admin);
  const visibility = admin.getByLabel("Visibility of Cancel order");
  await expect(visibility).toHaveValue("shown");
  await expect(admin.getByLabel("Visibility of Put on hold")).toHaveValue("hidden");
  await visibility.selectOption({ label: "Shown to groups" });
  await admin.getByRole("group", { name: "Groups that see Cancel order" }).getByLabel("managers").check();
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.locator("p.message")).toHaveText("Saved 1 change.");
  await expect(admin.getByLabel("Visibility of Cancel order")).toHaveValue("groups");

  // The clerk (in `clerks`, not `managers`) no longer gets it, on any path.
  const clerk = await pageAs(browser, "clerk");
  await clerk.goto("/orders/901");
  await waitForHydration(clerk);
  await expect(clerk.getByRole("button", { name: "Mark as paid" })).toBeVisible();
  await expect(clerk.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
  await clerk.goto("/orders");
  const action = clerk.getByLabel("Action");
  await expect(action.locator("option", { hasText: "Mark as paid" })).toHaveCount(1);
  await expect(action.locator("option", { hasText: "Cancel order" })).toHaveCount(0);
  const posted = await clerk.request.post("/api/fire", {
    headers: { accept: "application/json" },
    form: {
      "input[resource]": "orders",
      "input[id]": "901",
      "input[transition]": "cancel",
      "input[version]": "1",
    },
  });
  expect(posted.status()).toBe(403);
  expect(await posted.text()).toContain("Cancel order is not offered in the console.");
  await clerk.goto("/orders/901");
  await expect(clerk.getByRole("heading", { level: 1 })).toContainText("New");

  // The managers keep it.
  await admin.goto("/orders/902");
  await expect(admin.getByRole("button", { name: "Cancel order" })).toBeVisible();

  // The change is in the log, with who and what; reverting it restores the code's choice.
  await admin.goto("/orders/settings/transitions");
  await waitForHydration(admin);
  const log = admin.getByRole("region", { name: "Changes" });
  const change = log.getByRole("row").filter({ hasText: "Shown to groups managers" });
  await expect(change).toContainText("admin");
  await expect(change).toContainText("As declared in code");
  await change.getByRole("button", { name: /^Revert change \d+$/ }).click();
  await expect(admin.locator("p.message")).toContainText("Reverted change");
  await expect(admin.getByLabel("Visibility of Cancel order")).toHaveValue("shown");
  await expect(log.getByRole("row").filter({ hasText: "reverts change" })).toHaveCount(1);

  // No restart: the clerk's next page has it again.
  await clerk.goto("/orders/901");
  await waitForHydration(clerk);
  await expect(clerk.getByRole("button", { name: "Cancel order" })).toBeVisible();
});
