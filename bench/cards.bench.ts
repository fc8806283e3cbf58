// Card-callback burst (issue 17 goal 1, card half): 200 liaisons of 200 units press 提交申报 on
// their 申报 form at the same moment, each callback signed and encrypted as Feishu posts it to
// /feishu/cards, with real form values (contact, a theme with title, month, forms, a 60-character
// introduction). Every press is a full submit: draft, validation, the accepted version, audit,
// the receipt into the outbox, the answer card, all inside Feishu's 3 s. The floor runs in the
// same process and run: the official SDK's CardActionHandler + adaptExpress with a no-op handler,
// fed the same kind of requests by the same client, one burst before and one after the app's (that
// one once the app has processed every press, so it does not run beside the app's background work).
// Setup (not measured): a collecting campaign for 200 units, each liaison opens the form once
// (the draft the submit works on). Wall clock: the campaign is next year's, so it is open today.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import type { BenchResult } from './run.ts';
import { benchProviders, percentile, round, sleep, startBenchApp } from './support.ts';
import { cardCallback, postSigned as post, signed, type FeishuKeys } from './feishu-requests.ts';

const UNITS = Number(process.env.BENCH_CARDS_UNITS ?? 200);
const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议，现场解答群众关心的问题。';

/** The bare-SDK floor: express + the SDK's CardActionHandler + adaptExpress, a no-op handler. */
async function startFloor(encryptKey: string, verificationToken: string): Promise<{ url: string; close(): Promise<void> }> {
  const handler = new lark.CardActionHandler({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error }, async () => ({}));
  const app = express();
  app.post('/webhook/card', lark.adaptExpress(handler, { autoChallenge: true }));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook/card`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function benchProvider(provider: Provider): Promise<BenchResult[]> {
  const b = await startBenchApp({ provider, pollMs: 0, seedDemo: false });
  const floor = await startFloor(b.encryptKey, b.verificationToken);
  try {
    const { db } = b.app;
    const keys: FeishuKeys = { encryptKey: b.encryptKey, verificationToken: b.verificationToken, appId: b.app.config.feishu.appId };
    const appUrl = `${b.url}/feishu/cards`;
    const year = new Date().getFullYear() + 1;
    await db.groupChat.create({ data: { chatId: 'oc_office', name: '县政务公开办', status: 'coordinator' } });
    const campaign = await db.campaign.create({
      data: {
        year,
        title: `长沙县${year}年“政务公开主题日”活动`,
        status: 'collecting',
        noticeDate: `${year - 1}-12-01`,
        deadline: `${year}-12-31`,
        contactName: '李成英',
        contactPhone: '0731-84872387',
        contactEmail: 'CSX84872387@163.com',
        launchedAt: new Date(),
        launchedBy: 'ou_coord',
      },
    });
    const units: { liaison: string; chatId: string; submissionId: string }[] = [];
    for (let i = 0; i < UNITS; i++) {
      const unit = await db.unit.create({ data: { name: `单位${i}`, kind: 'department', chatId: `oc_u${i}`, liaisons: { create: [{ openId: `ou_l${i}`, name: `联络员${i}` }] } } });
      await db.groupChat.create({ data: { chatId: `oc_u${i}`, name: `单位${i}工作群`, status: 'bound', unitId: unit.id } }).catch(() => undefined);
      const s = await db.submission.create({ data: { campaignId: campaign.id, unitId: unit.id } });
      units.push({ liaison: `ou_l${i}`, chatId: `oc_u${i}`, submissionId: s.id });
    }
    // Each liaison opens the form (the draft the submit works on); also warms both sides up.
    for (const u of units) {
      await post(appUrl, signed(keys, cardCallback(keys, { operator: u.liaison, chatId: u.chatId, messageId: `om_notice_${u.chatId}`, value: { a: 'sub.open', s: u.submissionId } })));
      await post(floor.url, signed(keys, cardCallback(keys, { operator: u.liaison, chatId: u.chatId, messageId: 'om_x', value: { a: 'sub.open', s: u.submissionId } })));
    }
    const opened = await db.formDraft.count();
    await sleep(500);
    const formValue = (i: number) => ({
      contact_name: `联络员${i}`,
      contact_phone: '0731-84875001',
      theme_title: `优化营商环境政策面对面 第${i}场`,
      theme_month: '6',
      theme_forms: ['observe', 'forum'],
      theme_intro: INTRO,
    });
    const press = (u: (typeof units)[number], i: number) =>
      signed(keys, cardCallback(keys, { operator: u.liaison, chatId: `oc_p2p_${u.liaison}`, messageId: `om_form_${u.liaison}`, value: { a: 'sub.form', s: u.submissionId, v: 0, op: 'submit' }, name: 'btn_submit', formValue: formValue(i) }));

    const load0 = os.loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    // Floor first, then the app, then the floor again (load on both sides alike).
    const floor1 = await Promise.all(units.map((u, i) => post(floor.url, press(u, i))));
    await sleep(300);
    const burstAt = performance.now();
    const app = await Promise.all(units.map((u, i) => post(appUrl, press(u, i))));
    // Queued presses (已收到) and presses past the budget (正在处理) are processed in the background:
    // wait for them before the floor's second round, so it does not run beside that work.
    const until = performance.now() + 120_000;
    let submitted = 0;
    while ((submitted = await db.submission.count({ where: { campaignId: campaign.id, status: 'submitted' } })) < UNITS && performance.now() < until) await sleep(100);
    await b.app.inbox.idle({ timeoutMs: 30_000 });
    const processedS = (performance.now() - burstAt) / 1000;
    await sleep(300);
    const floor2 = await Promise.all(units.map((u, i) => post(floor.url, press(u, i))));
    const cpu = process.cpuUsage(cpu0);
    const bare = [...floor1, ...floor2];
    const appMs = app.filter((r) => r.status === 200).map((r) => r.ms);
    const bareMs = bare.filter((r) => r.status === 200).map((r) => r.ms);
    const toasts = new Map<string, number>();
    for (const r of app) {
      const toast = r.body.toast as { type?: string; content?: string } | undefined;
      // info: 已收到 (queued, card follows as a delayed update) or 正在处理 (inline past the budget)
      const t = toast?.type === 'info' ? `info ${toast.content ?? ''}` : (toast?.type ?? (r.status === 200 ? 'none' : `HTTP ${r.status}`));
      toasts.set(t, (toasts.get(t) ?? 0) + 1);
    }
    const receipts = await db.outboxMessage.count({ where: { idempotencyKey: { contains: 'receipt' } } });
    const lateCards = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'late-card:' } } });
    return [
      {
        name: `${provider} ${UNITS} liaisons press 提交申报 at once (app vs bare SDK CardActionHandler)`,
        figures: {
          'app p50 answer ms': round(percentile(appMs, 50)),
          'app p99 answer ms': round(percentile(appMs, 99)),
          'app max answer ms': round(Math.max(...appMs)),
          'floor p50 ms': round(percentile(bareMs, 50)),
          'floor p99 ms': round(percentile(bareMs, 99)),
          'ratio p99 app/floor': round(percentile(appMs, 99) / percentile(bareMs, 99), 2),
          'app answers ≥ 3 s': app.filter((r) => r.ms >= 3000).length,
          'app toasts': [...toasts].map(([t, n]) => `${n}× ${t}`).join(', '),
          'drafts opened (setup)': `${opened}/${UNITS}`,
          'submitted / units': `${submitted}/${UNITS}`,
          'all processed after the burst started s': round(processedS, 1),
          'receipt rows': receipts,
          'delayed-update rows (late-card)': lateCards,
          'process cpu ms/press (both sides)': round((cpu.user + cpu.system) / 1000 / (app.length + bare.length), 2),
          'load avg 1 min (start, end)': `${round(load0, 1)}, ${round(os.loadavg()[0]!, 1)}`,
        },
      },
    ];
  } finally {
    await floor.close();
    await b.stop();
  }
}

export default async function cardsBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const provider of await benchProviders()) out.push(...(await benchProvider(provider)));
  return out;
}
