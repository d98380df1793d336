// Debian's Firefox ESR, headless, through geckodriver (installed by scripts/setup.sh), for the
// tests that drive real tabs: playwright-core drives only its own Firefox build, which is a
// download. The page API is support/webdriver-page.mjs's.
import { Builder } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";
import { spawnSync } from "node:child_process";
import { asPlaywright } from "./webdriver-page.mjs";

const BINARY = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

function geckodriverPath() {
  const found = spawnSync("sh", ["-c", "command -v geckodriver"], { encoding: "utf8" }).stdout.trim();
  return found || `${process.env.HOME}/.cargo/bin/geckodriver`;
}

export async function launchFirefox() {
  const options = new firefox.Options()
    .setBinary(BINARY)
    .addArguments("-headless")
    // No background traffic (the network is closed), no first-run pages.
    .setPreference("network.connectivity-service.enabled", false)
    .setPreference("app.update.enabled", false)
    .setPreference("browser.shell.checkDefaultBrowser", false)
    // Timers keep running at full speed in background tabs.
    .setPreference("dom.min_background_timeout_value", 4)
    .setPreference("dom.timeout.enable_budget_timer_throttling", false);
  const service = new firefox.ServiceBuilder(geckodriverPath());
  const driver = await new Builder().forBrowser("firefox").setFirefoxOptions(options).setFirefoxService(service).build();
  return asPlaywright(driver, () => {});
}
