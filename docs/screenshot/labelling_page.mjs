// Log in to Label Studio, open a task's labelling page, select one region so that its
// actor name, stance and sentiment show, and save a screenshot.
// Usage: node labelling_page.mjs URL EMAIL PASSWORD PAGE_PATH OUT.png REGION_TEXT
import { chromium } from "playwright-core";

const [url, email, password, pagePath, out, region] = process.argv.slice(2);
const browser = await chromium.launch({
  // Debian's chromium: playwright-core downloads no browser of its own.
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
});
try {
  // A fresh context is a fresh profile: no cookies but the session made here.
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  await page.goto(`${url}/user/login/`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  await page.goto(`${url}${pagePath}`);
  // The region list comes after the text: its entry is the last element with this text.
  const entry = page.getByText(region, { exact: true }).last();
  await entry.waitFor({ timeout: 60000 });
  await entry.click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}
