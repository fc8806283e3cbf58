// The demo county's 2023 collection, following the plan's dates (notice 2023-03-23, deadline
// 2023-04-07): units submitted on time with 1–3 themes across all five forms and months 4–12,
// edits with several versions, withdrawals (one resubmitted), a unit with its own extension, late
// units that were reopened, and units that never submitted. Written through the same writes the
// live flow uses (acceptSubmission / writeWithdrawal) but without messages: this is history.
// Idempotent: a second run finds the 2023 campaign and changes nothing.
import type { Db } from '../../adapters/db/database.ts';
import { PLAN_DEFAULTS, type ActivityFormKey } from '../../domain/campaign.ts';
import { DEMO_OFFICE } from '../../domain/demo-directory.ts';
import { addDays, atShanghai } from '../../domain/time.ts';
import { seedDemoDirectory } from '../seed-demo-directory.ts';
import { acceptSubmission, writeWithdrawal } from '../submissions/submit.ts';
import { draftThemeOf } from '../submissions/shared.ts';
import type { DraftTheme } from '../../domain/submission.ts';

export const DEMO_YEAR = 2023;

interface PoolTheme {
  title: string;
  forms: ActivityFormKey[];
  intro: string;
  /** 主题领域 (PLAN_THEME_DOMAINS, in its order) */
  domains: string[];
}

const STREET: PoolTheme[] = [
  { title: '老旧小区改造政策面对面', forms: ['policy', 'forum'], intro: '邀请居民代表、人大代表走进改造中的小区，解读老旧小区改造补助政策和居民出资规则，现场收集加装电梯、停车位等诉求。', domains: ['城乡品质', '民生实事'] },
  { title: '社区嵌入式服务设施现场观摩', forms: ['observe'], intro: '组织群众代表和媒体观摩新建的社区食堂、托育点和养老驿站，体验办事流程，听取对服务时间和收费的意见。', domains: ['民生实事'] },
  { title: '“一老一小”民生实事座谈会', forms: ['forum', 'questionnaire'], intro: '围绕居家养老和婴幼儿照护服务，召开居民座谈会并开展线上问卷，公开年度民生实事进展，接受群众监督。', domains: ['民生实事'] },
  { title: '背街小巷提质改造满意度调查', forms: ['questionnaire', 'survey'], intro: '对辖区背街小巷改造项目开展线上线下问卷调查，组织政协委员实地走访，梳理群众反映的问题形成整改清单。', domains: ['城乡品质'] },
  { title: '网格化基层治理实地调研', forms: ['survey', 'forum'], intro: '组织人大代表、专家学者到社区网格实地调研，展示网格员走访、矛盾调解和平安建设工作成效，听取改进建议。', domains: ['社会治理'] },
];
const TOWN: PoolTheme[] = [
  { title: '乡村振兴产业项目实地调研', forms: ['survey'], intro: '组织人大代表、政协委员和媒体到特色种养基地、农产品加工项目现场调研，展示产业帮扶成效，研究提出发展建议。', domains: ['乡村振兴'] },
  { title: '高标准农田建设现场观摩', forms: ['observe', 'survey'], intro: '邀请种粮大户、村民代表观摩高标准农田建设现场，公开项目资金使用和工程质量监管情况，听取管护意见。', domains: ['乡村振兴'] },
  { title: '农村人居环境整治问卷调查', forms: ['questionnaire'], intro: '面向全镇村民开展农村人居环境整治线上线下问卷调查，了解改厕、污水处理和垃圾收运的实施情况与群众诉求。', domains: ['乡村振兴', '生态文明'] },
  { title: '惠农补贴政策发布会', forms: ['policy', 'forum'], intro: '举办惠农补贴政策发布会，面对面解读耕地地力保护、农机购置等补贴政策的申领条件和流程，现场答疑。', domains: ['乡村振兴'] },
  { title: '美丽屋场建设座谈交流', forms: ['forum', 'observe'], intro: '召开美丽屋场建设座谈会，邀请村民代表、乡贤和专家交流建设经验，介绍资金安排和评选办法，听取意见。', domains: ['城乡品质', '乡村振兴'] },
];
const DEPARTMENT: PoolTheme[] = [
  { title: '优化营商环境政策发布会', forms: ['policy'], intro: '举办新闻发布会，解读本年度优化营商环境若干措施，邀请企业代表现场提问，公开政策兑现渠道和办理时限。', domains: ['营商环境'] },
  { title: '“一件事一次办”体验观摩', forms: ['observe', 'questionnaire'], intro: '邀请市民群众和媒体到政务服务大厅体验“一件事一次办”流程，现场填写满意度问卷，推广便捷办事方式。', domains: ['改革开放', '营商环境'] },
  { title: '重点项目建设现场调研', forms: ['survey', 'policy'], intro: '组织人大代表、政协委员、专家学者到年度重点项目现场实地调研，展示建设进度和政策落实成效，听取建议。', domains: ['科教强县', '改革开放'] },
  { title: '就业创业政策面对面', forms: ['policy', 'forum'], intro: '走进园区和高校开展就业创业政策宣讲，解读创业担保贷款、社保补贴等政策，与求职者和企业代表座谈交流。', domains: ['民生实事'] },
  { title: '政务公开工作满意度调查', forms: ['questionnaire', 'forum'], intro: '结合主责主业开展政务公开满意度问卷调查，召开座谈会听取企业群众对信息公开内容和渠道的意见建议。', domains: ['政府自身建设'] },
];

function poolFor(kind: string): PoolTheme[] {
  return kind === 'street' ? STREET : kind === 'town' ? TOWN : DEPARTMENT;
}

function themesFor(index: number, kind: string, count: number, variant = 0): DraftTheme[] {
  const pool = poolFor(kind);
  return Array.from({ length: count }, (_, k) => {
    const p = pool[(index + k + variant) % pool.length]!;
    return { title: p.title, month: 4 + ((index * 2 + k * 3 + variant) % 9), forms: [...p.forms], intro: p.intro, domains: [...p.domains] };
  });
}

/** When a unit submitted (Shanghai 09:00–16:00 between 03-24 and the deadline). */
function submitTime(index: number, base = '2023-03-24', spread = 15): Date {
  return atShanghai(addDays(base, index % spread), `${String(9 + (index % 8)).padStart(2, '0')}:${String((index * 7) % 60).padStart(2, '0')}`);
}

export interface SeedCampaignResult {
  skipped: boolean;
  campaignId: string;
  units: number;
  submitted: number;
  late: number;
  withdrawn: number;
  edited: number;
  pending: number;
  themes: number;
}

type Plan = 'on_time' | 'edited' | 'withdrawn' | 'resubmitted' | 'late' | 'extended' | 'missing';

/** Which unit (by directory order) gets which story; the rest submit on time. */
export function demoPlan(index: number, total: number): Plan {
  if (index >= total - 4 || index === 12) return 'missing';
  if (index === 10 || index === 25) return 'late';
  if (index === 20) return 'extended';
  if (index === 7 || index === 30) return 'withdrawn';
  if (index === 18) return 'resubmitted';
  if (index === 1 || index === 5 || index === 15) return 'edited';
  return 'on_time';
}

export async function seedDemoCampaign(db: Db, options: { now: Date }): Promise<SeedCampaignResult> {
  await seedDemoDirectory(db, { actorOpenId: 'system', now: options.now });
  return db.$transaction(
    async (tx) => {
      const existing = await tx.campaign.findUnique({ where: { year: DEMO_YEAR } });
      const count = async (id: string) => ({
        units: await tx.submission.count({ where: { campaignId: id } }),
        submitted: await tx.submission.count({ where: { campaignId: id, status: 'submitted' } }),
        late: await tx.submission.count({ where: { campaignId: id, status: 'submitted', late: true } }),
        withdrawn: await tx.submission.count({ where: { campaignId: id, status: 'withdrawn' } }),
        edited: await tx.submission.count({ where: { campaignId: id, revisions: { some: { action: 'edit' } } } }),
        pending: await tx.submission.count({ where: { campaignId: id, status: 'pending' } }),
        themes: await tx.theme.count({ where: { submission: { campaignId: id }, state: 'active' } }),
      });
      if (existing) return { skipped: true, campaignId: existing.id, ...(await count(existing.id)) };

      const coordinator = DEMO_OFFICE.coordinator;
      const campaign = await tx.campaign.create({
        data: {
          year: DEMO_YEAR,
          title: PLAN_DEFAULTS.title(DEMO_YEAR),
          status: 'collecting',
          noticeDate: `${DEMO_YEAR}-${PLAN_DEFAULTS.noticeMonthDay}`,
          deadline: `${DEMO_YEAR}-${PLAN_DEFAULTS.deadlineMonthDay}`,
          contactName: PLAN_DEFAULTS.contactName,
          contactPhone: PLAN_DEFAULTS.contactPhone,
          contactEmail: PLAN_DEFAULTS.contactEmail,
          launchedAt: atShanghai('2023-03-23', '10:00'),
          launchedBy: coordinator.openId,
          createdAt: atShanghai('2023-03-23', '09:50'),
        },
      });
      const units = await tx.unit.findMany({ where: { active: true }, include: { liaisons: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] });
      for (let i = 0; i < units.length; i++) {
        const unit = units[i]!;
        let sub = await tx.submission.create({ data: { campaignId: campaign.id, unitId: unit.id, createdAt: atShanghai('2023-03-23', '10:00') } });
        const plan = demoPlan(i, units.length);
        if (plan === 'missing') continue;
        const primary = unit.liaisons.find((l) => l.role === 'primary' && l.openId) ?? unit.liaisons.find((l) => l.openId);
        const backup = unit.liaisons.find((l) => l.role === 'backup' && l.openId);
        if (!primary?.openId) continue;
        const contact = { name: primary.name, phone: primary.phone ?? DEMO_OFFICE.coordinator.phone };
        const load = async () => tx.submission.findUniqueOrThrow({ where: { id: sub.id }, include: { campaign: true } });
        const accept = async (themes: DraftTheme[], actor: string, at: Date) => acceptSubmission(tx, { submission: await load(), contact, themes, actor, now: at });
        const count0 = 1 + (i % 3);
        const at = submitTime(i);
        switch (plan) {
          case 'on_time':
            await accept(themesFor(i, unit.kind, count0), primary.openId, at);
            break;
          case 'edited': {
            await accept(themesFor(i, unit.kind, count0), primary.openId, at);
            const withIds = (await tx.theme.findMany({ where: { submissionId: sub.id, state: 'active' }, orderBy: { seq: 'asc' } })).map(draftThemeOf);
            // v2: the first theme moves a month and a theme is added
            const v2 = [{ ...withIds[0]!, month: Math.min(12, withIds[0]!.month + 1) }, ...withIds.slice(1), ...themesFor(i, unit.kind, 1, 3).map((t) => ({ ...t, title: `${t.title}（二）` }))];
            await accept(v2, backup?.openId ?? primary.openId, new Date(at.getTime() + 26 * 3600_000));
            if (i === 1) {
              // v3: the added theme is dropped again
              const v3 = (await tx.theme.findMany({ where: { submissionId: sub.id, state: 'active' }, orderBy: { seq: 'asc' } })).slice(0, -1).map(draftThemeOf);
              await accept(v3, primary.openId, new Date(at.getTime() + 50 * 3600_000));
            }
            break;
          }
          case 'withdrawn':
          case 'resubmitted': {
            await accept(themesFor(i, unit.kind, count0), primary.openId, at);
            sub = await load();
            await writeWithdrawal(tx, sub, primary.openId, new Date(at.getTime() + 20 * 3600_000));
            if (plan === 'resubmitted') await accept(themesFor(i, unit.kind, count0, 1), primary.openId, new Date(at.getTime() + 44 * 3600_000));
            break;
          }
          case 'extended':
            await tx.submission.update({ where: { id: sub.id }, data: { deadlineOverride: '2023-04-14' } });
            await accept(themesFor(i, unit.kind, count0), primary.openId, atShanghai('2023-04-13', '10:20'));
            break;
          case 'late':
            await tx.submission.update({ where: { id: sub.id }, data: { reopenedUntil: '2023-04-12' } });
            await accept(themesFor(i, unit.kind, count0), primary.openId, atShanghai('2023-04-10', i === 10 ? '15:40' : '11:05'));
            break;
        }
      }
      const result = { skipped: false, campaignId: campaign.id, ...(await count(campaign.id)) };
      await tx.auditLog.create({ data: { at: options.now, actorOpenId: 'system', action: 'demo.seed_campaign', entity: 'Campaign', entityId: campaign.id, after: JSON.stringify(result) } });
      return result;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
