// The drop-in's essentials in Firefox and WebKit, through WebDriver with selenium-webdriver
// (Playwright drives only its own builds of those engines): Debian's firefox-esr through
// geckodriver, and WebKitGTK's MiniBrowser through WebKitWebDriver on a virtual display
// (xvfb-run). On the demo site against the sandbox: the buttons render, a click opens the
// consent popup, Allow reports success and Decline the error to the page's callbacks, a
// blocked popup and a closed one are reported. The Chromium suites (e2e.test.mjs) cover the
// same and more.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Builder, By, until } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { root, startServer } from './harness.mjs';
import { toolPath } from '../../scripts/tools.mjs';

let sandbox, demo, driver;

before(async () => {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  sandbox = await startServer(join(root, 'target/debug/kommo-sandbox'), ['--port', '0'], /(http:\/\/127\.0\.0\.1:\d+)/);
  demo = await startServer('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url], /Demo integrator site: (\S+)\//);
});

after(() => {
  for (const p of [demo, sandbox]) p?.child.kill();
});

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Each engine: a function that starts a WebDriver session and returns `{driver, stop}`. */
const ENGINES = {
  Firefox: async () => {
    const options = new firefox.Options().setBinary('/usr/bin/firefox-esr').addArguments('-headless');
    const service = new firefox.ServiceBuilder(process.env.GECKODRIVER || toolPath('geckodriver'));
    const session = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
    return { driver: session, stop: () => session.quit() };
  },
  WebKit: async () => {
    const lib = readdirSync('/usr/lib').map((d) => join('/usr/lib', d)).flatMap((d) => {
      try { return readdirSync(d).filter((e) => /^webkit2gtk-4\./.test(e)).map((e) => join(d, e, 'MiniBrowser')); } catch { return []; }
    })[0];
    const port = await freePort();
    const server = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true });
    let session;
    for (let i = 0; i < 50 && !session; i++) {
      try {
        session = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: lib, args: ['--automation'] },
        }).build();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.ok(session, 'WebKitWebDriver did not start');
    return { driver: session, stop: async () => { await session.quit().catch(() => {}); process.kill(-server.pid); } };
  },
};

for (const [engine, start] of Object.entries(ENGINES)) {
  describe(engine, () => {
    let session;
    before(async () => { session = await start(); driver = session.driver; });
    after(async () => { await session?.stop(); });

    const POST_MESSAGE_BUTTON = '#post-message-mode button.kbtn';

    /** The demo's landing page, fresh, with its three Kommo buttons rendered. */
    async function landing() {
      for (const handle of (await driver.getAllWindowHandles()).slice(1)) {
        await driver.switchTo().window(handle);
        await driver.close();
      }
      const [main] = await driver.getAllWindowHandles();
      await driver.switchTo().window(main);
      await driver.get(`${demo.url}/`);
      await driver.wait(async () => (await driver.findElements(By.css('button.kbtn'))).length === 3, 10000);
      return main;
    }

    /** Clicks a button and switches to the popup it opened. */
    async function openPopup(main, selector) {
      await driver.findElement(By.css(selector)).click();
      await driver.wait(async () => (await driver.getAllWindowHandles()).length === 2, 10000);
      const popup = (await driver.getAllWindowHandles()).find((h) => h !== main);
      await driver.switchTo().window(popup);
      await driver.wait(until.elementLocated(By.css('button.allow')), 10000);
      return popup;
    }

    async function events(main, count) {
      await driver.switchTo().window(main);
      await driver.wait(async () => (await driver.executeScript('return window.kommoEvents.length')) >= count, 10000);
      return driver.executeScript('return JSON.parse(JSON.stringify(window.kommoEvents))');
    }

    test('the drop-in renders every button of the demo page', async () => {
      await landing();
      const texts = await driver.executeScript("return [...document.querySelectorAll('button.kbtn')].map((b) => b.textContent)");
      assert.deepEqual(texts, ['Continue with Kommo', 'Connect in a popup', 'Авторизоваться через amoCRM']);
    });

    test('Allow in the popup reports success in the page (post_message mode)', async () => {
      const main = await landing();
      await openPopup(main, POST_MESSAGE_BUTTON);
      await driver.findElement(By.css('button.allow')).click();
      const [e] = await events(main, 1);
      assert.equal(e.type, 'success');
      assert.ok(e.detail.code);
      await driver.wait(async () => (await driver.getAllWindowHandles()).length === 1, 10000);
    });

    test('Decline reports {client_id, error: "access_denied"}', async () => {
      const main = await landing();
      await openPopup(main, POST_MESSAGE_BUTTON);
      await driver.findElement(By.css('button.decline')).click();
      const [e] = await events(main, 1);
      assert.deepEqual(e, { type: 'error', detail: { client_id: 'demo-client-id', error: 'access_denied' } });
    });

    test('a popup closed by the visitor is reported as popup_closed', async () => {
      const main = await landing();
      await openPopup(main, POST_MESSAGE_BUTTON);
      // A handle closed in the first 1.5 s reads as cut by Cross-Origin-Opener-Policy (the
      // attempt keeps listening for the result): a visitor closes it later.
      await driver.sleep(1700);
      await driver.close();
      const [e] = await events(main, 1);
      assert.equal(e.detail.error, 'popup_closed');
    });

    test('a blocked popup is reported as popup_blocked', async () => {
      const main = await landing();
      await driver.executeScript('window.open = function () { return null; }');
      await driver.findElement(By.css(POST_MESSAGE_BUTTON)).click();
      const [e] = await events(main, 1);
      assert.equal(e.detail.error, 'popup_blocked');
    });
  });
}
