// The shared test kit: what a card shows, waiting for something asynchronous, and factories for rows
// every feature suite needs (a campaign as the 2023 plan launches it, a theme with its first version).
// Feature folders re-export these from their own support.ts; never define another copy.
import type { Db, Prisma } from '../../src/adapters/db/database.ts';
import { atShanghai } from '../../src/domain/time.ts';

/**
 * The card as JSON with character references decoded, so a test looks for what a person sees:
 * user text inside card markdown is escaped as `&#NN;` (cards/markdown.ts). A test that checks the
 * escaping itself compares against `JSON.stringify(card)` instead.
 */
export function cardText(card: unknown): string {
  return JSON.stringify(card ?? null).replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** Polls `check` until it is true; false once `timeoutMs` has passed (real time: it waits for I/O, asserts nothing about speed). */
export async function pollUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until `check` is true or throws after `timeoutMs` (a generous ceiling for loaded CI machines, not a speed test). */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  if (!(await pollUntil(check, timeoutMs))) throw new Error(`timed out waiting (${timeoutMs} ms)`);
}

export const COUNTY_COORDINATOR = { name: '李成英', phone: '0731-84872387', email: 'CSX84872387@163.com' } as const;

export const campaignTitle = (year: number): string => `长沙县${year}年“政务公开主题日”活动`;

/**
 * A campaign row as the county's plan launches it (notice 03-23, deadline 04-07, the office's contact),
 * collecting since 10:00 on the notice day. Overrides win field by field; `year` moves every default date.
 */
export function buildCampaign(overrides: Partial<Prisma.CampaignUncheckedCreateInput> = {}): Prisma.CampaignUncheckedCreateInput {
  const year = overrides.year ?? 2023;
  const noticeDate = overrides.noticeDate ?? `${year}-03-23`;
  return {
    year,
    title: campaignTitle(year),
    status: 'collecting',
    noticeDate,
    deadline: `${year}-04-07`,
    contactName: COUNTY_COORDINATOR.name,
    contactPhone: COUNTY_COORDINATOR.phone,
    contactEmail: COUNTY_COORDINATOR.email,
    launchedAt: atShanghai(noticeDate, '10:00'),
    launchedBy: 'ou_demo_coordinator',
    ...overrides,
  };
}

export interface ThemeSeed {
  submissionId: string;
  seq: number;
  title: string;
  month: number;
  /** activity form codes, stored as JSON */
  forms: string[];
  intro: string;
  reviewStatus?: string;
  /** who wrote version 1 */
  actorOpenId?: string;
}

/** A theme and its version 1, the way the submission flow writes them. */
export async function createTheme(db: Db, t: ThemeSeed): Promise<{ id: string }> {
  const forms = JSON.stringify(t.forms);
  const theme = await db.theme.create({
    data: { submissionId: t.submissionId, seq: t.seq, title: t.title, month: t.month, forms, intro: t.intro, ...(t.reviewStatus ? { reviewStatus: t.reviewStatus } : {}) },
  });
  await db.themeVersion.create({ data: { themeId: theme.id, version: 1, title: t.title, month: t.month, forms, intro: t.intro, actorOpenId: t.actorOpenId ?? 'ou_x' } });
  return { id: theme.id };
}

/**
 * Suite options for a sequential story (each test continues from the state the previous one left):
 * vitest's runner keeps such a suite in order under `--sequence.shuffle` (a suite's own `shuffle`
 * wins over the config); its collector typings leave `shuffle` out, hence the plain object type.
 */
export const STORY: object = { shuffle: false };
