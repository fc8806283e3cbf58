// Demo stage after the published schedule: most held activities have a submitted summary with
// publicity links and two small generated photos (EXIF date inside the activity's month, the
// first one marked as the LOGO photo); five judges (one from a unit, so conflict of interest
// shows) have scored every activity they may; the evaluation is open and ranked, waiting for the
// coordinator to confirm winners. Idempotent: does nothing once the campaign has an evaluation.
import { createHash } from 'node:crypto';
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { DEFAULT_CRITERIA } from '../../domain/evaluation.ts';
import { lastOfMonth } from '../../domain/time.ts';
import { listActivities } from '../summaries/common.ts';
import { ensureCriteria } from '../evaluation/results.ts';
import { recomputeEvidence } from '../summaries/evidence.ts';

export const DEMO_JUDGES = [
  { openId: 'ou_demo_judge_1', name: '陈评审', unitKey: null as string | null },
  { openId: 'ou_demo_judge_2', name: '林专家', unitKey: null },
  { openId: 'ou_demo_judge_3', name: '周记者', unitKey: null },
  { openId: 'ou_demo_judge_4', name: '吴教授', unitKey: null },
  { openId: 'ou_demo_judge_5', name: '王晨', unitKey: '县发展和改革局' },
];

export interface SeedEvaluatedResult {
  skipped: boolean;
  summaries: number;
  photos: number;
  judges: number;
  scores: number;
}

export async function seedEvaluatedStage(services: AppServices): Promise<SeedEvaluatedResult> {
  const campaign = await services.db.campaign.findFirst({ orderBy: { year: 'desc' }, select: { id: true, year: true } });
  if (!campaign) return { skipped: true, summaries: 0, photos: 0, judges: 0, scores: 0 };
  if (await services.db.evaluation.findUnique({ where: { campaignId: campaign.id } })) return { skipped: true, summaries: 0, photos: 0, judges: 0, scores: 0 };
  const activities = await listActivities(services.db, campaign.id);
  // Photos are stored (and uploaded for cards, best effort) before the transaction.
  const photoFiles = new Map<string, { storedPath: string; sha256: string; size: number; takenOn: string; imageKey: string | null; name: string }[]>();
  const held = activities.filter((_, i) => i % 7 !== 6);
  for (const [i, a] of held.entries()) {
    const list = [];
    for (let p = 0; p < 2; p++) {
      const day = String(8 + ((i + p * 3) % 18)).padStart(2, '0');
      const takenOn = `${campaign.year}-${String(a.month).padStart(2, '0')}-${day}`;
      const bytes = services.photos.samplePhoto({ dateTimeOriginal: `${takenOn.replace(/-/g, ':')} ${String(9 + p).padStart(2, '0')}:30:00`, description: `demo ${a.themeId} ${p}` });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const storedPath = await services.storage.put(`photos/${campaign.year}/${a.themeId}/${sha256.slice(0, 32)}.jpg`, bytes);
      let imageKey: string | null = null;
      try {
        imageKey = (await services.gateway.uploadImage(bytes)).imageKey;
      } catch {
        imageKey = null;
      }
      list.push({ storedPath, sha256, size: bytes.length, takenOn, imageKey, name: p === 0 ? '活动现场LOGO.jpg' : '座谈现场.jpg' });
    }
    photoFiles.set(a.themeId, list);
  }
  return withContext(services, 'system:demo', async (ctx) => {
    let photos = 0;
    for (const [i, a] of held.entries()) {
      const files = photoFiles.get(a.themeId)!;
      const heldDates = [files[0]!.takenOn];
      const links = {
        media: [`https://www.csx.gov.cn/news/${campaign.year}/${a.themeId.slice(-6)}.html`],
        website: i % 3 === 0 ? [] : [`https://www.csx.gov.cn/zwgkztr/${a.themeId.slice(-6)}/`],
        newMedia: [`https://mp.weixin.qq.com/s/demo${a.themeId.slice(-8)}`],
      };
      let forms: string[] = ['forum'];
      try {
        forms = JSON.parse(a.forms) as string[];
      } catch {
        forms = ['forum'];
      }
      const submittedAt = new Date(Math.min(ctx.now.getTime(), new Date(`${lastOfMonth(campaign.year, a.month)}T08:00:00Z`).getTime()));
      const summary = await ctx.tx.summary.upsert({
        where: { themeId: a.themeId },
        create: { themeId: a.themeId },
        update: {},
        select: { id: true },
      });
      await ctx.tx.summary.update({
        where: { id: summary.id },
        data: {
          status: 'submitted',
          heldDates: JSON.stringify(heldDates),
          formsUsed: JSON.stringify(forms),
          participants: JSON.stringify({ npcDeputies: 2 + (i % 3), cppccMembers: 1 + (i % 2), experts: i % 4, media: 3, citizens: 30 + i * 2 }),
          logoShown: true,
          links: JSON.stringify(links),
          policyReleased: i % 2 === 0,
          opinionsCount: 5 + i,
          surveyAnswers: forms.includes('questionnaire') ? 120 + i * 5 : null,
          summaryText: `${a.unitName}围绕“${a.title}”开展政务公开主题日活动，邀请人大代表、政协委员、群众代表和新闻媒体参与，现场介绍工作推进情况、解读相关政策并听取意见建议。`,
          experience: '活动前通过政务新媒体征集群众关注的问题，活动中逐条回应，活动后在政府网站专栏公开办理结果，形成“征集—回应—公开”闭环。',
          version: 1,
          submittedAt,
          submittedBy: 'system:demo',
        },
      });
      for (const [p, f] of files.entries()) {
        await ctx.tx.attachment.upsert({
          where: { summaryId_sha256: { summaryId: summary.id, sha256: f.sha256 } },
          create: {
            summaryId: summary.id,
            kind: p === 0 ? 'logo_photo' : 'photo',
            feishuKey: f.imageKey,
            storagePath: f.storedPath,
            fileName: f.name,
            mimeType: 'image/jpeg',
            sizeBytes: f.size,
            sha256: f.sha256,
            takenOn: f.takenOn,
            uploadedBy: 'system:demo',
          },
          update: {},
        });
        photos++;
      }
      await recomputeEvidence(ctx.tx, summary.id, ctx.now, 'skipped');
    }
    const criteria = await ensureCriteria(ctx.tx, campaign.id);
    await ctx.tx.evaluation.create({ data: { campaignId: campaign.id, status: 'open', openedBy: 'system:demo', openedAt: ctx.now } });
    await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { status: 'evaluating' } });
    const units = await ctx.tx.unit.findMany({ select: { id: true, name: true } });
    let scores = 0;
    for (const [j, judge] of DEMO_JUDGES.entries()) {
      const unitId = judge.unitKey ? (units.find((u) => u.name === judge.unitKey)?.id ?? null) : null;
      await ctx.tx.judge.upsert({
        where: { campaignId_openId: { campaignId: campaign.id, openId: judge.openId } },
        create: { campaignId: campaign.id, openId: judge.openId, name: judge.name, unitId, addedBy: 'system:demo' },
        update: {},
      });
      for (const [i, a] of held.entries()) {
        if (unitId && a.unitId === unitId) continue; // conflict of interest
        for (const [c, criterion] of criteria.entries()) {
          // Deterministic spread between 5 and 10 in half points.
          const score = Math.min(criterion.maxScore, 5 + ((i * 7 + j * 3 + c * 5) % 11) / 2);
          await ctx.tx.score.create({ data: { campaignId: campaign.id, themeId: a.themeId, judgeOpenId: judge.openId, criterionKey: criterion.key, score } });
          scores++;
        }
      }
    }
    await ctx.audit({ action: 'demo.seed_evaluated', entity: 'Campaign', entityId: campaign.id, after: { summaries: held.length, photos, judges: DEMO_JUDGES.length, scores, criteria: DEFAULT_CRITERIA.length } });
    return { skipped: false, summaries: held.length, photos, judges: DEMO_JUDGES.length, scores };
  });
}
