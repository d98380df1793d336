// WebKit (Safari's engine: WebKitGTK's MiniBrowser under Xvfb) for the tests that drive real
// tabs. playwright-core drives only its own WebKit build, which is a download; Debian's
// WebKitGTK speaks WebDriver, driven here with selenium-webdriver behind the small part of
// playwright-core's page API the tests use. One WebDriver session drives every tab, so the
// calls are serialized, each switched to its own tab first.
import { Builder } from "selenium-webdriver";
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
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    })
    .build();
  // The first window is never a page: closing a session's last window would end the session.
  const home = await driver.getWindowHandle();
  let queue = Promise.resolve();
  const serial = (work) => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  async function newPage() {
    const handle = await serial(async () => {
      await driver.switchTo().newWindow("tab");
      return driver.getWindowHandle();
    });
    const inTab = (work) =>
      serial(async () => {
        await driver.switchTo().window(handle);
        return work();
      });
    const evaluate = async (fn, arg) => {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn})(arguments[0]))
          .then((value) => done({ value: value === undefined ? null : value }), (e) => done({ error: String(e) }));`;
      const result = await inTab(() => driver.executeAsyncScript(script, arg ?? null));
      if (result.error !== undefined) throw new Error(result.error);
      return result.value;
    };
    const waitForFunction = async (fn, arg, { timeout = 20_000 } = {}) => {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        if (await evaluate(fn, arg).catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out after ${timeout} ms waiting for ${fn} (${JSON.stringify(arg)})`);
    };
    // Elements as Playwright's locators find them: a CSS selector, optionally the ones whose
    // text contains `hasText` (case-insensitive), visible ones for `waitFor`.
    const matching = (query) => {
      const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
      return [...document.querySelectorAll(query.selector)]
        .filter((el) => query.hasText === undefined || el.innerText.toLowerCase().includes(query.hasText.toLowerCase()))
        .filter((el) => !query.visible || visible(el));
    };
    const inPage = (body) => `(query) => { const matching = ${matching}; ${body} }`;
    const locator = (selector, { hasText } = {}) => ({
      first: () => locator(selector, { hasText }),
      filter: (more) => locator(selector, { hasText: more.hasText ?? hasText }),
      waitFor: ({ state = "visible", timeout = 30_000 } = {}) =>
        waitForFunction(inPage("return matching(query).length > 0;"), { selector, hasText, visible: state === "visible" }, { timeout }),
      innerText: () => evaluate(inPage("return matching(query)[0].innerText;"), { selector, hasText }),
    });
    // Input as a person gives it: the element must be there and enabled first.
    const act = async (selector, body, value) => {
      await waitForFunction(inPage("const el = matching(query)[0]; return !!el && !el.disabled;"), { selector, visible: true });
      await evaluate(inPage(body), { selector, value });
    };
    return {
      // Page errors are not reported through WebDriver; the tests' own events cover them.
      on() {},
      goto: (url) => inTab(() => driver.get(url)),
      evaluate,
      waitForFunction,
      locator,
      fill: (selector, value) =>
        act(selector, `const el = matching(query)[0]; el.value = query.value;
          el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true }));`, value),
      click: (selector) => act(selector, "matching(query)[0].click();"),
      waitForTimeout: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      close: () =>
        inTab(async () => {
          await driver.close();
          await driver.switchTo().window(home);
        }),
    };
  }

  return {
    async newContext() {
      const pages = [];
      return {
        async newPage() {
          const page = await newPage();
          pages.push(page);
          return page;
        },
        async close() {
          for (const page of pages.splice(0)) await page.close();
        },
      };
    },
    async close() {
      await driver.quit().catch(() => {});
      stopDriver();
    },
  };
}
