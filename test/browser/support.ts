// Real-app browser tests: the whole app as `npm start` runs it without FEISHU_APP_ID (local mode: the
// Feishu emulator and the workspace on the same port, the demo county seeded, the outbox worker polling),
// a clock that starts at a fixed date and runs at real speed (the test never depends on today's date),
// a temp SQLite database, and Debian's Chromium driving the workspace page like a person.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/app/create-app.ts';
import { createLogger } from '../../src/app/log.ts';
import { createEmptyDatabase } from '../support/db.ts';
import type { Clock } from '../../src/ports/clock.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SKIP_BROWSER = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (SKIP_BROWSER) console.warn(`\n[notice] ${CHROMIUM} not found: real-app browser tests are SKIPPED. Install it with: apt-get install -y chromium\n`);

export const SHOTS = 'test-results';

/**
 * Feishu gives a card callback 3 s. On a loaded test machine the real handlers (a launch writes ~40
 * notices in one transaction) can take longer, so the emulator waits longer here; every callback's real
 * duration is recorded and written to test-results/browser-callbacks.json so slow handlers stay visible.
 */
const CALLBACK_WAIT_MS = 20_000;
export const FEISHU_CALLBACK_BUDGET_MS = 3_000;

export interface LocalApp {
  app: App;
  url: string;
  browser: Browser;
  /** card callbacks seen so far: action name, handler time, ok */
  callbacks(): { action: string; ms: number; ok: boolean }[];
  stop(): Promise<void>;
}

/** When the local app's day starts: a weekday in March 2026, before the plan's 04-07 deadline. */
export const LOCAL_APP_START = new Date('2026-03-10T02:00:00Z');

/** A clock that starts at `start` and advances with real time, so retries and timeouts still elapse. */
export function runningClock(start: Date): Clock {
  const t0 = performance.now();
  return { now: () => new Date(start.getTime() + Math.round(performance.now() - t0)) };
}

/** A running clock a story can move forward (a later day of the campaign year), still advancing with real time. */
export interface MovableClock extends Clock {
  /** From now on the clock reads `to`, then runs on from there. */
  moveTo(to: Date): void;
}

export function movableClock(start: Date): MovableClock {
  let base = start.getTime();
  let t0 = performance.now();
  return {
    now: () => new Date(base + Math.round(performance.now() - t0)),
    moveTo(to: Date) {
      base = to.getTime();
      t0 = performance.now();
    },
  };
}

export async function startLocalApp(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<LocalApp> {
  mkdirSync(SHOTS, { recursive: true });
  const database = await createEmptyDatabase('sqlite');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-browser-'));
  const config = {
    ...loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, STORAGE_DIR: path.join(dir, 'files'), LOG_LEVEL: 'silent', LOCAL_DEMO: 'true', ...options.env }),
    port: 0,
    host: '127.0.0.1',
  };
  // As `npm start` in local mode: outbox worker polling, demo county seeded. The clock starts at a fixed
  // date instead of today, and the per-minute cron is off (its reminders would race the assertions).
  const app = await createApp({ config, logger: createLogger('silent'), emulator: { ackTimeoutMs: CALLBACK_WAIT_MS }, cron: false, clock: options.clock ?? runningClock(LOCAL_APP_START) });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // C.UTF-8: the machine has no zh_CN locale, and without a locale Chromium saves a download with a Chinese name as "download"; --lang keeps the page in Chinese.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--lang=zh-CN'],
    env: { ...process.env, LANG: 'C.UTF-8', LANGUAGE: 'zh_CN' },
  });
  const callbacks = () =>
    app.emulator!.deliveries({ eventType: 'card.action.trigger' }).map((d) => {
      const event = d.payload.event as { action?: { value?: { a?: string } } } | undefined;
      return { action: event?.action?.value?.a ?? '?', ms: d.ms, ok: d.ok };
    });
  return {
    app,
    url: app.url,
    browser,
    callbacks,
    async stop() {
      try {
        writeFileSync(path.join(SHOTS, 'browser-callbacks.json'), JSON.stringify(callbacks(), null, 2));
      } catch {
        // best effort
      }
      await browser.close().catch(() => undefined);
      await app.stop();
      await database.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Screen {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

export async function openScreen(local: LocalApp, size: 'desktop' | 'phone', query = ''): Promise<Screen> {
  const context =
    size === 'phone'
      ? await local.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
      : await local.browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${local.url}/${query}`);
  // A fresh browser has no persona yet: the picker opens by itself.
  if (!query) await page.locator('.persona-option').first().waitFor();
  return { context, page, errors };
}

/** Picks a persona in the picker, opening it from the sidebar chip when someone is already chosen. */
export async function switchPersona(page: Page, openId: string, name: string): Promise<void> {
  const option = page.locator(`.persona-option[data-open-id="${openId}"]`);
  if (!(await option.isVisible())) await page.locator('#persona-chip').click();
  await option.click();
  await page.locator('.persona-name', { hasText: name }).waitFor();
}

export async function openChat(page: Page, chatId: string): Promise<void> {
  await page.locator(`.chat-item[data-chat-id="${chatId}"]`).click();
  await page.locator(`.chat-item.active[data-chat-id="${chatId}"]`).waitFor();
  await page.locator('#message-list').waitFor();
}

/** The private chat with the bot (its id is made up by the emulator when the bot first writes). */
export async function openBotChat(page: Page): Promise<void> {
  const item = page.locator('.chat-item:has(.badge-bot)');
  await item.click();
  await page.locator('#conv-name', { hasText: '主题日助手' }).waitFor();
}

/** Types `@主题日助手 <text>` in the composer the way a person does: '@', pick the bot, type, Enter. */
export async function sayToBot(page: Page, text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.click();
  await input.pressSequentially('@');
  await page.locator('.mention-popup .mention-option').first().waitFor();
  await input.press('Enter');
  const typed = await input.inputValue();
  if (!typed.includes('@主题日助手')) throw new Error(`the mention popup did not insert the bot (the composer holds ${JSON.stringify(typed)})`);
  await input.pressSequentially(text);
  await input.press('Enter');
  await page.locator('.msg.mine .bubble', { hasText: text }).last().waitFor();
}

/** The message row (it carries data-message-id) of the last card whose title contains `title`. */
export function cardRow(page: Page, title: string): Locator {
  return page.locator('#message-list [data-message-id]', { has: page.locator('.card-title', { hasText: title }) }).last();
}

export async function toast(page: Page, text: string): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 30_000 });
}

export async function confirmDialog(page: Page, title: string): Promise<void> {
  const modal = page.locator('.modal.confirm', { hasText: title });
  await modal.waitFor();
  await modal.locator('.mbtn-primary').click();
}

/** Lets the toast fade and the last SSE update paint, then saves test-results/browser-<name>.png. */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(SHOTS, `browser-${name}.png`), fullPage: options.fullPage ?? false });
}

/** The elements of `scope` wider than the viewport or sticking out to its right. */
export async function overflowing(page: Page, scope: Locator): Promise<string[]> {
  const width = page.viewportSize()?.width ?? 0;
  return scope.evaluateAll(
    (nodes, w) =>
      nodes
        .flatMap((n) => [n, ...Array.from(n.querySelectorAll('*'))])
        .flatMap((e) => {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || r.right <= w + 0.5) return [];
          // Horizontally scrollable boxes (tables) may hold wider content.
          for (let p = e.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') && p.getBoundingClientRect().right <= w + 0.5) return [];
          }
          return [`${e.tagName.toLowerCase()}.${e.className} right=${Math.round(r.right)}`];
        }),
    width,
  );
}

/** Button labels in `scope` cut short with an ellipsis (the label is wider than the button leaves it). */
export async function truncatedButtons(scope: Locator): Promise<string[]> {
  return scope.locator('.btn-label').evaluateAll((labels) => labels.filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent ?? ''));
}

/** Dates for a campaign launched at `now`: as the launch card defaults (the plan's 04-07, rolling to next year after it). */
export function campaignDates(now: Date = LOCAL_APP_START): { year: number; deadline: string; months: [number, number] } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const thisYear = Number(today.slice(0, 4));
  const year = today > `${thisYear}-04-07` ? thisYear + 1 : thisYear;
  const month = year === thisYear ? Number(today.slice(5, 7)) : 1;
  // Months already past in the campaign year are refused by the form.
  return { year, deadline: `${year}-04-07`, months: [Math.max(month, 5), Math.max(month, 9)] };
}

/** Presses 填写申报表 on `card` and returns the 主题申报 form the bot sends to the liaison's private chat. */
export async function openSubmissionForm(page: Page, card: Locator): Promise<{ formRow: Locator; formId: string | null; form: Locator }> {
  await card.locator('button', { hasText: '填写申报表' }).click();
  await toast(page, '申报表已发到你与主题日助手的私聊');
  await openBotChat(page);
  const formRow = cardRow(page, '主题申报');
  await formRow.waitFor();
  return { formRow, formId: await formRow.getAttribute('data-message-id'), form: formRow.locator('form') };
}
