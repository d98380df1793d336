// A WebDriver session behind the small part of playwright-core's browser and page API the
// tests use. One session drives every tab, so the calls are serialized, each switched to its
// own tab first.

/** Wraps a selenium-webdriver `driver`; `stop` ends whatever runs the driver. */
export async function asPlaywright(driver, stop) {
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
    // Page errors: WebDriver does not report them, so every script run in the page first
    // makes sure it listens for uncaught errors and rejections (again after a navigation),
    // and hands back those seen since. An error before the first script after a load is
    // not seen. They are kept in an attribute of <html>: Firefox runs each script in a
    // sandbox of its own, which sees the page's DOM but not another script's globals.
    const errorListeners = [];
    const evaluate = async (fn, arg) => {
      const script = `const done = arguments[arguments.length - 1];
        const root = document.documentElement;
        const seen = () => JSON.parse(root.getAttribute("data-page-errors") || "[]");
        if (!root.hasAttribute("data-page-errors")) {
          root.setAttribute("data-page-errors", "[]");
          const keep = (text) => root.setAttribute("data-page-errors", JSON.stringify([...seen(), text]));
          addEventListener("error", (e) => keep(String(e.error ?? e.message)));
          addEventListener("unhandledrejection", (e) => keep(String(e.reason)));
        }
        const errors = () => {
          const list = seen();
          if (list.length) root.setAttribute("data-page-errors", "[]");
          return list;
        };
        Promise.resolve().then(() => (${fn})(arguments[0]))
          .then((value) => done({ value: value === undefined ? null : value, errors: errors() }),
            (e) => done({ error: String(e), errors: errors() }));`;
      const result = await inTab(() => driver.executeAsyncScript(script, arg ?? null));
      // Firefox answers null when the document went away while the script ran (a navigation
      // that was still landing when `get` returned, or one the script caused).
      if (result === null || typeof result !== "object") throw new Error(`the page unloaded while ${fn} ran`);
      for (const error of result.errors ?? []) for (const listener of errorListeners) listener(new Error(error));
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
      on(event, listener) {
        if (event === "pageerror") errorListeners.push(listener);
      },
      goto: (url) => inTab(() => driver.get(url)),
      reload: () => inTab(() => driver.navigate().refresh()),
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
    /** Every cookie the browser holds for `url`'s host, HttpOnly ones included (as WebDriver sees them from a page at `url`). */
    async cookies(url) {
      return serial(async () => {
        await driver.switchTo().window(home);
        await driver.get(url);
        return driver.manage().getCookies();
      });
    },
    async close() {
      await driver.quit().catch(() => {});
      stop();
    },
  };
}
