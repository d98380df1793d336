// WebKit (Safari's engine: WebKitGTK's MiniBrowser under Xvfb) for the tests that drive real
// tabs. playwright-core drives only its own WebKit build, which is a download; Debian's
// WebKitGTK speaks WebDriver, driven here with selenium-webdriver (support/webdriver-page.mjs).
import { Builder } from "selenium-webdriver";
import { asPlaywright } from "./webdriver-page.mjs";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const DRIVER = fileURLToPath(new URL("../../../scripts/webkit-driver", import.meta.url));

/** Whether this machine has WebKitGTK's WebDriver, MiniBrowser and Xvfb. */
export function hasWebKit() {
  const onPath = (command) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
  return existsSync(MINIBROWSER) && onPath("WebKitWebDriver") && onPath("xvfb-run");
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `url` answers, bounded in count and time. */
async function reachable(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not start at ${url}`);
}

export async function launchWebKit() {
  const port = await freePort();
  // Not detached: the wrapper makes its own process group (setsid), whose id is its pid.
  const driverProcess = spawn(DRIVER, [`--port=${port}`], { stdio: "ignore" });
  const stopDriver = () => {
    try {
      process.kill(-driverProcess.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    await reachable(`http://127.0.0.1:${port}/status`);
  } catch (error) {
    stopDriver();
    throw error;
  }
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}`)
    .withCapabilities({
      browserName: "MiniBrowser",
      // The demo in cookie mode runs over https with a throwaway certificate.
      acceptInsecureCerts: true,
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    })
    .build();
  return asPlaywright(driver, stopDriver);
}
