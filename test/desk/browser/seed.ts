// The desk browser test's county: a 2026 campaign in collection (the local app's clock starts on
// 2026-03-10, before the 04-07 deadline). Every active unit has its submission row (as a launch
// leaves them); the first eight submitted two themes each through the same write the live flow
// uses (acceptSubmission), the first four units' themes approved and placed in their months. The
// other units have not submitted yet, so one of them can submit live during the test.
import type { Db } from '../../../src/adapters/db/database.ts';
import { DEMO_OFFICE } from '../../../src/domain/demo-directory.ts';
import { atShanghai } from '../../../src/domain/time.ts';
import { acceptSubmission } from '../../../src/usecases/submissions/submit.ts';
import type { ActivityFormKey } from '../../../src/domain/campaign.ts';

export const DESK_YEAR = 2026;

const FORMS: ActivityFormKey[] = ['survey', 'observe', 'forum', 'policy', 'questionnaire'];
const TOPICS = ['优化营商环境政策解读', '乡村振兴项目现场观摩', '民生实事办理情况座谈', '城乡品质提升实地调研', '社会治理问卷调查', '政务服务“一件事一次办”体验', '生态文明建设成果展示', '科教强县政策发布会'];

export interface DeskSeedTheme {
  id: string;
  unitId: string;
  unitName: string;
  chatId: string | null;
  title: string;
  month: number;
  intro: string;
  approved: boolean;
}

export interface DeskSeedUnit {
  id: string;
  name: string;
  chatId: string | null;
  liaisonOpenId: string | null;
}

export interface DeskSeed {
  campaignId: string;
  themes: DeskSeedTheme[];
  /** units that have not submitted yet */
  pendingUnits: DeskSeedUnit[];
}

export async function seedDeskCampaign(db: Db): Promise<DeskSeed> {
  const campaign = await db.campaign.create({
    data: {
      year: DESK_YEAR,
      title: `长沙县${DESK_YEAR}年“政务公开主题日”活动`,
      status: 'collecting',
      noticeDate: `${DESK_YEAR}-03-05`,
      deadline: `${DESK_YEAR}-04-07`,
      contactName: '李成英',
      contactPhone: '0731-84872387',
      contactEmail: 'CSX84872387@163.com',
      launchedAt: atShanghai(`${DESK_YEAR}-03-05`, '10:00'),
      launchedBy: DEMO_OFFICE.coordinator.openId,
    },
  });
  const units = await db.unit.findMany({ where: { active: true }, include: { liaisons: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] });
  const themes: DeskSeedTheme[] = [];
  const pendingUnits: DeskSeedUnit[] = [];
  let n = 0;
  for (const [i, unit] of units.entries()) {
    const sub = await db.submission.create({ data: { campaignId: campaign.id, unitId: unit.id, createdAt: atShanghai(`${DESK_YEAR}-03-05`, '10:00') } });
    const primary = unit.liaisons.find((l) => l.role === 'primary' && l.openId) ?? unit.liaisons.find((l) => l.openId);
    if (i >= 8 || !primary?.openId) {
      pendingUnits.push({ id: unit.id, name: unit.name, chatId: unit.chatId, liaisonOpenId: primary?.openId ?? null });
      continue;
    }
    const drafts = [0, 1].map(() => {
      const topic = TOPICS[n % TOPICS.length]!;
      const d = {
        title: `${unit.shortName ?? unit.name}${topic}`.slice(0, 40),
        month: 5 + (n % 8),
        forms: [FORMS[n % 5]!, ...(n % 3 === 0 ? [FORMS[(n + 2) % 5]!] : [])],
        intro: `围绕${topic}，邀请人大代表、政协委员和群众代表参与，介绍工作推进情况并听取意见建议（${unit.name}）。`,
      };
      n++;
      return d;
    });
    await db.$transaction(async (tx) => {
      const submission = await tx.submission.findUniqueOrThrow({ where: { id: sub.id }, include: { campaign: true } });
      await acceptSubmission(tx, {
        submission,
        contact: { name: primary.name, phone: primary.phone ?? '13800000000' },
        themes: drafts,
        actor: primary.openId!,
        now: atShanghai(`${DESK_YEAR}-03-0${6 + (i % 3)}`, '15:00'),
      });
    });
    const approved = i < 4;
    for (const t of await db.theme.findMany({ where: { submissionId: sub.id, state: 'active' }, orderBy: { seq: 'asc' } })) {
      if (approved) await db.theme.update({ where: { id: t.id }, data: { reviewStatus: 'approved', scheduledMonth: t.month } });
      themes.push({ id: t.id, unitId: unit.id, unitName: unit.name, chatId: unit.chatId, title: t.title, month: t.month, intro: t.intro, approved });
    }
  }
  return { campaignId: campaign.id, themes, pendingUnits };
}
