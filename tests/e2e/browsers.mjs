// Starts Debian's headless Chromium or Firefox ESR with puppeteer-core (which never downloads a
// browser of its own: that cannot work here).
import puppeteer from 'puppeteer-core';
import { existsSync } from 'node:fs';

function find(candidates, name) {
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`${name} is not installed (looked for ${candidates.join(', ')}); run scripts/setup.sh --browsers`);
  return path;
}

export const BROWSERS = ['chromium', 'firefox'];

// A loaded 2-core machine can take longer than puppeteer's default 30 s to start a browser.
// `extra` adds what a caller needs beyond the tests' defaults (the benchmark: WebGL, no throttling):
// { args: [Chromium flags], prefs: {Firefox prefs}, env: {variables for the browser}, protocolTimeout }.
export async function launchBrowser(name, { width = 1280, height = 900, timeout = 120_000, extra = {} } = {}) {
  const { args = [], prefs = {}, env = {}, protocolTimeout } = extra;
  const common = {
    headless: true, timeout, defaultViewport: { width, height }, env: { ...process.env, ...env },
    ...(protocolTimeout ? { protocolTimeout } : {}),
  };
  if (name === 'chromium') {
    return puppeteer.launch({
      ...common,
      browser: 'chrome',
      executablePath: process.env.CHROMIUM_PATH ?? find(['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'Chromium'),
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...args,
      ],
    });
  }
  if (name === 'firefox') {
    return puppeteer.launch({
      ...common,
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? find(['/usr/bin/firefox-esr', '/usr/bin/firefox'], 'Firefox'),
      extraPrefsFirefox: {
        // No background traffic to other hosts: updates, telemetry, safe browsing lists.
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'datareporting.healthreport.uploadEnabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        ...prefs,
      },
    });
  }
  throw new Error(`unknown browser ${name}`);
}
