// Every card builder in cards/, fed a small county and a county's worth of data (60 units, 150 activities, 20 photos,
// 40-character titles) and the worst case of every free-text field, produces a card that:
// - Feishu would accept: the emulator's strict Card JSON 2.0 validator passes it, the im/v1/messages
//   request body that carries it is ≤ 30 KB and it has ≤ 200 elements as Feishu counts them;
// - fits on its own (pages or summarises), without the last-resort trim in kit.card();
// - renders its bold under strict CommonMark: no `**` is left as literal asterisks.
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { CARD_BODY_LIMIT_BYTES, CARD_ELEMENT_LIMIT, markdown, measureCard, wasTrimmed, type CardJson } from '../../cards/kit.ts';
import { badBold } from '../support/card-markdown.ts';
import { actionProblems } from '../support/card-actions.ts';
import { hasFullMobile, maskForAudience } from '../../src/app/phone-policy.ts';
import { overdueCard, weeklyDigestCard } from '../../cards/digest.ts';
import { announcementCard, criteriaCard, evaluationProgressCard, judgeHomeCard, judgePickerCard, scoreCard, type RankingRow } from '../../cards/evaluation.ts';
import { exportReadyCard } from '../../cards/download.ts';
import { evidenceResultCard } from '../../cards/evidence.ts';
import { buildGroupBindCard, buildGroupBoundCard } from '../../cards/group.ts';
import { buildHelpCard } from '../../cards/help.ts';
import { buildNoticeCard } from '../../cards/notice.ts';
import { nudgeDoneCard, nudgePreviewCard } from '../../cards/nudge.ts';
import { buildProgressCard } from '../../cards/progress.ts';
import { buildReceiptCard } from '../../cards/receipt.ts';
import { calendarOverridesCard, deadlineReminderCard, holidayWarningCard, leaderEscalationCard, monthReminderCard, reminderLogCard } from '../../cards/reminder.ts';
import { decisionNoticeCard, historyCard, resubmittedCard, reviewCard, reviseCard, revisedConfirmCard, THEMES_PER_PAGE, type ReviewThemeVm } from '../../cards/review.ts';
import { moveAnsweredCard, moveConfirmCard, moveNoticeCard, publishConfirmCard, publishedDoneCard, publishedScheduleCard, publishingCard, scheduleChangeNoticeCard, scheduleWorkCard } from '../../cards/schedule.ts';
import { buildClosedFormCard, buildSubmissionFormCard, buildSubmittedCard } from '../../cards/submission-form.ts';
import { buildLaunchCard, buildLaunchedCard } from '../../cards/submission-launch.ts';
import { carryOverView } from '../../src/domain/carry-over.ts';
import { THEME_DOMAINS_MAX, THEME_DOMAIN_MAX_CHARS } from '../../src/domain/theme-domains.ts';
import { parseSettings } from '../../src/domain/campaign.ts';
import { completenessCard, photoListCard, photoReceivedCard, photoTargetCard, photoTargetChosenCard, summaryFormCard, summaryReadCard, unitActivitiesCard, type CompletenessRow } from '../../cards/summary.ts';
import type { ActivityFormKey } from '../../src/domain/campaign.ts';
import { FIELD, MAX_THEMES_PER_UNIT, type SubmissionDraft } from '../../src/domain/submission.ts';
import { summarizeProgress } from '../../src/domain/submission-progress.ts';
import { balanceChecks, type ScheduleRow } from '../../src/domain/schedule.ts';
import { DEFAULT_REVIEW_FILTER } from '../../src/domain/review.ts';
import { DEFAULT_CRITERIA } from '../../src/domain/evaluation.ts';
import { emptyRaw, LONG_TEXT_MAX, parseSummary, type SummaryRaw } from '../../src/domain/summary.ts';
import { evaluateEvidence } from '../../src/domain/evidence.ts';
import { buildHistoryCard } from '../../cards/history.ts';
import { reviewActions, submissionActions } from '../../cards/actions.ts';
import { holidayImportDoneCard, holidayImportPreviewCard } from '../../cards/holidays.ts';
import { computeHistory, type HistoryInput } from '../../src/domain/history.ts';

/** The scales every builder is run at; the tests below read the current one (set in beforeAll). */
const SCALES = [
  { name: 'a small county', units: 8, activities: 12, photos: 3, titleLength: 12 },
  { name: 'county scale', units: 60, activities: 150, photos: 20, titleLength: 40 },
];
let UNITS = 60;
let ACTIVITIES = 150;
let PHOTOS = 20;
let TITLE_LENGTH = 40;

/** Full-width punctuation at both ends and markdown/Feishu syntax inside: the worst for bold. */
const HOSTILE = '<at id=all></at>**粗**[链接](http://evil.cn):OK:_斜_~~删~~<font color=red>红</font> 138-1234-5678 ';
/** Exactly n characters, starting and ending with full-width punctuation, hostile text inside. */
function text(n: number, seed = 0): string {
  const body = `${HOSTILE}政务公开主题日活动${seed}`.repeat(Math.ceil(n / 60) + 1);
  return `「${[...body].slice(0, Math.max(0, n - 2)).join('')}」`.slice(0, n);
}
const TITLE = (i: number) => text(TITLE_LENGTH, i);
const UNIT = (i: number) => `长沙县人力资源和社会保障局（${i}）：`;

function accepted(name: string, card: CardJson): void {
  // Soft: one run reports every builder that fails, not only the first.
  const v = validateCard(card);
  expect.soft(v, name).toEqual({ ok: true });
  const m = measureCard(card);
  expect.soft(m.bodyBytes, `${name}: request body bytes`).toBeLessThanOrEqual(CARD_BODY_LIMIT_BYTES);
  expect.soft(m.elements, `${name}: elements`).toBeLessThanOrEqual(CARD_ELEMENT_LIMIT);
  expect.soft(wasTrimmed(card), `${name}: needed the last-resort trim`).toBe(false);
  expect
    .soft(
      badBold(card).map((b) => b.stray.join(' ¦ ').slice(0, 120)),
      `${name}: bold that would show as asterisks`,
    )
    .toEqual([]);
  // The one phone rule (issue 14): whatever a builder puts in a card, a group never sees a full mobile
  // (an input's own pre-filled value is the person's draft and stays editable, by design).
  const shown = JSON.stringify(maskForAudience(card, { kind: 'group' }, false), (k, v: unknown) => (k === 'default_value' ? undefined : v));
  expect.soft(hasFullMobile(shown), `${name}: full mobile in a group`).toBe(false);
  // Every button's value names a registered action and parses with its definition (cards/actions.ts).
  expect.soft(actionProblems(card), `${name}: card actions`).toEqual([]);
  for (const { content } of markdownOf(card)) {
    expect.soft(content, name).not.toContain('<at id=all>');
    expect.soft(content, name).not.toContain('<font color=red>');
    expect.soft(content, name).not.toContain('](http');
  }
}

function markdownOf(node: unknown): { content: string }[] {
  if (Array.isArray(node)) return node.flatMap(markdownOf);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = (o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string' ? [{ content: o.content }] : [];
  return [...own, ...Object.values(o).flatMap(markdownOf)];
}

// ---------------------------------------------------------------- fixtures

const scheduleRows = (count: number): ScheduleRow[] =>
  Array.from({ length: count }, (_, i) => ({
    themeId: `cm${i}xxxxxxxxxxxxxxxxxxxxx`,
    unitId: `u${i % UNITS}`,
    unitName: UNIT(i % UNITS),
    unitKind: ['street', 'town', 'department'][i % 3]!,
    unitOrder: i % UNITS,
    seq: 1 + Math.floor(i / UNITS),
    title: TITLE(i),
    month: 1 + (i % 12),
    forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'],
    contactName: text(20, i),
    contactPhone: '0731-84872387-801',
  }));

const raw: SummaryRaw = {
  ...emptyRaw(),
  dates: ['2023-05-12', '2023-05-13', '2023-05-14'],
  datesText: text(200),
  forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'],
  participants: { npcDeputies: '9999999', cppccMembers: '1', experts: '2', media: '3', citizens: '4' },
  logo: 'yes',
  links: { media: Array.from({ length: 20 }, (_, i) => `https://news.example.cn/a/very/long/path/${i}.html`).join('\n'), website: text(1000), newMedia: text(1000) },
  policy: 'no',
  opinions: '1234567',
  surveyAnswers: '1234567',
  summary: text(LONG_TEXT_MAX + 500),
  experience: text(LONG_TEXT_MAX + 500),
};
const parsed = parseSummary(
  { ...raw, summary: text(LONG_TEXT_MAX), experience: text(LONG_TEXT_MAX), links: { media: Array.from({ length: 10 }, (_, i) => `https://news.example.cn/a/${i}`).join('\n'), website: 'https://www.example.gov.cn/', newMedia: '' } },
  { year: 2023, today: '2023-12-01' },
);
const values = parsed.ok ? parsed.values : parsed.partial;
const evidence = evaluateEvidence(
  {
    year: 2023,
    month: 5,
    heldDates: ['2023-07-01'],
    links: { media: Array.from({ length: 20 }, (_, i) => `https://x.cn/${'p'.repeat(80)}/${i}`), website: [], newMedia: [] },
    logoShown: true,
    photos: Array.from({ length: PHOTOS }, (_, i) => ({ id: String(i), fileName: `${text(60, i)}.jpg`, takenOn: '2021-01-01', kind: 'photo' })),
    linkResults: Array.from({ length: 20 }, (_, i) => ({ url: `https://x.cn/${'p'.repeat(80)}/${i}`, channel: 'media' as const, ok: false, status: 500, error: 'http_error' })),
  },
  new Date('2023-12-01T00:00:00Z'),
);

const completenessRows = (n: number): CompletenessRow[] =>
  Array.from({ length: n }, (_, i) => ({
    themeId: `cm${i}xxxxxxxxxxxxxxxxxxxxx`,
    unitId: `u${i % UNITS}`,
    unitChatId: null,
    unitName: UNIT(i % UNITS),
    title: TITLE(i),
    month: 1 + (i % 12),
    held: i % 2 === 0,
    status: i % 3 === 0 ? 'none' : i % 3 === 1 ? 'draft' : 'submitted',
    photos: i,
    logo: i % 2 === 0,
    links: 2,
    warnings: 1,
    missingKeys: ['summary', 'photos', 'logo', 'links'],
    missing: ['总结', '照片', 'LOGO 照片', '宣传链接'],
  }));

const ranking = (n: number): RankingRow[] =>
  Array.from({ length: n }, (_, i) => ({
    themeId: `cm${i}xxxxxxxxxxxxxxxxxxxxx`,
    rankLabel: i < 3 ? '1（并列）' : i < 6 ? '4（并列）' : String(i + 1),
    unitName: UNIT(i % UNITS),
    title: TITLE(i),
    final: 99.5 - i * 0.5,
    judges: 9,
    trimmed: true,
  }));

const reviewTheme = (i: number): ReviewThemeVm => ({
  id: `cm${i}xxxxxxxxxxxxxxxxxxxxx`,
  seq: i + 1,
  title: TITLE(i),
  month: 5,
  forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'],
  intro: text(500, i),
  status: 'returned',
  version: 12,
  reason: text(200, i),
  fields: ['title', 'month', 'forms', 'intro'],
  diff: {
    fromVersion: 11,
    changes: [
      { field: 'title', label: '活动主题', before: TITLE(i + 1), after: TITLE(i) },
      { field: 'intro', label: '活动简介', before: text(500, i + 1), after: text(500, i) },
      { field: 'month', label: '活动时间', before: '4月', after: '5月' },
      { field: 'forms', label: '活动形式', before: '座谈', after: '调研、观摩、座谈、解读、问卷' },
    ],
  },
  lastDecision: { label: '退回修改', by: text(20), at: '2023-04-10 10:00' },
  draft: { reason: text(200, i), fields: ['title', 'month', 'forms', 'intro'] },
  error: text(60),
});

const submissionTheme = (i: number) => ({ themeId: `t${i}`, title: TITLE(i), month: 1 + (i % 12), forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'] as ActivityFormKey[], intro: text(500, i) });
const draft = (n: number): SubmissionDraft => ({
  contactName: text(20),
  contactPhone: text(30),
  themes: Array.from({ length: n }, (_, i) => submissionTheme(i)),
  editing: n > 0 ? 0 : null,
  current: { title: text(60), month: '5', forms: ['policy'], intro: text(1000) },
  errors: { [FIELD.title]: text(60), [FIELD.month]: text(60), [FIELD.forms]: text(60), [FIELD.intro]: text(60), [FIELD.contactName]: text(60), [FIELD.contactPhone]: text(60), themes: text(60) },
});

// ---------------------------------------------------------------- the builders

describe.each(SCALES)('every card builder, at $name, stays within Feishu limits and renders its bold', (scale) => {
  beforeAll(() => {
    UNITS = scale.units;
    ACTIVITIES = scale.activities;
    PHOTOS = scale.photos;
    TITLE_LENGTH = scale.titleLength;
  });

  it('submissions: form, submitted, closed, launch, notice, receipt, progress, help, groups', () => {
    const formBase = { submissionId: 'cmxxxxxxxxxxxxxxxxxxxxxxx', baseVersion: 12, unitName: UNIT(1), campaignTitle: TITLE(0), year: 2023, deadlineText: '2023年4月7日（星期五）', firstAllowedMonth: 4 };
    for (const n of [0, 1, MAX_THEMES_PER_UNIT]) {
      accepted(
        `form ${n}`,
        buildSubmissionFormCard({
          ...formBase,
          draft: draft(n),
          banner: text(200),
          conflict: {
            version: 13,
            byName: text(20),
            atText: '2023-04-01 10:00',
            themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => submissionTheme(i)),
            decided: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => ({ title: submissionTheme(i).title, statusLabel: '退回修改' })),
          },
        }),
      );
      // Issue 10: 主题领域 (the most labels of the longest length, all picked) and last year's ten themes with 以此为草稿.
      const domainOptions = Array.from({ length: THEME_DOMAINS_MAX }, (_, i) => text(THEME_DOMAIN_MAX_CHARS, i));
      const withDomains = <T extends object>(t: T) => ({ ...t, domains: domainOptions });
      const d = draft(n);
      accepted(
        `form ${n} with 领域 and last year`,
        buildSubmissionFormCard({
          ...formBase,
          draft: { ...d, themes: d.themes.map(withDomains), current: { ...d.current, domains: domainOptions } },
          banner: text(200),
          conflict: { version: 13, byName: text(20), atText: '2023-04-01 10:00', themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => withDomains(submissionTheme(i))), decided: [] },
          domainOptions,
          previous: { year: 2022, themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => ({ ...withDomains(submissionTheme(i)), resultText: '审核通过 · 已举办 · 评选第 10 名（并列）' })) },
        }),
      );
    }
    accepted('submitted', buildSubmittedCard({ unitName: UNIT(1), version: 12, atText: '2023-04-01 10:00', themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => submissionTheme(i)), late: true }));
    accepted('closed', buildClosedFormCard(TITLE(0), [text(200), text(200)], { text: '重新打开', value: submissionActions.open.value({ submissionId: 's1' }) }));
    const launchValues = { title: text(60), noticeDate: '2023-03-23', deadline: '2023-04-07', contactName: text(20), contactPhone: text(30), contactEmail: text(80) };
    accepted('launch', buildLaunchCard({ year: 2023, values: launchValues, errors: { launch_title: text(60), launch_deadline: text(60), launch_contact_email: text(60) }, unitCount: UNITS, boundCount: UNITS - 1 }));
    const carryUnits = Array.from({ length: UNITS }, (_, i) => ({ name: UNIT(i), bound: false, liaisons: 0 }));
    const carryOver = carryOverView({
      fromYear: 2022,
      units: carryUnits,
      settings: { ...parseSettings('{}'), themeDomains: Array.from({ length: THEME_DOMAINS_MAX }, (_, i) => text(THEME_DOMAIN_MAX_CHARS, i)) },
      criteria: Array.from({ length: 12 }, (_, i) => ({ name: text(20, i), weight: 10 })),
      reviewers: Array.from({ length: 30 }, (_, i) => ({ name: text(20, i) })),
    });
    accepted('launch with carry-over', buildLaunchCard({ year: 2023, values: launchValues, errors: { launch_title: text(60) }, unitCount: UNITS, boundCount: 0, carryOver, carryChosen: ['settings', 'rubric', 'reviewers'] }));
    accepted('launched', buildLaunchedCard({ title: text(60), deadlineText: '2023年4月7日', unitCount: UNITS, noticed: 0, unbound: Array.from({ length: UNITS }, (_, i) => UNIT(i)) }));
    const notice = { campaignTitle: TITLE(0), year: 2023, deadlineText: '2023年4月7日（星期五）', noticeDateText: '2023年3月23日', contactName: text(20), contactPhone: text(30), contactEmail: text(80) };
    accepted('notice (coordinator)', buildNoticeCard(notice));
    accepted('notice (unit)', buildNoticeCard({ ...notice, unit: { id: 'u1', name: UNIT(1), submissionId: 's1', liaisonNames: [text(20), text(20), text(20)] }, extraLine: text(200) }));
    for (const status of ['submitted', 'withdrawn'] as const) {
      for (const editable of [true, false]) {
        accepted(
          `receipt ${status} ${editable}`,
          buildReceiptCard({
            submissionId: 's1',
            unitName: UNIT(1),
            campaignTitle: TITLE(0),
            version: 12,
            displayVersion: 12,
            status,
            atText: '2023-04-01 10:00',
            byName: text(20),
            contactName: text(20),
            contactPhoneMasked: '138****5678',
            themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => submissionTheme(i)),
            late: true,
            editableUntilText: '2023年4月7日',
            editable,
          }),
        );
      }
    }
    const units = Array.from({ length: UNITS }, (_, i) => ({
      unitId: `u${i}`,
      unitName: UNIT(i),
      kind: ['town', 'street', 'department'][i % 3]!,
      sortOrder: i,
      status: i % 2 === 0 ? 'pending' : i % 7 === 0 ? 'withdrawn' : 'submitted',
      late: i % 5 === 0,
      submittedAt: null,
      deadlineOverride: i % 3 === 0 ? '2023-04-14' : null,
      reopenedUntil: i % 4 === 0 ? '2023-04-12' : null,
      themes: [{ month: 1 + (i % 12), forms: ['policy'] }],
    }));
    const snap = summarizeProgress({ id: 'c1', year: 2023, title: TITLE(0), status: 'collecting', deadline: '2023-04-07' }, units);
    accepted('progress', buildProgressCard(snap, { updatedAtText: '2023-04-01 10:00', deadlineText: '2023年4月7日', extraSections: [markdown('**提醒记录**')] }));
    const commands = Array.from({ length: 30 }, (_, i) => ({ name: `${text(8, i)}`, summary: text(60, i), example: text(40, i) }));
    accepted('help', buildHelpCard({ intro: text(200), coordinator: commands, liaison: commands.slice(0, 10) }));
    accepted('help compact', buildHelpCard({ intro: text(200), compact: true, coordinator: commands, liaison: commands.slice(0, 10) }));
    const bindUnits = Array.from({ length: UNITS }, (_, i) => ({ id: `cm${i}xxxxxxxxxxxxxxxxxxxxx`, name: UNIT(i) }));
    accepted('group bind', buildGroupBindCard({ chatId: 'oc_1', chatName: text(60), units: bindUnits, guessedUnitId: bindUnits[3]!.id, error: text(60) }));
    accepted('group bound', buildGroupBoundCard({ chatName: text(60), unitName: UNIT(1), byName: text(20) }));
    accepted('group bound coord', buildGroupBoundCard({ chatName: text(60), unitName: null, byName: text(20) }));
  });

  it('reminders, digest, nudges', () => {
    accepted(
      'deadline reminder',
      deadlineReminderCard({
        campaignTitle: TITLE(0),
        unitName: UNIT(1),
        deadlineText: '2023年4月7日',
        leftText: '今天截止',
        mentionOpenIds: Array.from({ length: 10 }, (_, i) => `ou_${'a'.repeat(30)}${i}`),
        openAction: submissionActions.open.value({ submissionId: 's1' }),
        contactLine: text(200),
        urgent: true,
        manual: true,
      }),
    );
    accepted(
      'leader escalation',
      leaderEscalationCard({ campaignTitle: TITLE(0), unitName: UNIT(1), deadlineText: '2023年4月7日', leftText: '还剩 3 个工作日', remindersSent: 9, liaisonNames: [text(20), text(20)], leaderOpenId: `ou_${'a'.repeat(32)}` }),
    );
    for (const kind of ['month-start', 'month-end', 'summary-due'] as const) {
      accepted(
        `month ${kind}`,
        monthReminderCard({
          kind,
          unitName: UNIT(1),
          month: 5,
          mentionOpenIds: ['ou_a1'],
          themes: Array.from({ length: MAX_THEMES_PER_UNIT }, (_, i) => ({ themeId: `t${i}`, title: TITLE(i), monthText: '5月', summaryButton: true })),
          requirements: Array.from({ length: 6 }, (_, i) => text(100, i)),
          dueText: text(20),
        }),
      );
    }
    accepted('holiday', holidayWarningCard(2027, 2026));
    const festivals = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
    accepted(
      'holiday import preview',
      holidayImportPreviewCard({
        year: 2027,
        previewId: '0123456789abcdef',
        festivals: festivals.map((f) => ({ festival: `${f}：`, holidays: '2月6日（星期六）至2月14日（星期日），共9天', workdays: '2月20日（星期六）、2月21日（星期日）' })),
        days: Array.from({ length: 40 }, (_, i) => ({ date: `2027-02-${String((i % 28) + 1).padStart(2, '0')}`, weekday: '星期六', kind: i % 3 ? '放假' : '上班', festival: festivals[i % 7]!, remark: text(40, i) })),
        holidayCount: 33,
        workdayCount: 7,
        notes: Array.from({ length: 5 }, (_, i) => text(100, i)),
      }),
    );
    accepted('holiday import done', holidayImportDoneCard({ year: 2027, written: 40, removed: 3, keptManual: 2, by: text(20) }));
    accepted(
      'calendar',
      calendarOverridesCard(
        2027,
        Array.from({ length: 60 }, (_, i) => ({ date: `2027-01-${String((i % 28) + 1).padStart(2, '0')}`, kind: i % 2 ? '上班' : '休息', note: text(40, i), by: text(20) })),
        `已内置 **2026年**及以前的节假日；**2027年没有内置节假日数据，也还没有设置**，提醒暂按周一至周五计算。`,
      ),
    );
    accepted(
      'reminder log',
      reminderLogCard(
        TITLE(0),
        Array.from({ length: 100 }, (_, i) => ({ date: '2023-04-03 10:00', unit: UNIT(i % UNITS), kind: '截止提醒', channel: '群消息', status: '已送达', result: text(60, i) })),
        1000,
      ),
    );
    accepted(
      'digest',
      weeklyDigestCard({
        campaignTitle: TITLE(0),
        campaignId: 'c1',
        dateText: '2023年4月3日',
        deadlineText: '2023年4月7日',
        leftText: '还剩 5 个工作日',
        submitted: 0,
        pending: UNITS,
        total: UNITS,
        missingUnits: Array.from({ length: UNITS }, (_, i) => UNIT(i)),
      }),
    );
    accepted('overdue', overdueCard({ campaignTitle: TITLE(0), campaignId: 'c1', deadlineText: '2023年4月7日', missing: Array.from({ length: UNITS }, (_, i) => ({ name: UNIT(i), liaisons: text(40, i) })) }));
    const targets = Array.from({ length: UNITS }, (_, i) => ({ unitName: UNIT(i), liaisons: text(40, i), channel: '群消息 + 加急', lastNudge: i % 2 ? '2023-04-06 10:12' : undefined }));
    accepted('nudge preview', nudgePreviewCard({ campaignTitle: TITLE(0), previewId: '0123456789abcdef', urgent: true, targets, notes: Array.from({ length: 10 }, (_, i) => text(60, i)), cooldownHours: 24 }));
    accepted(
      'nudge done',
      nudgeDoneCard(
        TITLE(0),
        2023,
        Array.from({ length: UNITS }, (_, i) => UNIT(i)),
        Array.from({ length: UNITS }, (_, i) => text(40, i)),
        true,
        text(20),
      ),
    );
  });

  it('review: the review page, its compact fallback, history, notices, revision', () => {
    const vm = {
      campaignTitle: TITLE(0),
      filter: DEFAULT_REVIEW_FILTER,
      counts: { pending: ACTIVITIES, approved: ACTIVITIES, returned: ACTIVITIES, rejected: ACTIVITIES, total: ACTIVITIES * 4 },
      unit: { id: 'u1', name: UNIT(1), kindLabel: '县直部门', contact: text(40), submittedAt: '2023-04-03 15:00', index: 3, count: UNITS },
      themes: Array.from({ length: THEMES_PER_PAGE }, (_, i) => reviewTheme(i)),
      page: 0,
      pages: 3,
    };
    accepted('review page', reviewCard(vm));
    // Issue 10: every theme with 领域 and near-duplicates in many units.
    const similar = Array.from({ length: UNITS }, (_, i) => ({ unitName: UNIT(i), title: TITLE(i), similarity: 0.9 }));
    accepted('review page with 领域 and near-duplicates', reviewCard({ ...vm, themes: vm.themes.map((t) => ({ ...t, domains: Array.from({ length: THEME_DOMAINS_MAX }, (_, i) => text(THEME_DOMAIN_MAX_CHARS, i)), similar })) }));
    accepted('review page, short themes', reviewCard({ ...vm, themes: vm.themes.map((t) => ({ ...t, intro: '简介', diff: undefined, reason: null })) }));
    accepted('review empty', reviewCard({ ...vm, unit: undefined, themes: [] }));
    accepted(
      'history',
      historyCard({
        unitName: UNIT(1),
        theme: { title: TITLE(0), status: 'approved', version: 30 },
        entries: Array.from({ length: 60 }, (_, i) => ({ at: '2023-04-10 10:00', who: text(20), what: '退回修改（v1）', detail: text(200, i) })),
        versions: Array.from({ length: 30 }, (_, i) => ({ version: i + 1, at: '2023-04-10 10:00', who: text(20), title: TITLE(i), month: 5, forms: ['forum'], intro: text(500, i) })),
        back: reviewActions.page.value({ unitId: 'u1', page: 0 }),
      }),
    );
    for (const decision of ['approve', 'return', 'reject']) {
      accepted(
        `decision ${decision}`,
        decisionNoticeCard({
          unitName: UNIT(1),
          liaisonOpenIds: ['ou_a', 'ou_b'],
          themeId: 't1',
          title: TITLE(0),
          seq: 1,
          version: 1,
          decision,
          reason: text(200),
          fields: ['title', 'month', 'forms', 'intro'],
          reviewerName: text(20),
          at: '2023-04-10 10:00',
        }),
      );
    }
    accepted(
      'revise',
      reviseCard({
        themeId: 't1',
        version: 1,
        unitName: UNIT(1),
        reason: text(200),
        fields: ['title', 'month', 'forms', 'intro'],
        values: { title: text(60), month: '5', forms: ['forum'], intro: text(1000) },
        errors: { title: text(60), month: text(60), forms: text(60), intro: text(60) },
        months: [4, 5, 6, 7, 8, 9, 10, 11, 12],
      }),
    );
    accepted('resubmitted', resubmittedCard({ unitName: UNIT(1), title: TITLE(0), version: 2, changes: reviewTheme(0).diff!.changes, byName: text(20), at: '2023-04-11 09:00', unitId: 'u1' }));
    accepted('revised', revisedConfirmCard({ unitName: UNIT(1), title: TITLE(0), version: 2, changes: reviewTheme(0).diff!.changes }));
  });

  it('schedule: published, work view, change notice, publish, moves', () => {
    const rows = scheduleRows(ACTIVITIES);
    const warnings = balanceChecks(rows, { maxPerMonth: 6, fromMonth: 5 });
    const changes = rows.slice(0, 40).map((r) => ({ kind: 'moved' as const, themeId: r.themeId, unitId: r.unitId, unitName: r.unitName, title: r.title, fromMonth: 5, toMonth: 6 }));
    accepted('published (unit)', publishedScheduleCard({ title: TITLE(0), version: 12, publishedAt: '2023-04-20 10:00', rows, unit: { id: 'u1', name: UNIT(1) }, changes, calendarNote: text(200) }));
    accepted('published (coordinator)', publishedScheduleCard({ title: TITLE(0), version: 1, publishedAt: '2023-04-20 10:00', rows }));
    accepted(
      'work view',
      scheduleWorkCard({
        title: TITLE(0),
        campaignStatus: 'reviewing',
        rows,
        warnings,
        published: { version: 1, at: '2023-04-20 10:00', pendingChanges: 30 },
        pendingMoves: rows.slice(0, 30).map((r) => ({ themeId: r.themeId, unitName: r.unitName, title: r.title, from: 5, to: 6 })),
        moveMode: 'confirm',
        moveDraft: { no: '12', month: '6', error: text(60) },
      }),
    );
    accepted('work view (select)', scheduleWorkCard({ title: TITLE(0), campaignStatus: 'reviewing', rows: rows.slice(0, 30), warnings, pendingMoves: [], moveMode: 'notify', moveDraft: { themeId: rows[0]!.themeId, month: '6' } }));
    accepted('publish confirm', publishConfirmCard({ title: TITLE(0), count: ACTIVITIES, unitCount: UNITS, warnings, pendingMoves: 30, nextVersion: 2, changes: 40, affectedUnits: UNITS }));
    accepted('publishing', publishingCard({ title: TITLE(0), version: 2 }));
    accepted('published done', publishedDoneCard({ title: TITLE(0), version: 2, count: ACTIVITIES, notifiedUnits: UNITS, at: '2023-04-20 10:00' }));
    accepted(
      'change notice',
      scheduleChangeNoticeCard({ title: TITLE(0), version: 2, publishedAt: 'x', unit: { id: 'u1', name: UNIT(1) }, liaisonOpenIds: ['ou_a'], changes: changes.slice(0, MAX_THEMES_PER_UNIT), ownRows: rows.slice(0, MAX_THEMES_PER_UNIT) }),
    );
    const mv = { themeId: 't1', unitName: UNIT(1), title: TITLE(0), from: 5, to: 9, liaisonOpenIds: ['ou_a'], by: text(20), at: 'x' };
    accepted('move confirm', moveConfirmCard(mv));
    for (const outcome of ['moved', 'accepted', 'declined'] as const) accepted(`move ${outcome}`, moveNoticeCard({ ...mv, outcome, forCoordinator: outcome !== 'moved' }));
    accepted('move answered', moveAnsweredCard({ accepted: true, title: TITLE(0), from: 5, to: 9 }));
  });

  it('summaries: form, read view, activity list, photos, completeness, evidence', () => {
    const errors = Object.fromEntries(
      ['held_date_1', 'held_dates_text', 'forms_used', 'p_npcDeputies', 'p_citizens', 'logo_shown', 'links_media', 'links_website', 'links_newMedia', 'policy_released', 'opinions_count', 'survey_answers', 'summary_text', 'experience'].map(
        (k) => [k, text(120)],
      ),
    );
    accepted(
      'summary form',
      summaryFormCard({ themeId: 't1', unitName: UNIT(1), title: TITLE(0), year: 2023, month: 5, status: 'submitted', raw, errors, photoCount: PHOTOS, logoPhotoCount: 3, evidence, notice: text(80), pendingEdits: true }),
    );
    accepted(
      'summary read',
      summaryReadCard({
        themeId: 't1',
        unitName: UNIT(1),
        title: TITLE(0),
        year: 2023,
        month: 5,
        status: 'submitted',
        values,
        photoCount: PHOTOS,
        logoPhotoCount: 3,
        evidence,
        submittedAt: '2023-06-01 10:00',
        editable: true,
        notice: text(80),
      }),
    );
    accepted(
      'unit activities',
      unitActivitiesCard({ unitName: UNIT(1), year: 2023, items: Array.from({ length: 30 }, (_, i) => ({ themeId: `cm${i}xxxxxxxxxxxxxxxxxxxxx`, title: TITLE(i), month: 5, status: 'draft' as const, photoCount: i })) }),
    );
    const photos = Array.from({ length: PHOTOS * 3 }, (_, i) => ({
      id: `cm${i}xxxxxxxxxxxxxxxxxxxxx`,
      fileName: `${text(100, i)}.jpg`,
      takenOn: i % 2 ? null : '2023-05-12',
      sizeBytes: 12345678,
      isLogo: i % 3 === 0,
      imageKey: `img_v3_${'x'.repeat(40)}_${i}`,
    }));
    accepted('photo list (20 photos, first page)', photoListCard({ themeId: 't1', unitName: UNIT(1), title: TITLE(0), photos: photos.slice(0, PHOTOS), notice: text(80) }));
    accepted('photo list (last page)', photoListCard({ themeId: 't1', unitName: UNIT(1), title: TITLE(0), photos, notice: text(80), page: 99 }));
    accepted('photo target', photoTargetCard({ ref: 'om_1', options: Array.from({ length: 30 }, (_, i) => ({ themeId: `cm${i}xxxxxxxxxxxxxxxxxxxxx`, label: TITLE(i) })) }));
    accepted('photo chosen', photoTargetChosenCard(TITLE(0)));
    accepted('photo received', photoReceivedCard({ themeId: 't1', title: TITLE(0), count: PHOTOS, summaryStatus: 'submitted', duplicate: true, takenOn: '2023-05-12', warning: text(200) }));
    accepted('evidence', evidenceResultCard({ themeId: 't1', unitName: UNIT(1), title: TITLE(0), check: evidence, mentionLine: '<at id=ou_abc></at> 已提交' }));
    for (const n of [1, 100, ACTIVITIES]) accepted(`completeness ${n}`, completenessCard({ year: 2023, rows: completenessRows(n), today: '2023-12-01' }));
  });

  it('evaluation: rubric, judge home, score card, progress with many scored activities, announcement', () => {
    const errs = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [
        [`name_${i}`, text(60)],
        [`weight_${i}`, text(60)],
        [`max_${i}`, text(60)],
      ]).flat(),
    );
    const typed = Array.from({ length: 8 }, (_, i) => ({ name: text(20, i), weight: '100000', maxScore: '100' }));
    accepted('criteria editable', criteriaCard({ year: 2023, criteria: DEFAULT_CRITERIA.map((c) => ({ ...c, description: text(200) })), editable: true, typed, errors: errs, notice: text(80) }));
    accepted('criteria locked', criteriaCard({ year: 2023, criteria: DEFAULT_CRITERIA, editable: false }));
    const r = ranking(ACTIVITIES);
    accepted(
      'judge home',
      judgeHomeCard({
        year: 2023,
        judgeName: text(20),
        items: r.map((x, i) => ({ themeId: x.themeId, label: `${x.unitName} · 5月 · ${x.title}`, state: i % 10 === 0 ? 'conflict' : i % 2 ? 'scored' : 'todo' })),
        closed: false,
        notice: text(80),
      }),
    );
    accepted('judge home closed', judgeHomeCard({ year: 2023, judgeName: text(20), items: [], closed: true }));
    // the activity both score-card variants show
    const scored = { themeId: 't1', unitName: UNIT(1), title: TITLE(0), month: 5, values, photoCount: PHOTOS };
    accepted(
      'score card',
      scoreCard({
        ...scored,
        imageKeys: ['img_v3_a', 'img_v3_b', 'img_v3_c', 'img_v3_d'],
        photoNames: [],
        evidence,
        criteria: DEFAULT_CRITERIA.map((c) => ({ ...c, description: text(200) })),
        typed: Object.fromEntries(DEFAULT_CRITERIA.map((c) => [c.key, '123456'])),
        comment: text(300),
        errors: Object.fromEntries(DEFAULT_CRITERIA.map((c) => [c.key, text(60)])),
        position: '已评 3/149',
        notice: text(80),
      }),
    );
    accepted(
      'score card (no images)',
      scoreCard({
        ...scored,
        imageKeys: [],
        photoNames: Array.from({ length: PHOTOS }, (_, i) => text(60, i)),
        criteria: DEFAULT_CRITERIA,
        typed: {},
        comment: '',
        errors: {},
        position: '已评 0/149',
      }),
    );
    for (const n of [75, 100, ACTIVITIES]) {
      const rk = ranking(n);
      accepted(
        `progress ${n}`,
        evaluationProgressCard({
          year: 2023,
          statusLabel: '评分中',
          criteria: DEFAULT_CRITERIA,
          judges: Array.from({ length: 15 }, (_, i) => ({ name: text(20, i), unitName: UNIT(i), scored: i, eligible: n })),
          ranking: rk,
          defaultWinners: rk.slice(0, 6).map((x) => x.themeId),
          winners: rk.slice(0, 10).map((x) => x.themeId),
          canConfirm: true,
          notice: text(80),
        }),
      );
    }
    accepted('announcement', announcementCard({ year: 2023, winners: r.slice(0, 10).map((x) => ({ unitName: x.unitName, title: x.title, rankLabel: x.rankLabel, final: x.final })) }));
  });
  it('history: 年度对比 over three years, every unit with ten themes a year', () => {
    const years = [2024, 2025, 2026];
    const input: HistoryInput = { years, units: [], submissions: [], themes: [] };
    for (let i = 0; i < UNITS; i++) {
      input.units.push({ id: `u${i}`, name: UNIT(i), kind: ['town', 'street', 'department'][i % 3]!, sortOrder: i });
      for (const [yi, year] of years.entries()) {
        input.submissions.push({ year, unitId: `u${i}`, status: (i + yi) % 9 === 0 ? 'pending' : 'submitted', late: (i + yi) % 7 === 0 });
        for (let k = 0; k < 10; k++) {
          input.themes.push({
            year,
            unitId: `u${i}`,
            themeId: `t${year}_${i}_${k}`,
            reviewStatus: 'approved',
            forms: ['forum'],
            summary: { status: 'submitted', heldDates: 1, photos: 1, logoPhoto: true, links: 2 },
            ...(k === 0 ? { rank: { rank: 1 + (i % 40), tied: i % 40 === 5 } } : {}),
          });
        }
      }
    }
    accepted('history', buildHistoryCard(computeHistory(input), { generatedAtText: '2026-12-04 10:00' }));
    // With the download link of its export (a long signed URL and a long file name).
    const link = { fileName: `${text(60)}.xlsx`, label: 'Excel', url: `https://themeday.example.gov.cn/downloads/cm${'x'.repeat(23)}?e=1733882400&s=${'A'.repeat(43)}`, expiresText: '2026-12-11 10:00' };
    accepted('history + download', buildHistoryCard(computeHistory(input), { generatedAtText: '2026-12-04 10:00', downloads: [link] }));
    accepted('export ready', exportReadyCard({ title: '2026年申报表已导出', lines: [text(200)], links: [link, { ...link, label: 'CSV' }] }));
  });

  it('添加评委 person picker: every person of a county directory, forty judges listed', () => {
    const people = Array.from({ length: UNITS * 4 }, (_, i) => ({ openId: `ou_${String(i).padStart(30, '0')}` }));
    accepted(
      'judge picker',
      judgePickerCard({
        year: 2026,
        people,
        judges: Array.from({ length: 40 }, (_, i) => ({ name: text(20, i), unitName: UNIT(i) })),
        notice: Array.from({ length: 40 }, (_, i) => `已添加评委 ${text(20, i)}（${UNIT(i)}，回避本单位活动）`).join('\n'),
      }),
    );
  });
});
