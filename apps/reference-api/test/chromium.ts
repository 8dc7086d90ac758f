/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which
 * never downloads a browser). The flags keep it off this machine's closed
 * network: without them it keeps trying Google's hosts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MissingServiceError } from '@faultline/test-services';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Where screenshots are kept for a person to look at. */
export const artifacts = fileURLToPath(new URL('../../../artifacts/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new MissingServiceError(
      `No Chromium at ${chromiumPath}: install it with "apt-get install -y chromium" (npm test does, as root).`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
