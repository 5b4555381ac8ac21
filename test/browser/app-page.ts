/**
 * The built app in one Chromium page, for the app's test files: what the page printed and requested, and the steps
 * every app test takes (wait for a status, fill the input, rerank, load the demo model).
 *
 * @example
 * const app = await openApp(browser, site.url);
 * await app.loadDemo();
 * await app.setDocuments('capital of France?', ['Paris.', 'Berlin.']);
 * await app.rerank(); // → the results and the timing table are on the page
 */
import path from 'node:path';
import { expect } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { PROJECT_ROOT } from '../../tools/browser/harness.ts';

/** Where the app tests leave their screenshots (ignored by git). */
export const SCREENSHOTS = path.join(PROJECT_ROOT, 'test-results');

/** A console error or warning, a failed request or an HTTP error, with the URL it concerns. */
export interface PageProblem {
  kind: string;
  text: string;
  url: string;
}

export interface AppPage {
  page: Page;
  logs: string[];
  problems: PageProblem[];
  requests: Request[];
  /** `data-status` of the element with this test id. */
  status(testId: string): Promise<string | null>;
  waitStatus(testId: string, want: string, timeoutMs?: number): Promise<void>;
  setDocuments(query: string, documents: readonly string[]): Promise<void>;
  rerank(): Promise<void>;
  /** Loads the bundled demo model on wasm. */
  loadDemo(): Promise<void>;
}

export async function openApp(browser: Browser, url: string, viewport = { width: 1280, height: 1400 }): Promise<AppPage> {
  const page = await browser.newPage({ viewport });
  const logs: string[] = [];
  const problems: PageProblem[] = [];
  const requests: Request[] = [];
  page.on('console', (m) => {
    logs.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error' || m.type() === 'warning') problems.push({ kind: m.type(), text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => {
    logs.push(`[pageerror] ${e.stack ?? e}`);
    problems.push({ kind: 'pageerror', text: e.message, url: '' });
  });
  page.on('requestfailed', (r) => {
    problems.push({ kind: 'requestfailed', text: r.failure()?.errorText ?? '', url: r.url() });
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push({ kind: `http ${r.status()}`, text: r.statusText(), url: r.url() });
  });
  page.on('request', (r) => requests.push(r));
  page.setDefaultTimeout(60_000);
  const response = await page.goto(url);
  expect(response?.ok()).toBe(true);

  const status = (testId: string) => page.getByTestId(testId).getAttribute('data-status');
  // A locator wait (not expect.poll): it also works in beforeAll.
  const waitStatus = async (testId: string, want: string, timeoutMs = 60_000) => {
    await page.locator(`[data-testid="${testId}"][data-status="${want}"]`).waitFor({ timeout: timeoutMs });
  };
  return {
    page,
    logs,
    problems,
    requests,
    status,
    waitStatus,
    async setDocuments(query, documents) {
      await page.getByTestId('query-input').fill(query);
      await page.getByTestId('documents-input').fill(documents.join('\n'));
    },
    async rerank() {
      await page.getByTestId('rerank-button').click();
      await waitStatus('rerank-status', 'done', 120_000);
    },
    async loadDemo() {
      await page.getByTestId('device-select').selectOption('wasm');
      await page.getByTestId('load-button').click();
      await waitStatus('model-status', 'ready');
    },
  };
}

/** Every shown cell of the table inside `host` lies within [0, width], and no column hides in a sideways scroller. */
export async function expectTableReadable(page: Page, host: string, width: number): Promise<void> {
  const wrap = page.locator(`${host} .table-wrap`);
  const { scrollWidth, clientWidth } = await wrap.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth, `${host}: an inner sideways scroller`).toBeLessThanOrEqual(clientWidth + 1);
  const cells = await wrap.locator('td').evaluateAll((tds) => tds.map((td) => {
    const r = td.getBoundingClientRect();
    return { text: td.textContent?.trim() ?? '', left: r.left, right: r.right, shown: getComputedStyle(td).display !== 'none' };
  }));
  expect(cells.length).toBeGreaterThan(0);
  for (const c of cells.filter((cell) => cell.shown && cell.text)) {
    expect(c.left, `${host} "${c.text}"`).toBeGreaterThanOrEqual(0);
    expect(c.right, `${host} "${c.text}"`).toBeLessThanOrEqual(width);
  }
}
