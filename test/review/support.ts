// Shared set-up for the review and schedule suites: the 2023 campaign on the demo county with
// 40 submitted themes (two per unit for the first 20 units), written straight to the database
// the way the submission flow leaves them (submitted, ThemeVersion v1).
import type { Db } from '../../src/adapters/db/database.ts';
import type { CardJson } from '../../cards/kit.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { Harness } from '../support/harness.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { FakeClock } from '../../src/ports/clock.ts';

import { buildCampaign, createTheme } from '../support/kit.ts';

export { cardText, waitUntil } from '../support/kit.ts';

export const START_2023 = '2023-04-10T02:00:00Z';
export const newClock = () => new FakeClock(START_2023);

const FORMS = ['survey', 'observe', 'forum', 'policy', 'questionnaire'];
const TOPICS = ['优化营商环境政策解读', '乡村振兴项目现场观摩', '民生实事办理情况座谈', '城乡品质提升实地调研', '社会治理问卷调查', '政务服务“一件事一次办”体验', '生态文明建设成果展示', '科教强县政策发布会'];

export interface SeededTheme {
  id: string;
  unitId: string;
  seq: number;
  title: string;
  month: number;
}

export async function seedCampaign2023(db: Db, opts: { settings?: Record<string, unknown>; unitCount?: number; themesPerUnit?: number } = {}): Promise<{ campaignId: string; themes: SeededTheme[] }> {
  const campaign = await db.campaign.create({ data: buildCampaign({ settings: JSON.stringify(opts.settings ?? {}) }) });
  const units = await db.unit.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], include: { liaisons: true } });
  const themes: SeededTheme[] = [];
  let n = 0;
  for (const unit of units.slice(0, opts.unitCount ?? 20)) {
    const liaison = unit.liaisons.find((l) => l.role === 'primary') ?? unit.liaisons[0];
    const submission = await db.submission.create({
      data: {
        campaignId: campaign.id,
        unitId: unit.id,
        status: 'submitted',
        version: 1,
        contactName: liaison?.name ?? '联系人',
        contactPhone: liaison?.phone ?? '13800000000',
        submittedAt: atShanghai('2023-04-03', '15:00'),
        submittedBy: liaison?.openId ?? 'ou_x',
      },
    });
    for (let seq = 1; seq <= (opts.themesPerUnit ?? 2); seq++) {
      const month = 5 + (n % 8);
      const forms = [FORMS[n % 5]!, ...(n % 3 === 0 ? [FORMS[(n + 2) % 5]!] : [])];
      const title = `${unit.shortName ?? unit.name}${TOPICS[n % TOPICS.length]}`.slice(0, 40);
      const intro = `围绕${TOPICS[n % TOPICS.length]}，邀请人大代表、政协委员和群众代表参与，介绍工作推进情况并听取意见建议。`;
      const theme = await createTheme(db, { submissionId: submission.id, seq, title, month, forms, intro, actorOpenId: liaison?.openId ?? 'ou_x' });
      themes.push({ id: theme.id, unitId: unit.id, seq, title, month });
      n++;
    }
  }
  return { campaignId: campaign.id, themes };
}

export function expectValidCard(card: unknown): void {
  const result = validateCard(card);
  if (!result.ok) throw new Error(`invalid card: ${result.message}`);
}

/** Every callback value in a card whose action is `a`. */
export function actionValues(card: unknown, a: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const rec = node as Record<string, unknown>;
      if (rec.type === 'callback' && rec.value && typeof rec.value === 'object' && (rec.value as { a?: unknown }).a === a) out.push(rec.value as Record<string, unknown>);
      Object.values(rec).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The bot's newest interactive message in a chat, with its current card. */
export function lastBotCard(h: Harness, chatId: string): { messageId: string; card: CardJson } {
  const m = h.emulator
    .messages(chatId)
    .filter((x) => x.msgType === 'interactive' && x.senderType === 'app')
    .pop();
  if (!m?.card) throw new Error(`no card in ${chatId}`);
  return { messageId: m.messageId, card: m.card as unknown as CardJson };
}

export function currentCard(h: Harness, messageId: string): CardJson {
  const m = h.emulator.message(messageId);
  if (!m?.card) throw new Error(`no card ${messageId}`);
  return m.card as unknown as CardJson;
}
