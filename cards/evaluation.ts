// Evaluation (最佳政务公开主题日活动评选) cards: the rubric, the judge's list and scoring card, the
// coordinator's progress/ranking card with winner confirmation and exports, the announcement. Pure.
import { strong, colored, fitCard, bold, button, buttonRow, card, escapeMarkdown, form, formButton, input, markdown, mention, multiSelect, note, select, plain, table, tableOr, type CardElement, type CardJson } from './kit.ts';
import type { Criterion } from '../src/domain/evaluation.ts';
import type { SummaryValues } from '../src/domain/summary.ts';
import type { EvidenceCheck } from '../src/domain/evidence.ts';
import { summaryValueElements } from './summary.ts';
import { evidenceElements } from './evidence.ts';
import { barChart } from './chart.ts';
import { evaluationActions } from './actions.ts';

/** Cards stay well under Feishu's 30 KB: long lists are capped (the exports have everything). */
const MAX_OPTIONS = 80;
const MAX_RANK_ROWS = 60;

function red(msg: string | undefined): CardElement[] {
  return msg ? [markdown(`<font color='red'>⚠ ${escapeMarkdown(msg)}</font>`, { text_size: 'notation' })] : [];
}

export function criteriaCard(v: { year: number; criteria: Criterion[]; editable: boolean; typed?: { name: string; weight: string; maxScore: string }[]; errors?: Record<string, string>; notice?: string }): CardJson {
  const elements: CardElement[] = [
    markdown(`${v.year} 年最佳政务公开主题日活动评分标准。每位评委对每项标准打分，加权总分 = Σ 得分 ÷ 满分 × 权重（满分 100）；评委 5 人及以上时去掉一个最高分和一个最低分后取平均。`),
    table(
      [
        { name: 'name', display_name: '评分标准', width: '140px' },
        { name: 'weight', display_name: '权重', data_type: 'number', width: '70px' },
        { name: 'max', display_name: '满分', data_type: 'number', width: '70px' },
        { name: 'desc', display_name: '说明' },
      ],
      v.criteria.map((c) => ({ name: c.name, weight: c.weight, max: c.maxScore, desc: c.description })),
    ),
  ];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  if (v.editable) {
    const rows = v.typed ?? [...v.criteria.map((c) => ({ name: c.name, weight: String(c.weight), maxScore: String(c.maxScore) })), { name: '', weight: '', maxScore: '' }];
    const fields: CardElement[] = [markdown(`${bold('修改评分标准')}（名称、权重、满分；留空的行忽略；权重之和须为 100）`)];
    rows.slice(0, 8).forEach((r, i) => {
      fields.push(
        {
          tag: 'column_set',
          flex_mode: 'none',
          horizontal_spacing: 'small',
          columns: [
            { tag: 'column', width: 'weighted', weight: 3, elements: [input(`name_${i}`, { label: `第 ${i + 1} 项`, placeholder: '名称', value: r.name, maxLength: 20 })] },
            { tag: 'column', width: 'weighted', weight: 1, elements: [input(`weight_${i}`, { label: '权重', placeholder: '25', value: r.weight, maxLength: 6 })] },
            { tag: 'column', width: 'weighted', weight: 1, elements: [input(`max_${i}`, { label: '满分', placeholder: '10', value: r.maxScore, maxLength: 3 })] },
          ],
        },
        ...red(v.errors?.[`name_${i}`]),
        ...red(v.errors?.[`weight_${i}`]),
        ...red(v.errors?.[`max_${i}`]),
      );
    });
    fields.push(formButton('criteria_save', '保存评分标准', evaluationActions.criteriaSave.value({ rows: Math.min(rows.length, 8) })));
    elements.push(form('criteria_form', fields));
  } else {
    elements.push(note('已有评委打分，评分标准不能再修改。'));
  }
  return card({ title: '评分标准', template: 'violet', elements });
}

export interface JudgeItem {
  themeId: string;
  label: string;
  state: 'scored' | 'todo' | 'conflict';
  total?: number;
}

export function judgeHomeCard(v: { year: number; judgeName: string; items: JudgeItem[]; closed: boolean; notice?: string }): CardJson {
  const todo = v.items.filter((i) => i.state === 'todo');
  const scored = v.items.filter((i) => i.state === 'scored');
  const conflict = v.items.filter((i) => i.state === 'conflict');
  const elements: CardElement[] = [
    markdown(
      `${escapeMarkdown(v.judgeName)}，您好！${v.year} 年最佳政务公开主题日活动评选共 ${v.items.length} 项活动：已评 ${strong(scored.length)} 项，待评 ${strong(todo.length)} 项${conflict.length ? `，本单位活动 ${conflict.length} 项回避` : ''}。`,
    ),
  ];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  if (v.closed) {
    elements.push(markdown('评分已结束，感谢您的参与。'));
  } else {
    const selectable = v.items.filter((i) => i.state !== 'conflict');
    if (selectable.length > 0) {
      elements.push(
        form('judge_pick_form', [
          select('themeId', {
            placeholder: '选择活动（已评的可修改）',
            options: selectable.slice(0, MAX_OPTIONS).map((i) => ({ label: `${i.state === 'scored' ? '✔ ' : ''}${i.label}`.slice(0, 40), value: i.themeId })),
            required: true,
          }),
          formButton('judge_pick_submit', '去评分', evaluationActions.pick.value({}), { type: 'default' }),
        ]),
      );
    }
    if (todo.length > 0) elements.push(buttonRow([button(`评下一项（剩 ${todo.length} 项）`, evaluationActions.next.value({}), { type: 'primary' })]));
    // Nothing to pick: say why, rather than leave an invitation with nothing under it.
    else if (selectable.length === 0) elements.push(markdown(v.items.length === 0 ? '目前还没有参加评选的活动（提交了活动总结的活动才参加评选），请稍后发送“评分”查看。' : '参加评选的活动都是您本单位的，按规定回避，您无需评分。'));
  }
  if (conflict.length > 0)
    elements.push(
      note(
        `回避（本单位活动，不参与评分）：${escapeMarkdown(
          conflict
            .map((c) => c.label)
            .join('；')
            .slice(0, 300),
        )}`,
      ),
    );
  return card({ title: '最佳政务公开主题日活动评分', template: 'violet', elements });
}

export interface ScoreCardView {
  themeId: string;
  unitName: string;
  title: string;
  month: number;
  values: Partial<SummaryValues>;
  photoCount: number;
  imageKeys: string[];
  photoNames: string[];
  evidence?: EvidenceCheck;
  criteria: Criterion[];
  typed: Record<string, string>;
  comment: string;
  errors: Record<string, string>;
  position: string;
  notice?: string;
}

export function scoreCard(v: ScoreCardView): CardJson {
  // The unit is in the header; the body starts with what is scored.
  const elements: CardElement[] = [markdown(`${bold(v.title)}\n${v.month}月活动`)];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  elements.push(...summaryValueElements(v.values));
  elements.push(markdown(`${bold('活动照片')}：${v.photoCount} 张${v.photoCount > 0 && v.imageKeys.length === 0 ? `（${escapeMarkdown(v.photoNames.slice(0, 5).join('、'))}${v.photoNames.length > 5 ? ' 等' : ''}）` : ''}`));
  if (v.imageKeys.length > 0) {
    elements.push({
      tag: 'column_set',
      flex_mode: 'none',
      horizontal_spacing: 'small',
      columns: v.imageKeys
        .slice(0, 3)
        .map((k, i) => ({ tag: 'column', width: 'weighted', weight: 1, elements: [{ tag: 'img', img_key: k, alt: { tag: 'plain_text', content: `活动照片 ${i + 1}` }, scale_type: 'crop_center', preview: true }] })),
    });
  }
  if (v.evidence) elements.push(...evidenceElements(v.evidence, { forJudge: true }));
  const fields: CardElement[] = [markdown(`${bold('评分')}（${escapeMarkdown(v.position)}）`)];
  for (const c of v.criteria) {
    // The guidance stays visible above the field (a placeholder is cut on phones and gone once typing starts).
    if (c.description) fields.push(note(`${escapeMarkdown(c.name)}：${escapeMarkdown(c.description)}`));
    fields.push(input(`c_${c.key}`, { label: `${c.name}（0–${c.maxScore} 分，权重 ${c.weight}）`, placeholder: `0–${c.maxScore}`, value: v.typed[c.key] ?? '', maxLength: 5 }), ...red(v.errors[c.key]));
  }
  fields.push(input('comment', { label: '评语（可选）', placeholder: '亮点与不足', value: v.comment, multiline: true, rows: 2, maxLength: 300 }));
  fields.push(formButton('score_submit', '提交评分', evaluationActions.score.value({ themeId: v.themeId })));
  elements.push(form('score_form', fields));
  elements.push(buttonRow([button('返回评分列表', evaluationActions.home.value({}), { size: 'small' })]));
  return card({ title: `评分 · ${v.unitName}`, template: 'violet', summary: `评分：${v.title}`, elements });
}

export interface RankingRow {
  themeId: string;
  rankLabel: string;
  unitName: string;
  title: string;
  final?: number;
  judges: number;
  trimmed: boolean;
}

export interface JudgeProgress {
  name: string;
  unitName: string;
  scored: number;
  eligible: number;
}

/** Score bands of the distribution chart: [label, lowest score in the band]. */
const SCORE_BANDS: [string, number][] = [
  ['60 以下', -Infinity],
  ['60–69', 60],
  ['70–79', 70],
  ['80–89', 80],
  ['90–100', 90],
];

/** How the final scores spread over the bands (a bar per band), or null before any score. */
export function scoreDistributionChart(ranking: RankingRow[]): CardElement | null {
  const finals = ranking.map((r) => r.final).filter((f): f is number => f !== undefined);
  if (finals.length === 0) return null;
  const bandOf = (score: number): number => SCORE_BANDS.reduce((at, [, min], i) => (score >= min ? i : at), 0);
  const counts = SCORE_BANDS.map(() => 0);
  for (const f of finals) counts[bandOf(f)] = (counts[bandOf(f)] ?? 0) + 1;
  return barChart({
    title: `得分分布（已评 ${finals.length} 项）`,
    heightPx: 220,
    data: SCORE_BANDS.map(([label], i) => ({ category: label, value: counts[i] ?? 0 })),
  });
}

export interface EvaluationProgressView {
  year: number;
  statusLabel: string;
  criteria: Criterion[];
  judges: JudgeProgress[];
  ranking: RankingRow[];
  defaultWinners: string[];
  winners: string[];
  canConfirm: boolean;
  notice?: string;
  /** readiness warnings with counts (judges, summaries), shown before confirming */
  readiness?: string[];
}

/** Ranking rows and winner choices listed, most first (measured, see evaluationProgressCard). */
const PROGRESS_LEVELS = [
  { rows: MAX_RANK_ROWS, options: MAX_OPTIONS },
  { rows: 40, options: 50 },
  { rows: 30, options: 30 },
  { rows: 20, options: 20 },
  { rows: 10, options: 10 },
];

/**
 * The coordinator's ranking. With ~75+ scored activities the full ranking table and the winner
 * choices cross Feishu's 30 KB body limit, so the card lists the top of the ranking that fits
 * (the exports have everything).
 */
export function evaluationProgressCard(v: EvaluationProgressView): CardJson {
  return fitCard(PROGRESS_LEVELS.map((level) => () => buildEvaluationProgressCard(v, level)));
}

function buildEvaluationProgressCard(v: EvaluationProgressView, level: { rows: number; options: number }): CardJson {
  const elements: CardElement[] = [
    markdown(`${bold(`${v.year} 年最佳政务公开主题日活动评选`)}\u3000状态：${v.statusLabel}\n评分标准：${v.criteria.map((c) => `${escapeMarkdown(c.name)} ${c.weight}`).join('、')}（总分 100；评委 ≥5 人时去掉一个最高分和一个最低分）`),
  ];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  elements.push(
    tableOr(
      '还没有评委。发送“添加评委 @某人 单位名”添加。',
      [
        { name: 'name', display_name: '评委', width: '90px' },
        { name: 'unit', display_name: '单位', width: '120px' },
        { name: 'progress', display_name: '已评/应评' },
      ],
      v.judges.map((j) => ({ name: j.name, unit: j.unitName || '—', progress: `${j.scored}/${j.eligible}` })),
    ),
  );
  if (v.ranking.length > 0) {
    const shown = v.ranking.slice(0, level.rows);
    const distribution = scoreDistributionChart(v.ranking);
    if (distribution) elements.push(distribution);
    elements.push(
      table(
        [
          { name: 'rank', display_name: '名次', width: '80px' },
          { name: 'unit', display_name: '单位', width: '110px' },
          { name: 'title', display_name: '活动主题' },
          { name: 'score', display_name: '得分', width: '70px' },
          { name: 'n', display_name: '评委数', width: '70px' },
        ],
        shown.map((r) => ({ rank: r.rankLabel, unit: r.unitName, title: r.title.slice(0, 30), score: r.final === undefined ? '—' : r.final.toFixed(2), n: r.trimmed ? `${r.judges}（计 ${r.judges - 2}）` : String(r.judges) })),
      ),
    );
    if (v.ranking.length > shown.length) elements.push(note(`仅显示前 ${shown.length} 名，完整排名请导出评选汇总表。`));
    // Ties are reported, not hidden — grouped by place: names where they decide the awards
    // (the top three places), counts further down, so the card stays readable.
    const tieGroups = new Map<string, typeof shown>();
    for (const r of shown.filter((x) => x.rankLabel.includes('并列'))) tieGroups.set(r.rankLabel, [...(tieGroups.get(r.rankLabel) ?? []), r]);
    if (tieGroups.size > 0) {
      const parts = [...tieGroups.entries()].map(([label, rows]) => {
        const place = Number.parseInt(label, 10);
        const who = place <= 3 ? `：${rows.map((t) => `${escapeMarkdown(t.unitName)}「${escapeMarkdown(t.title.slice(0, 16))}」`).join('、')}` : '';
        return `第 ${place} 名 ${rows.length} 项并列${who}`;
      });
      elements.push(markdown(`<font color='orange'>有并列名次——${parts.join('；')}。请在确认获奖名单时决定。</font>`));
    }
  } else elements.push(markdown('还没有已提交总结的活动。'));
  if (v.winners.length > 0) {
    const names = v.ranking.filter((r) => v.winners.includes(r.themeId)).map((r) => `${escapeMarkdown(r.unitName)}「${escapeMarkdown(r.title)}」`);
    elements.push(markdown(`${bold('获奖名单')}：${names.join('、')}`));
  }
  if (v.canConfirm && v.ranking.some((r) => r.final !== undefined)) {
    // The default winners are always among the choices, then the ranking from the top.
    const scoredAll = v.ranking.filter((r) => r.final !== undefined);
    const keep = new Set([...scoredAll.slice(0, level.options).map((r) => r.themeId), ...v.defaultWinners]);
    const scored = scoredAll.filter((r) => keep.has(r.themeId));
    const warnings = v.readiness ?? [];
    if (warnings.length > 0) elements.push(markdown(`${colored('orange', `${bold('公布前请注意')}：`)}\n${warnings.map((w) => `· ${escapeMarkdown(w)}`).join('\n')}`));
    const confirmText = `确认后将向所有单位群公布评选结果，且不能再修改评分。${warnings.length > 0 ? `\n注意：${warnings.join('')}` : ''}`.slice(0, 400);
    elements.push(
      form('winners_form', [
        markdown(`${bold('确认获奖名单')}（默认勾选前 3 名，并列的一并勾选；可增删）`),
        multiSelect('winners', {
          placeholder: '选择获奖活动',
          options: scored.map((r) => ({ label: `${r.rankLabel} ${r.unitName} · ${r.title}`.slice(0, 40), value: r.themeId })),
          values: v.defaultWinners.filter((w) => scored.some((r) => r.themeId === w)),
        }),
        formButton('winners_submit', '确认并公布', evaluationActions.confirm.value({}), {
          type: warnings.length > 0 ? 'danger' : 'primary',
          confirm: { title: warnings.length > 0 ? '评选尚未齐备，仍要公布？' : '确认获奖名单', text: confirmText },
        }),
      ]),
    );
  }
  elements.push(
    buttonRow([
      button('刷新', evaluationActions.progress.value({}), { size: 'small' }),
      button('评分标准', evaluationActions.criteria.value({}), { size: 'small' }),
      button('导出评选汇总表', evaluationActions.exportXlsx.value({}), { size: 'small' }),
      button('导出证据包', evaluationActions.exportEvidence.value({}), { size: 'small' }),
    ]),
  );
  return card({ title: '评选进度与排名', template: 'violet', elements });
}

export function announcementCard(v: { year: number; winners: { unitName: string; title: string; rankLabel: string; final?: number }[] }): CardJson {
  const lines = v.winners.map((w, i) => `${i + 1}. ${bold(w.unitName)}「${escapeMarkdown(w.title)}」${w.final !== undefined ? `\u3000${w.final.toFixed(2)} 分` : ''}${w.rankLabel.includes('并列') ? '（并列）' : ''}`);
  return card({
    title: `${v.year}年“最佳政务公开主题日活动”评选结果`,
    template: 'red',
    summary: `${v.year}年最佳政务公开主题日活动评选结果`,
    elements: [markdown(`经评委评分、县政务公开办确认，以下活动获评 ${v.year} 年“最佳政务公开主题日活动”：`), markdown(lines.join('\n')), note('感谢各单位的积极参与。典型经验做法将由县政务公开办推介并向市政务公开办推荐。')],
  });
}

export function judgeInviteLine(openId: string, year: number): string {
  return `${mention(openId)} 您已被邀请担任 ${year} 年最佳政务公开主题日活动评委。`;
}

/** 添加评委 with a name several people share: one button per person in the directory. */
export function judgeChoiceCard(v: { choices: { name: string; candidates: { openId: string; name: string; unitName: string }[] }[] }): CardJson {
  const elements: CardElement[] = [];
  for (const c of v.choices) {
    elements.push(markdown(`名录中有 ${c.candidates.length} 位“${escapeMarkdown(c.name)}”，请选择要添加为评委的人：`));
    elements.push(buttonRow(c.candidates.map((p) => button(`${p.name}（${p.unitName}）`.slice(0, 30), evaluationActions.addJudgePick.value({ openId: p.openId }), { size: 'small' }))));
  }
  return card({ title: '添加评委：请选择', template: 'violet', elements, summary: '添加评委：请选择' });
}

/**
 * `添加评委` without a name: Feishu's person picker (Card JSON 2.0 `multi_select_person` in a form; its
 * options are the directory's people, so the coordinator can pick anyone, not only this chat's members).
 * `options[].value` takes open_ids only (empty options = the chat's members); inside a form the picked
 * open_ids arrive as an array in form_value. Per Feishu's component reference 人员选择-多选 (Card JSON 2.0,
 * as summarised in larksuite/cli skills/lark-im/references/card/components/multi_select_person.md).
 */
export function judgePickerCard(v: { year: number; people: { openId: string }[]; judges: { name: string; unitName: string }[]; notice?: string }): CardJson {
  const elements: CardElement[] = [];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  elements.push(
    form('judge_picker_form', [
      markdown(`选择 ${v.year} 年评选的评委（名录中的任何人，可多选）。评委所在单位的活动会自动回避。`),
      {
        tag: 'multi_select_person',
        name: 'judges',
        required: true,
        width: 'fill',
        placeholder: plain('搜索或选择人员'),
        options: v.people.map((p) => ({ value: p.openId })),
      },
      formButton('judge_picker_submit', '添加为评委', evaluationActions.addJudgesPicked.value({}), { type: 'primary' }),
    ]),
  );
  const current = v.judges.map((j) => `${escapeMarkdown(j.name)}${j.unitName ? `（${escapeMarkdown(j.unitName)}）` : ''}`);
  elements.push(note(current.length > 0 ? `已有评委 ${current.length} 位：${current.join('、')}` : '还没有评委。'));
  return card({ title: `添加评委 · ${v.year}年`, template: 'violet', elements, summary: '添加评委：请选择' });
}
