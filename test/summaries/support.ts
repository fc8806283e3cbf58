// Shared set-up for the summaries and evaluation suites: the 2023 campaign on the demo county
// after the schedule was published (one approved theme per unit for the first N units, plus two
// themes in the same month for one extra unit), and small helpers around the harness.
import type { Db } from '../../src/adapters/db/database.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { Harness } from '../support/harness.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { buildCampaign, createTheme, waitUntil as waitFor } from '../support/kit.ts';

// `waitFor` is the kit's waitUntil under the name these suites already use.
export { cardText, waitUntil as waitFor } from '../support/kit.ts';

export interface ApprovedTheme {
  id: string;
  unitId: string;
  title: string;
  month: number;
}

const TOPICS = ['优化营商环境政策解读', '乡村振兴项目现场观摩', '民生实事办理情况座谈', '城乡品质提升实地调研', '社会治理问卷调查', '政务服务“一件事一次办”体验', '生态文明建设成果展示'];
const FORMS = ['survey', 'observe', 'forum', 'policy', 'questionnaire'];

export async function seedScheduled2023(db: Db, unitCount = 20, ambiguousUnitIndex?: number): Promise<{ campaignId: string; themes: ApprovedTheme[]; extra: ApprovedTheme[] }> {
  const campaign = await db.campaign.create({ data: buildCampaign({ status: 'scheduled' }) });
  const units = await db.unit.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] });
  const themes: ApprovedTheme[] = [];
  const extra: ApprovedTheme[] = [];
  const make = async (unitId: string, unitName: string, seq: number, n: number, month: number) => {
    const submission = await db.submission.upsert({
      where: { campaignId_unitId: { campaignId: campaign.id, unitId } },
      create: { campaignId: campaign.id, unitId, status: 'submitted', version: 1, submittedAt: atShanghai('2023-04-03', '15:00') },
      update: {},
    });
    const title = `${unitName}${TOPICS[n % TOPICS.length]}`.slice(0, 40);
    const intro = `围绕${TOPICS[n % TOPICS.length]}，邀请代表委员和群众参与。`;
    const theme = await createTheme(db, { submissionId: submission.id, seq, title, month, forms: [FORMS[n % 5]!], intro, reviewStatus: 'approved' });
    return { id: theme.id, unitId, title, month };
  };
  for (const [i, unit] of units.slice(0, unitCount).entries()) themes.push(await make(unit.id, unit.name, 1, i, 5 + (i % 7)));
  if (ambiguousUnitIndex !== undefined) {
    const unit = units[ambiguousUnitIndex]!;
    extra.push(await make(unit.id, unit.name, 1, 1, 6), await make(unit.id, unit.name, 2, 2, 6));
  }
  return { campaignId: campaign.id, themes, extra };
}

export function expectValidCard(card: unknown): void {
  const result = validateCard(card);
  if (!result.ok) throw new Error(`invalid card: ${result.message}`);
}

export function lastBot(h: Harness, chatId: string) {
  const list = h.messages(chatId).filter((m) => m.senderType === 'app');
  const m = list[list.length - 1];
  if (!m) throw new Error(`no bot message in ${chatId}`);
  return m;
}

export function lastBotCard(h: Harness, chatId: string): { messageId: string; card: Record<string, unknown> } {
  const list = h.messages(chatId).filter((m) => m.senderType === 'app' && m.msgType === 'interactive');
  const m = list[list.length - 1];
  if (!m?.card) throw new Error(`no bot card in ${chatId}`);
  return { messageId: m.messageId, card: m.card };
}

export function currentCard(h: Harness, messageId: string): Record<string, unknown> {
  const card = h.emulator.message(messageId)?.card;
  if (!card) throw new Error(`no card ${messageId}`);
  return card;
}

/** Sends an image (or a file) as a user and waits until the bot has answered it (after-commit work included). */
export async function sendPhoto(h: Harness, openId: string, chatId: string, bytes: Buffer, o: { fileName?: string; asFile?: boolean; parentId?: string } = {}): Promise<string> {
  const send = o.asFile ? h.emulator.userSendFile.bind(h.emulator) : h.emulator.userSendImage.bind(h.emulator);
  const { messageId } = await send(openId, chatId, bytes, o.fileName ?? 'photo.jpg', o.parentId ? { parentId: o.parentId } : {});
  await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `summary.photo_a` }, payload: { contains: messageId } } })) > 0);
  await h.drainOutbox();
  return messageId;
}

/** The bot's answer (text or card JSON) in reply to a message. */
export function replyTo(h: Harness, chatId: string, messageId: string): string {
  const m = h
    .messages(chatId)
    .filter((x) => x.senderType === 'app' && x.parentId === messageId)
    .pop();
  if (!m) throw new Error(`no reply to ${messageId}`);
  return m.text ?? JSON.stringify(m.card);
}

/** A complete, valid summary form_value. */
export function goodForm(month: number, i = 0): Record<string, unknown> {
  const mm = String(month).padStart(2, '0');
  return {
    held_date_1: `2023-${mm}-1${i % 10}`,
    forms_used: ['forum', 'policy'],
    p_npcDeputies: '3',
    p_cppccMembers: '2',
    p_experts: '1',
    p_media: '4',
    p_citizens: String(30 + i),
    logo_shown: 'yes',
    links_media: `https://news.example.cn/${i}.html`,
    links_website: 'https://www.example.gov.cn/zt/1',
    links_newMedia: '',
    policy_released: 'yes',
    opinions_count: String(10 + i),
    survey_answers: '',
    summary_text: `第 ${i + 1} 项活动：召开座谈会，邀请人大代表、政协委员、企业代表参加，介绍政策落实情况并现场听取意见建议。`,
    experience: '会前征集问题，会上逐条回应，会后在网站专栏公开办理结果。',
  };
}
