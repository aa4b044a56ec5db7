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
export async function launchBrowser(name, { width = 1280, height = 900, timeout = 120_000 } = {}) {
  if (name === 'chromium') {
    return puppeteer.launch({
      browser: 'chrome',
      executablePath: process.env.CHROMIUM_PATH ?? find(['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'Chromium'),
      headless: true,
      timeout,
      defaultViewport: { width, height },
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      ],
    });
  }
  if (name === 'firefox') {
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? find(['/usr/bin/firefox-esr', '/usr/bin/firefox'], 'Firefox'),
      headless: true,
      timeout,
      defaultViewport: { width, height },
      extraPrefsFirefox: {
        // No background traffic to other hosts: updates, telemetry, safe browsing lists.
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'datareporting.healthreport.uploadEnabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    });
  }
  throw new Error(`unknown browser ${name}`);
}
