// One accessibility check for every browser test: axe rates the page once it
// has stopped moving. An entrance animation measured half-way (opacity 0.3)
// reports a contrast failure that no user ever sees, and on a loaded CI
// machine "half-way" is common — that is the only reason to wait here.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** Serious or critical axe violations on the page once its running animations have finished. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
