// index.html in a real browser (headless Chromium, Debian's `chromium` package): what a reader sees and
// can do — the verdict, the matrix, a failure opened to its evidence, the filters, print — with nothing
// loaded from elsewhere, no error on the console, and no script from an implementation's words running.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../reports/html/render.ts';
import { sampleResult } from './fixtures/sample-result.ts';
import { LEAKY, readReportYaml, runCli, tempDir, type CliRun } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`;
if (missing) console.log(`# browser tests skipped: ${missing}`);

const dir = tempDir('accesstoken-browser-');
const runDir = join(dir, 'run');
let browser: Browser;
let run: CliRun;

/** A page on a report file, with what it asked the network for and what it said on its console. */
async function open(file: string, width = 1280): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(pathToFileURL(file).href);
  return { page, requests, problems };
}

const visibleRows = (page: Page) => page.locator('table.matrix tr.req:visible').count();

describe('index.html in Chromium', { skip: missing }, () => {
  before(async () => {
    [run, browser] = await Promise.all([
      // a real, failing run: a few families, failures with transcripts
      runCli(['run', '--impl', LEAKY, '--impl-option', 'lie=http,refused', '--tags', '(@family:grant-errors or @family:request or @family:trust) and not @slow', '--report-dir', runDir, '--quiet']),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      }),
    ]);
    assert.equal(run.code, 1, run.stderr);
  });
  after(async () => {
    await browser?.close();
  });

  test('shows the verdict, partial for a filtered run', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    const verdict = page.locator('#verdict');
    assert.match(await verdict.innerText(), /Not conformant/);
    assert.match(await verdict.innerText(), /Partial/);
    assert.match(await verdict.innerText(), /\d+ of \d+ MUST rules passed/);
    await page.close();
  });

  test('has a matrix row for every requirement of the catalogue', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    const report = readReportYaml(runDir);
    assert.equal(await page.locator('table.matrix tr.req').count(), report.requirements.length);
    assert.equal(await visibleRows(page), report.requirements.length);
    assert.equal(await page.locator('#shown').innerText(), String(report.requirements.length));
    const first = page.locator('table.matrix tr.req').first();
    assert.equal(await first.locator('td.id').innerText(), report.requirements[0].id);
    await page.close();
  });

  test('opens a failure to its evidence when clicked: expected against observed, status, transcript', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    const failure = page.locator('details.failure').filter({ has: page.locator('.exchange') }).first();
    const evidence = failure.locator('.evidence');
    assert.equal(await evidence.isVisible(), false, 'closed at first');
    await failure.locator(':scope > summary').click();
    assert.equal(await failure.getAttribute('open'), '');
    assert.equal(await evidence.isVisible(), true);
    const text = await evidence.innerText();
    assert.match(text, /EXPECTED AGAINST OBSERVED/i);
    assert.match(text, /expected AccessToken "[^"]+" to fail, but it was redeemed/);
    assert.match(text, /ACCESSTOKEN OBSERVED/i);
    assert.match(text, /reason: Ready/);
    assert.match(text, /GRANT SERVICE TRANSCRIPT/i);
    assert.match(text, /POST \/[0-9a-f-]+/);
    assert.match(text, /TLSv1\.3/);
    assert.match(text, /\[redacted code: \d+ bytes, sha256 [0-9a-f]{12}\]/);
    assert.match(text, /--requirement AT-[A-Z]+-\d{3}/);
    await page.close();
  });

  test('opens the evidence when a failed scenario is clicked in the matrix', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    const link = page.locator('ul.scenarios a[data-open]').first();
    const target = await link.getAttribute('data-open');
    await link.click();
    assert.equal(await page.locator(`details#${target}`).getAttribute('open'), '');
    await page.close();
  });

  test('hides the rows a filter excludes, and shows them again', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    const report = readReportYaml(runDir);
    await page.selectOption('#filter-result', 'failed');
    assert.equal(await visibleRows(page), report.failedRequirements.length);
    assert.equal(await page.locator('#shown').innerText(), String(report.failedRequirements.length));
    for (const row of await page.locator('table.matrix tr.req:visible').all()) assert.equal(await row.getAttribute('data-result'), 'failed');
    assert.equal(await page.locator('tr.ev:visible').count(), report.failedRequirements.length, 'their evidence rows stay with them');
    await page.selectOption('#filter-family', 'trust');
    assert.equal(await visibleRows(page), report.requirements.filter((r) => r.result === 'failed' && r.id.startsWith('AT-TRUST')).length);
    await page.selectOption('#filter-result', 'all');
    await page.selectOption('#filter-family', 'all');
    assert.equal(await visibleRows(page), report.requirements.length);
    await page.close();
  });

  test('prints every failure with its evidence open', async () => {
    const { page } = await open(join(runDir, 'index.html'));
    await page.emulateMedia({ media: 'print' });
    const closed = page.locator('details.failure:not([open]) .evidence').first();
    assert.ok(((await closed.boundingBox())?.height ?? 0) > 0, 'closed evidence is laid out in print');
    assert.equal(await page.locator('.filters').isVisible(), false, 'the filters are not printed');
    // listeners run in order: this one, added after the report's own, sees what the report did
    await page.evaluate(() => window.addEventListener('beforeprint', () => {
      (window as unknown as { closedWhenPrinting: number }).closedWhenPrinting = document.querySelectorAll('details.failure:not([open])').length;
    }));
    await page.pdf({ path: join(dir, 'report.pdf'), format: 'A4' });
    assert.equal(await page.evaluate(() => (window as unknown as { closedWhenPrinting?: number }).closedWhenPrinting), 0, 'beforeprint opened them all');
    assert.ok(await page.locator('details.failure:not([open])').count() > 0, 'and afterprint closed them again');
    await page.close();
  });

  test('loads nothing but itself and reports no error, so its policy lets its own script run', async () => {
    const { page, requests, problems } = await open(join(runDir, 'index.html'));
    await page.locator('#expand-all').click();
    assert.deepEqual(requests, [pathToFileURL(join(runDir, 'index.html')).href]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('runs no script that came in an implementation message', async () => {
    const file = join(dir, 'injection.html');
    writeFileSync(file, renderHtml(sampleResult()));
    const { page, requests, problems } = await open(file);
    await page.locator('#expand-all').click();
    assert.equal(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected), undefined);
    assert.match(await page.locator('details.failure .evidence').first().innerText(), /<script>window.__injected = true<\/script>/);
    assert.deepEqual(requests, [pathToFileURL(file).href], 'no image was requested either');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('reads at 1280 px: nothing wider than the window, and screenshots to look at', async (t) => {
    const { page } = await open(join(runDir, 'index.html'), 1280);
    const shots = { top: join(dir, 'index-1280-top.png'), failure: join(dir, 'index-1280-failure.png') };
    await page.screenshot({ path: shots.top });
    const failure = page.locator('details.failure').filter({ has: page.locator('.exchange') }).first();
    await failure.locator(':scope > summary').click();
    await failure.evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: shots.failure });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling');
    for (const shot of Object.values(shots)) {
      t.diagnostic(`screenshot: ${shot}`);
      assert.ok(existsSync(shot));
    }
    await page.close();
  });
});
