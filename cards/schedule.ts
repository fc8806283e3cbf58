// Schedule cards: the coordinator's working view (balance checks, month moves, publish), the
// published 计划安排表 for groups, change notices and month-move confirmations. Pure builders.
import { strong, bold, boldLine, button, buttonRow, card, escapeMarkdown, field, form, formButton, hr, input, markdown, mention, note, select, type CardElement, type CardJson } from './kit.ts';
import { formLabel } from '../src/domain/campaign.ts';
import { maskPhone } from '../src/domain/phone.ts';
import { describeChange, describeWarning, groupByMonth, orderToken, sortRows, type BalanceWarning, type ScheduleChange, type ScheduleRow } from '../src/domain/schedule.ts';
import { scheduleActions } from './actions.ts';
import { countByDomain } from '../src/domain/theme-domains.ts';

/** Above this many activities the move form asks for the row number instead of a long list. */
export const MOVE_SELECT_MAX = 30;

/** Cards stay under Feishu's 30 KB: a big schedule is shown with less detail per row. */
const SIZE_BUDGET = 26_000;

interface Detail {
  contact: boolean;
  forms: boolean;
  titleClip?: number;
  /** rows listed per month (the rest are counted) */
  perMonth?: number;
}
const LEVELS: Detail[] = [
  { contact: true, forms: true },
  { contact: false, forms: true },
  { contact: false, forms: false, titleClip: 18 },
  { contact: false, forms: false, titleClip: 12, perMonth: 8 },
  { contact: false, forms: false, titleClip: 10, perMonth: 3 },
];

function clip(s: string, n: number | undefined): string {
  if (n === undefined) return s;
  const chars = [...s];
  return chars.length > n ? `${chars.slice(0, n).join('')}…` : s;
}

interface LineOptions {
  star: boolean;
  month?: boolean;
  no?: number;
  detail: Detail;
}

function rowLine(r: ScheduleRow, o: LineOptions): string {
  const forms = o.detail.forms ? `｜${r.forms.map(formLabel).join('、')}` : '';
  // Always masked: these cards go to groups; full numbers are in the Excel sent privately to coordinators.
  const phone = r.contactPhone ? ` ${maskPhone(r.contactPhone)}` : '';
  const contact = o.detail.contact && (r.contactName || phone) ? `｜${escapeMarkdown(r.contactName)}${escapeMarkdown(phone)}` : '';
  return `${o.no !== undefined ? `${o.no}、` : ''}${o.star ? '★ ' : ''}${o.month ? `${r.month}月｜` : ''}${bold(r.unitName)}｜${escapeMarkdown(clip(r.title, o.detail.titleClip))}${forms}${contact}`;
}

function monthSections(rows: readonly ScheduleRow[], o: { highlightUnitId?: string; numbered?: boolean; detail: Detail }): CardElement[] {
  const numbers = new Map(sortRows(rows).map((r, i) => [r.themeId, i + 1]));
  return groupByMonth(rows).map((g) => {
    const shown = o.detail.perMonth !== undefined ? g.rows.slice(0, o.detail.perMonth) : g.rows;
    const lines = shown.map((r) => rowLine(r, { star: r.unitId === o.highlightUnitId, no: o.numbered ? numbers.get(r.themeId) : undefined, detail: o.detail }));
    if (shown.length < g.rows.length) lines.push(`……另有 ${g.rows.length - shown.length} 项`);
    return markdown(`${bold(`${g.month}月`)}（${g.rows.length} 项）\n${lines.join('\n')}`);
  });
}

function detailNote(d: Detail, where: string): CardElement[] {
  if (d.contact) return [];
  return [note(d.perMonth !== undefined ? `活动较多，卡片中每月只列出部分活动并省略联系人；完整计划见${where}。` : `活动较多，卡片中省略了联系人${d.forms ? '' : '和活动形式'}；完整信息见${where}。`)];
}

function withinBudget(build: (d: Detail) => CardJson): CardJson {
  let card: CardJson | undefined;
  for (const level of LEVELS) {
    card = build(level);
    if (Buffer.byteLength(JSON.stringify(card)) <= SIZE_BUDGET) return card;
  }
  return card!;
}

/** A unit with no activity in the plan while 申报 is still open to it, and until when. */
export interface UnitApplication {
  /** not_adopted: its themes were all 不采纳 (it may revise and submit again) */
  state: 'not_submitted' | 'in_review' | 'not_adopted';
  /** e.g. 2027年4月7日 */
  until: string;
}

export interface PublishedScheduleVm {
  title: string;
  version: number;
  publishedAt: string;
  rows: ScheduleRow[];
  /** the unit whose group this is: its rows come first and carry ★ */
  unit?: { id: string; name: string };
  /** that unit has no activity in this version but may still apply (its rows are then empty) */
  application?: UnitApplication;
  changes?: ScheduleChange[];
  calendarNote?: string;
}

/** What a unit without activities in the plan is told: it may still apply (or revise what was not adopted), its themes are in review, or nothing this year. */
function noActivityText(application: UnitApplication | undefined): string {
  if (application?.state === 'not_submitted') return `尚未申报，本版计划暂无本单位的活动。申报开放至 ${application.until}：发送“填写申报表”提交主题，审核通过后列入下一版计划。`;
  if (application?.state === 'in_review') return `申报的主题正在审核，本版计划暂无本单位的活动；审核通过后列入下一版计划。`;
  if (application?.state === 'not_adopted') return `申报的主题未被采纳，本版计划暂无本单位的活动。申报开放至 ${application.until}：可发送“填写申报表”修改主题或另报主题，重新提交后再次审核。`;
  return '本年度暂无列入计划的活动。';
}

export function publishedScheduleCard(vm: PublishedScheduleVm): CardJson {
  return withinBudget((detail) => {
    const elements: CardElement[] = [markdown(`第 ${vm.version} 版\u3000${vm.publishedAt} 发布\u3000共 ${vm.rows.length} 项活动`)];
    if (vm.unit) {
      const own = vm.rows.filter((r) => r.unitId === vm.unit!.id);
      if (own.length > 0) {
        elements.push(
          markdown(`${boldLine(`本单位活动（${vm.unit.name}）`)}\n${own.map((r) => rowLine(r, { star: true, month: true, detail: LEVELS[0]! })).join('\n')}`),
          note('请按计划月份组织开展活动，活动现场设置“政务公开主题日”LOGO 醒目标识，活动后及时报送总结。'),
        );
      } else elements.push(markdown(`${bold('本单位活动')}：${escapeMarkdown(vm.unit.name)}${noActivityText(vm.application)}`));
    }
    if (vm.changes && vm.changes.length > 0) {
      elements.push(
        hr(),
        markdown(
          `${bold('本版变更')}\n${vm.changes
            .slice(0, 30)
            .map((c) => `· ${escapeMarkdown(describeChange(c))}`)
            .join('\n')}`,
        ),
      );
    }
    elements.push(hr(), ...monthSections(vm.rows, { highlightUnitId: vm.unit?.id, detail }), ...detailNote(detail, '计划安排表 Excel（向县政务公开办索取）'));
    if (vm.calendarNote) elements.push(note(escapeMarkdown(vm.calendarNote)));
    return card({ title: vm.title, subtitle: '县政务公开和政务服务工作领导小组办公室', template: 'blue', elements, summary: `${vm.title}（第${vm.version}版）` });
  });
}

export interface ChangeNoticeVm {
  title: string;
  version: number;
  publishedAt: string;
  unit: { id: string; name: string };
  liaisonOpenIds: string[];
  changes: ScheduleChange[];
  ownRows: ScheduleRow[];
}

/** A later version, told only to the units it touches: what changed for them and their rows now. */
export function scheduleChangeNoticeCard(vm: ChangeNoticeVm): CardJson {
  const mentions = vm.liaisonOpenIds.map(mention).filter(Boolean).join(' ');
  const elements: CardElement[] = [
    markdown(`${mentions ? `${mentions} ` : ''}计划安排表已更新为第 ${vm.version} 版（${vm.publishedAt}），涉及本单位的变更：\n${vm.changes.map((c) => `· ${escapeMarkdown(describeChange(c))}`).join('\n')}`),
    markdown(
      vm.ownRows.length > 0
        ? `${boldLine(`本单位活动（${vm.unit.name}）`)}\n${vm.ownRows.map((r) => rowLine(r, { star: true, month: true, detail: LEVELS[0]! })).join('\n')}`
        : `${bold('本单位活动')}：${escapeMarkdown(vm.unit.name)}本年度暂无列入计划的活动。`,
    ),
    note('发送“计划安排表”可查看全县完整计划。'),
  ];
  return card({ title: `${vm.title}：第 ${vm.version} 版变更`, template: 'orange', elements, summary: '计划安排表已更新' });
}

export interface ScheduleWorkVm {
  /** the campaign the card's buttons act on (two campaigns are alive in December) */
  campaignId?: string;
  title: string;
  campaignStatus: string;
  rows: ScheduleRow[];
  warnings: BalanceWarning[];
  published?: { version: number; at: string; pendingChanges: number };
  pendingMoves: { themeId: string; unitName: string; title: string; from: number; to: number }[];
  moveMode: 'confirm' | 'notify';
  /** re-shown after a refused move */
  moveDraft?: { themeId?: string; no?: string; month?: string; error?: string };
  /** the campaign's 主题领域: the selected activities are counted by them */
  domains?: readonly string[];
}

/** `按主题领域` counts of the selected activities (empty ones are flagged by the balance checks). */
function domainCountLine(rows: readonly ScheduleRow[], domains: readonly string[] | undefined): CardElement[] {
  if (!domains || domains.length === 0 || rows.length === 0) return [];
  const { counts, untagged } = countByDomain(
    rows.map((r) => ({ domains: r.domains ?? [] })),
    domains,
  );
  const parts = counts.map((c) => `${escapeMarkdown(c.domain)} ${c.count}`);
  if (untagged > 0) parts.push(`未选领域 ${untagged}`);
  return [markdown(field('按主题领域', parts.join('\u3000')))];
}

function warningsBlock(warnings: readonly BalanceWarning[]): CardElement {
  if (warnings.length === 0) return markdown("<font color='green'>均衡检查：未发现问题</font>");
  const shown = warnings.slice(0, 20).map((w) => `· ${escapeMarkdown(describeWarning(w))}`);
  if (warnings.length > 20) shown.push(`· 另有 ${warnings.length - 20} 条`);
  return markdown(`<font color='orange'>均衡检查（${warnings.length} 条提示）</font>\n${shown.join('\n')}`);
}

const campaignRef = (vm: { campaignId?: string }): { campaignId?: string } => (vm.campaignId ? { campaignId: vm.campaignId } : {});

/** The coordinator's working view: the current approved set, balance checks, move form, publish. */
export function scheduleWorkCard(vm: ScheduleWorkVm): CardJson {
  return withinBudget((detail) => {
    const status = vm.published ? `已发布第 ${vm.published.version} 版（${vm.published.at}）${vm.published.pendingChanges > 0 ? `，之后有 ${vm.published.pendingChanges} 处变更未发布` : '，与当前一致'}` : '尚未发布';
    const elements: CardElement[] = [markdown(`入选活动 ${strong(vm.rows.length)} 项\u3000${status}`), warningsBlock(vm.warnings), ...domainCountLine(vm.rows, vm.domains)];
    if (vm.pendingMoves.length > 0) {
      elements.push(markdown(`${bold('待单位确认的月份调整')}\n${vm.pendingMoves.map((m) => `· ${escapeMarkdown(m.unitName)}「${escapeMarkdown(m.title)}」${m.from}月 → ${m.to}月`).join('\n')}`));
    }
    elements.push(hr(), ...monthSections(vm.rows, { numbered: true, detail }), ...detailNote(detail, '导出的 Excel'));
    if (vm.rows.length > 0) {
      // Few rows: pick from a list; many: type the row's number (the same 序号 as in the Excel).
      const bySelect = vm.rows.length <= MOVE_SELECT_MAX;
      const sorted = sortRows(vm.rows);
      const formElements: CardElement[] = [
        markdown(`${bold('调整月份')}（${vm.moveMode === 'confirm' ? '需单位确认' : '直接调整并通知单位'}）`),
        bySelect
          ? select('theme', { placeholder: '选择活动', options: sorted.map((r, i) => ({ label: clip(`${i + 1}. ${r.month}月｜${r.unitName}｜${r.title}`, 40), value: r.themeId })), value: vm.moveDraft?.themeId, required: true })
          : input('no', { label: '活动编号（上方列表中的序号）', placeholder: '例如 12', value: vm.moveDraft?.no, required: true, maxLength: 4 }),
        select('month', { placeholder: '调整到', options: Array.from({ length: 12 }, (_, i) => ({ label: `${i + 1}月`, value: String(i + 1) })), value: vm.moveDraft?.month, required: true }),
      ];
      if (vm.moveDraft?.error) formElements.push(markdown(`<font color='red'>${escapeMarkdown(vm.moveDraft.error)}</font>`));
      formElements.push(formButton('move_submit', '调整月份', scheduleActions.move.value({ order: orderToken(vm.rows), ...campaignRef(vm) }), { type: 'default' }));
      elements.push(hr(), form('schedule_move', formElements));
    }
    elements.push(hr(), buttonRow([button('发布计划', scheduleActions.publishAsk.value(campaignRef(vm)), { type: 'primary' }), button('刷新', scheduleActions.view.value(campaignRef(vm)), { type: 'default' })]));
    return card({ title: `${vm.title}（编排中）`, template: 'indigo', elements, summary: '计划安排表编排' });
  });
}

/** What publishing does to 申报 when it is still open (see domain/campaign-stage). */
export interface PublishClosingVm {
  /** the campaign deadline has not passed */
  beforeDeadline: boolean;
  /** consequence lines: who has not submitted, who keeps an extension, what closes */
  lines: string[];
}

export function publishConfirmCard(vm: {
  campaignId?: string;
  title: string;
  count: number;
  unitCount: number;
  warnings: BalanceWarning[];
  pendingMoves: number;
  nextVersion: number;
  changes: number;
  affectedUnits: number;
  /** submitted themes left out because their review is not done (awaiting it, returned for revision) */
  notReviewed?: { pending: number; returned: number };
  closing?: PublishClosingVm;
}): CardJson {
  const lines = [
    `即将发布 ${bold(`第 ${vm.nextVersion} 版`)}：${vm.count} 项活动，${vm.unitCount} 个单位。`,
    vm.nextVersion === 1 ? '发布后计划安排表将发送到每个单位工作群；Excel 发到县政务公开办（群里的电话号码隐藏中间几位，完整号码的一份私聊发给您）。' : `与上一版相比 ${vm.changes} 处变更，只通知涉及的 ${vm.affectedUnits} 个单位。`,
  ];
  if (vm.pendingMoves > 0) lines.push(`<font color='orange'>有 ${vm.pendingMoves} 项月份调整还在等单位确认，按原月份发布。</font>`);
  const open = [vm.notReviewed?.pending ? `${vm.notReviewed.pending} 个主题待审核` : '', vm.notReviewed?.returned ? `${vm.notReviewed.returned} 个主题退回修改中` : ''].filter(Boolean);
  if (open.length > 0) lines.push(`<font color='orange'>还有 ${open.join('、')}，不在本版计划内；审核通过后可再发布新版本。</font>`);
  const elements: CardElement[] = [markdown(lines.join('\n')), warningsBlock(vm.warnings)];
  const disabled = vm.count === 0 || (vm.nextVersion > 1 && vm.changes === 0);
  if (disabled) elements.push(note(vm.count === 0 ? '还没有通过审核的主题，无法发布。' : '与已发布版本相同，无需重新发布。'));
  const back = button('返回编排', scheduleActions.view.value(campaignRef(vm)));
  if (!vm.closing) {
    elements.push(
      buttonRow([
        button('确认发布', scheduleActions.publish.value({ version: vm.nextVersion, ...campaignRef(vm) }), { type: 'primary', disabled, confirm: { title: '确认发布计划安排表？', text: `发布第 ${vm.nextVersion} 版并通知相关单位` } }),
        back,
      ]),
    );
    return card({ title: `发布${vm.title}`, template: 'orange', elements, summary: '确认发布计划安排表' });
  }
  // 申报 is still open: publishing may close it, and that is a decision of its own.
  const c = vm.closing;
  elements.push(markdown(`${boldLine('发布后申报是否截止？')}\n${c.lines.map((l) => `· ${escapeMarkdown(l)}`).join('\n')}`));
  const closeText = `截止后未提交的单位不能再提交（持有延期的单位在延期内仍可提交）。${c.lines.join('；')}`.slice(0, 300);
  const keepOpen = button(c.beforeDeadline ? '发布，申报继续开放' : '仅发布，暂不截止申报', scheduleActions.publish.value({ version: vm.nextVersion, close: false, ...campaignRef(vm) }), {
    type: c.beforeDeadline ? 'primary' : 'default',
    disabled,
  });
  // With nothing new to publish the same button only closes 申报 (the published version stands).
  const onlyClose = disabled && vm.count > 0;
  const closeLabel = onlyClose ? (c.beforeDeadline ? '提前截止申报（不重新发布）' : '截止申报（不重新发布）') : c.beforeDeadline ? '发布并提前截止申报' : '发布并截止申报';
  const close = button(closeLabel, scheduleActions.publish.value({ version: vm.nextVersion, close: true, ...campaignRef(vm) }), {
    type: c.beforeDeadline ? 'danger' : 'primary',
    disabled: vm.count === 0,
    confirm: { title: c.beforeDeadline ? '截止日还没到，确认提前截止申报？' : '确认发布并截止申报？', text: closeText },
  });
  elements.push(buttonRow(c.beforeDeadline ? [keepOpen, close, back] : [close, keepOpen, back]));
  elements.push(note(c.beforeDeadline ? '申报继续开放时，之后通过审核的主题会在下次“发布计划”时作为变更加入。' : '截止后如需补报，可发送“重新开放 单位名”；其通过审核的主题在下次发布时作为变更加入。'));
  return card({ title: `发布${vm.title}`, template: c.beforeDeadline ? 'red' : 'orange', elements, summary: '确认发布计划安排表' });
}

/** Shown while the version is being frozen and sent (replaced by publishedDoneCard). */
export function publishingCard(vm: { title: string; version: number }): CardJson {
  return card({ title: `正在发布${vm.title}`, template: 'wathet', elements: [markdown(`正在发布第 ${vm.version} 版并通知各单位，完成后本卡片会更新。`)], summary: '正在发布计划安排表' });
}

export function publishedDoneCard(vm: { title: string; version: number; count: number; notifiedUnits: number; at: string }): CardJson {
  return card({
    title: `${vm.title}已发布`,
    template: 'green',
    elements: [markdown(`第 ${vm.version} 版已于 ${vm.at} 发布：${vm.count} 项活动，已通知 ${vm.notifiedUnits} 个单位。Excel 计划安排表稍后发送。`)],
    summary: '计划安排表已发布',
  });
}

export interface MoveVm {
  themeId: string;
  unitName: string;
  title: string;
  from: number;
  to: number;
  liaisonOpenIds: string[];
  by: string;
  at: string;
}

/** confirm mode: the unit's liaison agrees or not. */
export function moveConfirmCard(vm: MoveVm): CardJson {
  const mentions = vm.liaisonOpenIds.map(mention).filter(Boolean).join(' ');
  return card({
    title: '活动月份调整，请确认',
    template: 'orange',
    elements: [
      markdown(`${mentions ? `${mentions} ` : ''}县政务公开办（${escapeMarkdown(vm.by)}）拟将「${escapeMarkdown(vm.title)}」由 ${bold(`${vm.from}月`)} 调整到 ${bold(`${vm.to}月`)}，请联系人确认。`),
      buttonRow([
        button('同意', scheduleActions.moveReply.value({ themeId: vm.themeId, month: vm.to, accept: true }), { type: 'primary' }),
        button('不同意', scheduleActions.moveReply.value({ themeId: vm.themeId, month: vm.to, accept: false }), { type: 'danger' }),
      ]),
    ],
    summary: '活动月份调整，请确认',
  });
}

/** notify mode, or the outcome of a confirmation. */
export function moveNoticeCard(vm: MoveVm & { outcome: 'moved' | 'accepted' | 'declined'; forCoordinator?: boolean }): CardJson {
  const mentions = vm.forCoordinator ? '' : vm.liaisonOpenIds.map(mention).filter(Boolean).join(' ');
  const text =
    vm.outcome === 'moved'
      ? `县政务公开办（${escapeMarkdown(vm.by)}）已将「${escapeMarkdown(vm.title)}」由 ${vm.from}月 调整到 ${bold(`${vm.to}月`)}，请按新的月份安排活动。`
      : vm.outcome === 'accepted'
        ? `${escapeMarkdown(vm.unitName)}（${escapeMarkdown(vm.by)}）同意将「${escapeMarkdown(vm.title)}」由 ${vm.from}月 调整到 ${bold(`${vm.to}月`)}。`
        : `${escapeMarkdown(vm.unitName)}（${escapeMarkdown(vm.by)}）不同意将「${escapeMarkdown(vm.title)}」调整到 ${vm.to}月，仍为 ${vm.from}月。`;
  return card({
    title: vm.outcome === 'declined' ? '月份调整未获同意' : '活动月份已调整',
    template: vm.outcome === 'declined' ? 'grey' : 'green',
    elements: [markdown(`${mentions ? `${mentions} ` : ''}${text}`), ...(vm.forCoordinator || vm.outcome !== 'moved' ? [] : [note('计划安排表将在县政务公开办发布新版本时更新。')])],
    summary: '活动月份调整',
  });
}

/** Replaces the confirmation card once the liaison has answered. */
export function moveAnsweredCard(vm: { accepted: boolean; title: string; from: number; to: number }): CardJson {
  const text = vm.accepted ? `已同意：「${escapeMarkdown(vm.title)}」调整到 ${vm.to}月，已告知县政务公开办。` : `已回复不同意：「${escapeMarkdown(vm.title)}」仍为 ${vm.from}月，已告知县政务公开办。`;
  return card({ title: '活动月份调整', template: vm.accepted ? 'green' : 'grey', elements: [markdown(text)], summary: '活动月份调整' });
}
