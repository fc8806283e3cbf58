// The demo stage (review + publish) and `export schedule` against real databases, with a
// recording gateway for the calendar (the demo seed runs before any Feishu connection exists).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { seedDemoDirectory } from '../../src/usecases/seed-demo-directory.ts';
import { seedScheduledStage } from '../../src/usecases/demo/seed-scheduled.ts';
import { exportSchedule } from '../../src/cli/commands/export-schedule.ts';
import type { AppServices } from '../../src/app/bot.ts';
import type { FeishuGateway } from '../../src/ports/feishu.ts';
import { LocalFileStorage } from '../../src/adapters/files/storage.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/app/log.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { newClock, seedCampaign2023, waitUntil } from '../review/support.ts';
import { STORY } from '../support/kit.ts';
import { filePorts } from '../../src/app/file-ports.ts';

function calendarOnlyGateway(events: string[]): FeishuGateway {
  let n = 0;
  return new Proxy({} as FeishuGateway, {
    get: (_t, prop) => {
      if (prop === 'tokenHealthy') return async () => true;
      if (prop === 'createCalendar') return async () => ({ calendarId: 'cal_demo' });
      if (prop === 'createCalendarEvent')
        return async (p: { summary: string }) => {
          events.push(p.summary);
          return { eventId: `ev_${++n}` };
        };
      return () => {
        throw new Error(`gateway.${String(prop)} must not be called (messages go through the outbox)`);
      };
    },
  });
}

// A story: export before publication, then review and publish, then export the published version 1.
describe.each(PROVIDERS_UNDER_TEST)('demo seed and export schedule (%s)', STORY, (provider) => {
  let db: TestDatabase;
  let dir: string;
  let services: AppServices;
  const events: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let io: CliIo;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-sched-'));
    const clock = newClock();
    await seedDemoDirectory(db.client, { actorOpenId: 'seed', now: clock.now() });
    await seedCampaign2023(db.client, { unitCount: 30 });
    services = {
      config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent' }),
      db: db.client,
      clock,
      gateway: calendarOnlyGateway(events),
      storage: new LocalFileStorage(path.join(dir, 'files')),
      ...filePorts({ linkCheckAllow: '' }),
      log: createLogger('silent'),
      kickOutbox: () => undefined,
    };
    io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => clock.now(), openDb: async () => db };
  });
  afterAll(async () => {
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports the current approved set before anything is published, and says so', async () => {
    expect(await exportSchedule.run(['--year', '2023', '--out', path.join(dir, 'none.xlsx')], io)).toBe(1);
    expect(err.pop()).toContain('还没有审核通过的主题');
    expect(await exportSchedule.run(['--year', '2023'], io)).toBe(2);
    expect(await exportSchedule.run(['--year', '1999', '--out', 'x.xlsx'], io)).toBe(2);
    expect(await exportSchedule.run(['--year', '2024', '--out', path.join(dir, 'x.xlsx')], io)).toBe(1);
    const one = await db.client.theme.findFirstOrThrow();
    await db.client.theme.update({ where: { id: one.id }, data: { reviewStatus: 'approved' } });
    const draft = path.join(dir, 'draft.xlsx');
    expect(await exportSchedule.run(['--year', '2023', '--out', draft], io)).toBe(0);
    expect(out.pop()).toContain('计划安排表尚未发布，已按当前审核通过的 1 项主题写入');
    const wb = new ExcelJS.Workbook();
    const bytes = readFileSync(draft);
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(String(wb.getWorksheet('计划安排表')!.getCell('A2').value)).toContain('未发布');
    expect(wb.getWorksheet('计划安排表')!.getCell('D5').value).toBe(one.title);
    await db.client.theme.update({ where: { id: one.id }, data: { reviewStatus: 'pending' } });
  });

  it('reviews (approve / return / reject with reasons) and publishes the 2023 schedule', async () => {
    const r = await seedScheduledStage(services);
    expect(r).toMatchObject({ skipped: false, approved: 50, returned: 5, rejected: 5, published: 1 });
    expect(await db.client.reviewDecision.count({ where: { decision: { in: ['return', 'reject'] }, reason: null } })).toBe(0);
    expect((await db.client.campaign.findUniqueOrThrow({ where: { year: 2023 } })).status).toBe('scheduled');
    // the office group's masked copy and the publishing coordinator's private one
    await waitUntil(async () => (await db.client.outboxMessage.count({ where: { op: 'file' } })) === 2);
    await waitUntil(async () => (await db.client.calendarEvent.count()) === 50);
    expect(events[0]).toMatch(/^【政务公开主题日】/);
    // every unit with a bound group got the schedule
    const groups = await db.client.unit.count({ where: { active: true, chatId: { not: null } } });
    expect(await db.client.outboxMessage.count({ where: { idempotencyKey: { contains: ':v1:unit:' } } })).toBe(groups);
    expect((await seedScheduledStage(services)).skipped).toBe(true);
  });

  it('exports the published version by month, cell by cell', async () => {
    // A later approval is not in the published version: the export stays on version 1.
    await db.client.theme.updateMany({ where: { reviewStatus: 'returned' }, data: { reviewStatus: 'approved' } });
    const file = path.join(dir, 'out', '计划安排表.xlsx');
    expect(await exportSchedule.run(['--year', '2023', '--out', file], io)).toBe(0);
    expect(out.pop()).toContain('第 1 版');
    const wb = new ExcelJS.Workbook();
    const bytes = readFileSync(file);
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const ws = wb.getWorksheet('计划安排表')!;
    expect(ws.getCell('A1').value).toBe('长沙县2023年“政务公开主题日”活动计划安排表');
    expect(ws.getCell('A2').value).toBe('县政务公开和政务服务工作领导小组办公室\u3000第1版\u30002023年4月10日');
    let activities = 0;
    let lastMonth = 0;
    ws.eachRow((row, n) => {
      if (n <= 3) return;
      const first = row.getCell(1).value;
      if (typeof first === 'string') {
        const m = Number(/^(\d+)月（\d+项）$/.exec(first)![1]);
        expect(m).toBeGreaterThan(lastMonth);
        lastMonth = m;
      } else {
        activities++;
        expect(first).toBe(activities);
        expect(row.getCell(2).value).toBe(`${lastMonth}月`);
        expect(String(row.getCell(7).value)).toMatch(/\d{4}/);
      }
    });
    expect(activities).toBe(50);
  });
});
