// Open an MLflow experiment's runs table, best CV e2e F_avg first, show only the columns a
// user compares (chosen in the UI's own column selector), and save a screenshot.
// Usage: node mlflow_compare.mjs URL EXPERIMENT_ID OUT.png SORT_METRIC COLUMN...
import { chromium } from "playwright-core";

const [url, experimentId, out, sortMetric, ...columns] = process.argv.slice(2);
// Attribute columns shown by default that say nothing about the comparison.
const HIDDEN = ["Dataset", "Source", "Models"];
const browser = await chromium.launch({
  // Debian's chromium: playwright-core downloads no browser of its own.
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 2300, height: 700 } });
  const sort = encodeURIComponent(`metrics.\`${sortMetric}\``);
  await page.goto(
    `${url}/#/experiments/${experimentId}/runs?compareRunsMode=TABLE` +
      `&orderByKey=${sort}&orderByAsc=false`,
  );
  const selector = page.getByRole("button", { name: "Columns", exact: true });
  // The table and the panels render after the runs load: wait for the first row.
  await page.locator(".ag-row").first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(2000);
  // The assistant panel takes a third of the page; it has nothing to show here.
  const closeAssistant = page.locator('[data-component-id="mlflow.assistant.chat_panel.close"]');
  if (await closeAssistant.isVisible()) {
    await closeAssistant.click();
  }
  await selector.click();
  const search = page.getByPlaceholder("Search columns");
  const toggle = async (title) => {
    const node = page
      .locator(".du-bois-light-tree-treenode")
      .filter({ has: page.locator(".du-bois-light-tree-title", { hasText: new RegExp(`^${title}$`) }) })
      .first();
    await node.locator(".du-bois-light-tree-checkbox").click();
  };
  for (const title of HIDDEN) {
    await toggle(title);
  }
  for (const column of columns) {
    await search.fill(column);
    await toggle(column);
  }
  await search.fill("");
  await page.keyboard.press("Escape");
  // Metric columns start narrower than their names: a double click on a column's resize
  // handle fits it to its content.
  const handles = page.locator('.ag-header-cell[col-id^="metrics."] .ag-header-cell-resize');
  await handles.first().waitFor();
  for (let i = 0; i < (await handles.count()); i++) {
    await handles.nth(i).dblclick({ force: true });
  }
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}
