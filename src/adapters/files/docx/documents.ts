// The desk's three Word documents, built from plain inputs (the desk gathers them from the use cases):
// the 计划安排表, the evaluation announcement, and the year's report to the city.
import { formLabel } from '../../../domain/campaign.ts';
import type { ScheduleRow } from '../../../domain/schedule.ts';
import { TRIM_MIN_JUDGES } from '../../../domain/evaluation.ts';
import { body, heading, signature, subtitle, table, title, writeGongwen } from './gongwen.ts';

export const OFFICE = '长沙县政务公开和政务服务工作领导小组办公室';

/** Table columns from header → width in mm, in order. */
function columns(widths: Record<string, number>): { header: string; widthMm: number }[] {
  return Object.entries(widths).map(([header, widthMm]) => ({ header, widthMm }));
}

const SCHEDULE_DOC_COLUMNS = columns({ 序号: 11, 活动月份: 17, 单位: 28, 活动主题: 46, 活动形式: 22, 联系人: 13, 联系电话: 19 });
/** The ranking table of the evaluation announcement and of the year's report. */
const RANKING_COLUMNS = columns({ 名次: 16, 单位: 42, 活动主题: 72, 得分: 26 });

export interface ScheduleDocInput {
  title: string;
  /** e.g. '第2版' or '未发布稿' */
  edition: string;
  /** 2023年4月20日 */
  dateText: string;
  rows: readonly ScheduleRow[];
}

export async function writeScheduleDocx(input: ScheduleDocInput): Promise<Buffer> {
  const rows = [...input.rows].sort((a, b) => a.month - b.month);
  return writeGongwen(
    [
      title(input.title),
      subtitle(`（${input.edition}）`),
      body(`全县共安排政务公开主题日活动${rows.length}项，按活动月份排列如下。`),
      table(
        SCHEDULE_DOC_COLUMNS,
        rows.map((r, i) => [i + 1, `${r.month}月`, r.unitName, r.title, r.forms.map(formLabel).join('、'), r.contactName, r.contactPhone]),
      ),
      ...signature(OFFICE, input.dateText),
    ],
    { title: input.title },
  );
}

export interface EvaluationDocInput {
  year: number;
  dateText: string;
  judges: number;
  /** the coordinator confirmed the results (winners chosen); before that the document is a draft */
  confirmed: boolean;
  rows: readonly { rank: number | null; tied: boolean; unitName: string; title: string; final: number | null; winner: boolean }[];
}

export function evaluationDocTitle(year: number): string {
  return `关于${year}年度“最佳政务公开主题日活动”评选结果的通报`;
}

/** How the judges' totals became a score (src/domain/evaluation.ts aggregate): trimmed only with enough judges. */
function trimRule(judges: number): string {
  return judges >= TRIM_MIN_JUDGES ? `评委不少于${TRIM_MIN_JUDGES}人的活动去掉一个最高分和一个最低分后取平均分，回避本单位的评委不计` : '取各评委评分的平均分，回避本单位的评委不计';
}

export async function writeEvaluationDocx(input: EvaluationDocInput): Promise<Buffer> {
  const winners = input.rows.filter((r) => r.winner);
  const ranked = input.rows.filter((r) => r.rank !== null);
  return writeGongwen(
    [
      title(evaluationDocTitle(input.year)),
      ...(input.confirmed ? [] : [subtitle('（草稿：评选结果尚未确认，名次按评委已提交的评分计算）')]),
      body('各镇（街道）、县直各单位：', { indent: false }),
      body(`根据《长沙县${input.year}年“政务公开主题日”活动实施方案》，县政务公开办组织${input.judges}名评委，按照评分标准对全年举办的${input.rows.length}项主题日活动进行了评分（${trimRule(input.judges)}）。现将评选结果通报如下。`),
      heading('一、最佳政务公开主题日活动'),
      body(input.confirmed && winners.length > 0 ? winners.map((w) => `${w.unitName}：${w.title}`).join('；') + '。' : '评选结果尚未确认。'),
      heading('二、评分排名'),
      table(
        RANKING_COLUMNS,
        ranked.map((r) => [`${r.rank}${r.tied ? '（并列）' : ''}`, r.unitName, r.title, r.final === null ? '' : r.final.toFixed(2)]),
      ),
      body(input.confirmed ? '希望受表扬的单位再接再厉，各单位学习借鉴典型经验做法，持续提升政务公开工作质效。' : '评选结果经确认后另行通报。'),
      ...signature(OFFICE, input.dateText),
    ],
    { title: evaluationDocTitle(input.year) },
  );
}

export interface ReportDocInput {
  year: number;
  dateText: string;
  units: { total: number; submitted: number };
  activities: { planned: number; held: number };
  byForm: readonly { label: string; count: number }[];
  /** index 0 = January */
  byMonth: readonly number[];
  publicity: { media: number; website: number; newMedia: number };
  logoShown: { yes: number; of: number };
  evaluation: readonly { rank: number | null; unitName: string; title: string; final: number | null; winner: boolean }[];
  experiences: readonly { unitName: string; title: string; text: string }[];
  evidence: readonly { unitName: string; title: string; heldDates: string; photos: number; links: number; summary: boolean }[];
}

export function reportDocTitle(year: number): string {
  return `长沙县${year}年政务公开主题日活动开展情况的报告`;
}

export async function writeReportDocx(r: ReportDocInput): Promise<Buffer> {
  const monthsText = r.byMonth
    .map((n, i) => (n > 0 ? `${i + 1}月${n}项` : ''))
    .filter(Boolean)
    .join('，');
  const top = r.evaluation.filter((e) => e.rank !== null).slice(0, 10);
  return writeGongwen(
    [
      title(reportDocTitle(r.year)),
      body('市政务公开办：', { indent: false }),
      body(`按照政务公开工作要点和《长沙县${r.year}年“政务公开主题日”活动实施方案》要求，我县组织全县各镇（街道）、县直各单位开展政务公开主题日活动。现将有关情况报告如下。`),
      heading('一、基本情况'),
      body(`全县应申报单位${r.units.total}个，提交申报${r.units.submitted}个；计划安排活动${r.activities.planned}项，已举办并提交总结${r.activities.held}项。`),
      heading('二、活动开展情况'),
      body(`按活动形式：${r.byForm.map((f) => `${f.label}${f.count}项`).join('，') || '无'}。按月份：${monthsText || '无'}。`),
      table(
        columns({ 活动形式: 60, '活动数（项）': 96 }),
        r.byForm.map((f) => [f.label, f.count]),
      ),
      heading('三、宣传报道情况'),
      body(`各单位报送媒体报道${r.publicity.media}篇次、政府网站发布${r.publicity.website}篇次、政务新媒体发布${r.publicity.newMedia}篇次；${r.logoShown.of}项已举办活动中${r.logoShown.yes}项在现场展示了政务公开主题日LOGO。`),
      heading('四、评选结果'),
      top.length > 0
        ? table(
            RANKING_COLUMNS,
            top.map((e) => [`${e.rank}${e.winner ? '（最佳）' : ''}`, e.unitName, e.title, e.final === null ? '' : e.final.toFixed(2)]),
          )
        : body('评选尚未完成。'),
      heading('五、典型经验做法'),
      ...(r.experiences.length > 0 ? r.experiences.flatMap((x, i) => [heading(`（${'一二三四五六七八九十'[i] ?? i + 1}）${x.unitName}：${x.title}`, 2), body(x.text)]) : [body('暂无。')]),
      body('附件：佐证材料清单', { indent: true }),
      ...signature(OFFICE, r.dateText),
      heading('附件'),
      subtitle('佐证材料清单'),
      table(
        columns({ 序号: 11, 单位: 30, 活动主题: 50, 举办日期: 25, 照片: 12, 链接: 12, 总结: 16 }),
        r.evidence.map((e, i) => [i + 1, e.unitName, e.title, e.heldDates, e.photos, e.links, e.summary ? '已提交' : '未提交']),
      ),
    ],
    { title: reportDocTitle(r.year) },
  );
}
