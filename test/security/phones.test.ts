// One rule for mobile numbers in everything the bot sends: full only in a private chat with a
// coordinator, masked everywhere else (every group, bound or not, the office group included).
// The rule sits where messages leave (enqueue, enqueueMany, the callback answer), so this sweep
// pushes every schedule card (the ones that used to go out unmasked), cards carrying phones in any
// field and random card trees through those exits and looks for a full mobile in what is stored.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enqueue, enqueueMany, type OutboxOp } from '../../src/app/outbox.ts';
import { hasFullMobile, maskMobilesInText } from '../../src/app/phone-policy.ts';
import { Bot, type AppServices } from '../../src/app/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/app/log.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import type { CardJson } from '../../cards/kit.ts';
import { card, markdown, plain, textBlock } from '../../cards/kit.ts';
import { publishedScheduleCard, scheduleChangeNoticeCard, scheduleWorkCard } from '../../cards/schedule.ts';
import { buildReceiptCard } from '../../cards/receipt.ts';
import type { ScheduleRow } from '../../src/domain/schedule.ts';
import { balanceChecks } from '../../src/domain/schedule.ts';
import { looseAction } from '../../cards/actions.ts';
import { filePorts } from '../../src/app/file-ports.ts';

const MOBILES = ['13812345678', '+86 138 1234 5678', '+8613812345678', '138-1234-5678', '138\\-1234\\-5678', '电话15900001111。', '（19912345678）'];

function rows(count: number): ScheduleRow[] {
  return Array.from({ length: count }, (_, i) => ({
    themeId: `t${i}`,
    unitId: `u${i % 20}`,
    unitName: `单位${i % 20}`,
    unitKind: 'department',
    unitOrder: i % 20,
    seq: 1 + Math.floor(i / 20),
    title: `主题${i}`,
    month: 1 + (i % 12),
    forms: ['forum'],
    contactName: '欧阳琳琳',
    contactPhone: `1${3 + (i % 7)}${String(100000000 + i * 7919).slice(0, 9)}`,
  }));
}

/** Every card the bot builds that may carry a liaison's phone, in its most revealing settings. */
function cardsWithPhones(): CardJson[] {
  const r = rows(40);
  return [
    publishedScheduleCard({ title: '计划安排表', version: 1, publishedAt: '2023-04-20 10:00', rows: r }),
    publishedScheduleCard({ title: '计划安排表', version: 2, publishedAt: '2023-04-20 10:00', rows: r, unit: { id: 'u1', name: '单位1' } }),
    scheduleChangeNoticeCard({
      title: '计划安排表',
      version: 2,
      publishedAt: 'x',
      unit: { id: 'u1', name: '单位1' },
      liaisonOpenIds: ['ou_a'],
      changes: [{ kind: 'added', themeId: 't1', unitId: 'u1', unitName: '单位1', title: 'x', toMonth: 5 }],
      ownRows: r.slice(0, 3),
    }),
    scheduleWorkCard({
      title: '计划安排表',
      campaignStatus: 'reviewing',
      rows: r,
      warnings: balanceChecks(r, { maxPerMonth: 10, fromMonth: 5 }),
      pendingMoves: [],
      moveMode: 'confirm',
      published: { version: 1, at: 'x', pendingChanges: 0 },
    }),
    // A receipt whose caller forgot to mask: the net catches it.
    buildReceiptCard({
      submissionId: 's1',
      unitName: '单位1',
      campaignTitle: 'x',
      version: 1,
      displayVersion: 1,
      status: 'submitted',
      byName: '张三',
      atText: 'x',
      contactName: '张三',
      contactPhoneMasked: '13812345678',
      themes: [],
      late: false,
      editableUntilText: 'x',
      editable: true,
    }),
    card({ title: '13912345678', elements: [markdown(MOBILES.join('\n')), textBlock('联系 18612345678'), { tag: 'button', text: plain('拨打 18612345678'), behaviors: [] }] }),
  ];
}

function cardArbitrary(): fc.Arbitrary<CardJson> {
  const mobile = fc.constantFrom(...MOBILES);
  const chunk = fc.oneof(fc.string({ maxLength: 8 }), mobile, fc.constantFrom('联系人：', '电话', ' ', '\n', '｜', '**'));
  const text = fc.array(chunk, { maxLength: 6 }).map((a) => a.join(''));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, text, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('content', 'text', 'title', 'elements', 'value', 'x'), tie('tree'), { maxKeys: 4 })),
  }));
  return tree.map((t) => ({ schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'div', payload: t }] } }) as CardJson);
}

describe('masking text', () => {
  it.each(MOBILES)('%s', (s) => {
    expect(hasFullMobile(s)).toBe(true);
    expect(hasFullMobile(maskMobilesInText(s))).toBe(false);
  });
  it('leaves ids, timestamps, landlines and masked numbers alone', () => {
    for (const s of ['ou_a13812345678b', '1700000000000', '0731-84872387', '138****5678', 'msg_13812345678', '213812345678']) {
      expect(maskMobilesInText(s)).toBe(s);
    }
  });
});

describe('every outgoing card or text to a group carries no full mobile', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    await db.client.coordinator.create({ data: { openId: 'ou_coord_db', name: '办公室', addedBy: 'seed' } });
  });
  afterAll(async () => db.destroy());

  const destinations = (c: CardJson, text: string): OutboxOp[] => [
    { op: 'send', to: { chatId: 'oc_office' }, card: c },
    { op: 'send', to: { chatId: 'oc_unbound_cross_department' }, text },
    { op: 'reply', messageId: 'om_in_group', card: c, text },
    { op: 'patch', messageId: 'om_x', card: c },
    { op: 'card_update', token: 't', card: c },
    { op: 'send', to: { openId: 'ou_liaison' }, card: c, text },
  ];

  let n = 0;
  async function storedPayloads(ops: OutboxOp[], coordinatorOpenIds: string[] = ['ou_coord_cfg']): Promise<string[]> {
    const keys: string[] = [];
    await db.client.$transaction(async (tx) => {
      for (const op of ops) {
        const key = `sweep:${++n}`;
        keys.push(key);
        await enqueue(tx, key, op, { phones: { coordinatorOpenIds } });
      }
    });
    const stored = await db.client.outboxMessage.findMany({ where: { idempotencyKey: { in: keys } }, select: { payload: true } });
    return stored.map((r) => r.payload);
  }

  it('schedule, receipt and hand-made cards through every kind of exit', async () => {
    const all = cardsWithPhones();
    expect(all.slice(4).every((c) => hasFullMobile(JSON.stringify(c)))).toBe(true);
    for (const c of all) {
      for (const payload of await storedPayloads(destinations(c, `催办 ${MOBILES.join(' ')}`))) expect(hasFullMobile(payload)).toBe(false);
    }
  });

  it('schedule cards never carry a full mobile, even before the net', () => {
    for (const c of cardsWithPhones().slice(0, 4)) expect(hasFullMobile(JSON.stringify(c))).toBe(false);
  });

  it('random card trees (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(cardArbitrary(), fc.array(fc.constantFrom(...MOBILES), { minLength: 1, maxLength: 3 }), async (c, nums) => {
        for (const payload of await storedPayloads(destinations(c, nums.join('，')))) expect(hasFullMobile(payload)).toBe(false);
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  it('enqueueMany follows the same rule', async () => {
    const c = cardsWithPhones()[5]!;
    await db.client.$transaction(async (tx) =>
      enqueueMany(tx, [
        { key: 'many:group', op: { op: 'send', to: { chatId: 'oc_g' }, card: c } },
        { key: 'many:coord', op: { op: 'send', to: { openId: 'ou_coord_db' }, card: c } },
      ]),
    );
    const group = await db.client.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'many:group' } });
    const coord = await db.client.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'many:coord' } });
    expect(hasFullMobile(group.payload)).toBe(false);
    expect(coord.payload).toContain('13912345678');
  });

  it('a private chat with a coordinator keeps full numbers; with anyone else it does not', async () => {
    const c = cardsWithPhones()[5]!;
    const [cfg, table, liaison] = await storedPayloads([
      { op: 'send', to: { openId: 'ou_coord_cfg' }, card: c },
      { op: 'send', to: { openId: 'ou_coord_db' }, card: c },
      { op: 'send', to: { openId: 'ou_liaison' }, card: c },
    ]);
    expect(cfg).toContain('18612345678');
    expect(table).toContain('18612345678');
    expect(hasFullMobile(liaison!)).toBe(false);
  });

  it('a private message with no mobile in it is stored as written, without asking who reads it', async () => {
    const plainCard = card({ title: '评分', elements: [markdown('**活动：** 座谈交流，编号 20230405123456789')] });
    let lookups = 0;
    const counted = db.client.$extends({
      query: {
        coordinator: {
          async $allOperations({ args, query }) {
            lookups++;
            return query(args);
          },
        },
      },
    });
    const key = `sweep:${++n}`;
    await counted.$transaction(async (tx) => enqueue(tx as never, key, { op: 'send', to: { openId: 'ou_liaison' }, card: plainCard }, { phones: {} }));
    const stored = await db.client.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
    expect(JSON.parse(stored.payload)).toMatchObject({ card: plainCard });
    expect(lookups).toBe(0);
    // with a mobile in it, the reader matters: a liaison gets it masked
    await counted.$transaction(async (tx) => enqueue(tx as never, `${key}b`, { op: 'send', to: { openId: 'ou_liaison' }, text: '联系 13912345678' }, { phones: {} }));
    expect(lookups).toBe(1);
  });

  it('a file with full numbers can only go privately to a coordinator', async () => {
    const file = (to: { chatId: string } | { openId: string }): OutboxOp => ({ op: 'file', to, fileName: '申报表.xlsx', fileType: 'xls', storedPath: 'exports/x.xlsx', fullPhones: true });
    await expect(storedPayloads([file({ chatId: 'oc_office' })])).rejects.toThrow(/privately to a coordinator/);
    await expect(storedPayloads([file({ openId: 'ou_liaison' })])).rejects.toThrow(/privately to a coordinator/);
    expect(await storedPayloads([file({ openId: 'ou_coord_db' })])).toHaveLength(1);
    expect(await storedPayloads([{ op: 'file', to: { chatId: 'oc_office' }, fileName: '计划安排表.xlsx', fileType: 'xls', storedPath: 's/v1-masked.xlsx' }])).toHaveLength(1);
  });

  it('an input pre-filled with the recipient’s own phone stays usable', async () => {
    const form: CardJson = { schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'input', name: 'contact_phone', default_value: '13812345678' }] } };
    const [p] = await storedPayloads([{ op: 'send', to: { openId: 'ou_liaison' }, card: form }]);
    expect(p).toContain('13812345678');
  });

  it('the card a callback answers with is masked too, and a p2p reply to a coordinator is not', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent', COORDINATOR_OPEN_IDS: 'ou_coord_cfg' });
    const services = { config, db: db.client, clock: new FakeClock('2023-05-01T00:00:00Z'), ...filePorts(config), log: createLogger('silent'), kickOutbox: () => undefined } as unknown as AppServices;
    const bot = new Bot(services);
    bot.action(looseAction('show.phone'), async () => ({ card: cardsWithPhones()[5]! }));
    bot.command({ names: ['电话'], summary: '', example: '', audience: 'everyone' }, async (ctx, m) => {
      await ctx.enqueue(`phone-reply:${m.messageId}`, { op: 'reply', messageId: m.messageId, text: '联系 13812345678' });
    });
    const r = await bot.dispatch({ kind: 'card_action', eventId: 'ev_1', operatorOpenId: 'ou_x', chatId: 'oc_g', messageId: 'om_1', value: { a: 'show.phone' } });
    expect(hasFullMobile(JSON.stringify(r.response.card))).toBe(false);
    const message = (id: string, chatType: 'p2p' | 'group', sender: string) => ({
      kind: 'message' as const,
      eventId: `ev_${id}`,
      messageId: id,
      chatId: 'oc_c',
      chatType,
      senderOpenId: sender,
      senderType: 'user',
      msgType: 'text',
      text: '电话',
      content: {},
      mentions: [],
      mentionedBot: true,
      createTime: new Date(),
    });
    await bot.dispatch(message('om_p2p_coord', 'p2p', 'ou_coord_cfg'));
    await bot.dispatch(message('om_group_coord', 'group', 'ou_coord_cfg'));
    await bot.dispatch(message('om_p2p_liaison', 'p2p', 'ou_liaison'));
    const payload = async (id: string) => (await db.client.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: `phone-reply:${id}` } })).payload;
    expect(await payload('om_p2p_coord')).toContain('13812345678');
    expect(hasFullMobile(await payload('om_group_coord'))).toBe(false);
    expect(hasFullMobile(await payload('om_p2p_liaison'))).toBe(false);
  });
});

describe('mobiles written by escapeMarkdown()', () => {
  it('are found and masked when their dashes are character references', async () => {
    const { escapeMarkdown } = await import('../../cards/kit.ts');
    const escaped = escapeMarkdown('联系电话 138-1234-5678');
    expect(escaped).toContain('&#45;');
    expect(hasFullMobile(escaped)).toBe(true);
    expect(hasFullMobile(maskMobilesInText(escaped))).toBe(false);
  });
});
