// Manual 催办 by the coordinator: a preview of who will be reached (units, liaisons, channel) with
// a 确认催办 button, and the result. Pure builders.
import { bold, button, buttonRow, card, escapeMarkdown, markdown, note, strong, table, type CardElement, type CardJson } from './kit.ts';
import { reminderActions } from './actions.ts';

export interface NudgeTargetView {
  unitName: string;
  liaisons: string;
  channel: string;
  /** '2023-04-06 10:12' when nudged within the cool-down */
  lastNudge?: string;
}

export interface NudgePreviewView {
  campaignTitle: string;
  previewId: string;
  urgent: boolean;
  targets: NudgeTargetView[];
  /** units named but not nudged, with why (already submitted, unknown name …) */
  notes: string[];
  cooldownHours: number;
}

/** Units recently nudged that the warning names one by one; more are counted. */
const RECENT_NAMED = 5;

export function nudgePreviewCard(v: NudgePreviewView): CardJson {
  const elements: CardElement[] = [];
  if (v.targets.length === 0) {
    elements.push(markdown('没有需要催办的单位。'));
  } else {
    elements.push(markdown(`将催办 ${strong(v.targets.length)} 个未报送单位${v.urgent ? `，并对联系人发送${bold('加急')}通知` : ''}：`));
    elements.push(
      table(
        [
          { name: 'unit', display_name: '单位' },
          { name: 'liaisons', display_name: '联系人' },
          { name: 'channel', display_name: '方式' },
          { name: 'last', display_name: '上次催办' },
        ],
        v.targets.map((t) => ({ unit: t.unitName, liaisons: t.liaisons, channel: t.channel, last: t.lastNudge ?? '—' })),
        10,
      ),
    );
  }
  for (const n of v.notes) elements.push(note(escapeMarkdown(n)));
  const recent = v.targets.filter((t) => t.lastNudge);
  // A few are named; more than that only counted (the table's 上次催办 column has each time).
  const counted = recent.length > RECENT_NAMED;
  const who = counted ? `其中 ${recent.length} 个单位` : recent.map((t) => t.unitName).join('、');
  if (recent.length > 0) {
    const named = counted
      ? `${recent.length === v.targets.length ? '以上' : '其中'} ${strong(recent.length)} 个单位（上次催办时间见表）`
      : recent.map((t) => `${escapeMarkdown(t.unitName)}（上次 ${escapeMarkdown(t.lastNudge!)}）`).join('、');
    elements.push(markdown(`<font color='red'>注意：</font>${named}在 ${v.cooldownHours} 小时内已催办过，确认后将再次催办。`));
  }
  if (v.targets.length > 0) {
    elements.push(
      buttonRow([
        button(recent.length > 0 ? '仍要催办' : '确认催办', reminderActions.nudgeConfirm.value({ previewId: v.previewId, force: recent.length > 0 }), {
          type: 'primary_filled',
          ...(recent.length > 0 ? { confirm: { title: '再次催办？', text: `${who}在 ${v.cooldownHours} 小时内已催办过，确定再次催办吗？` } } : {}),
        }),
      ]),
    );
  }
  return card({ title: v.urgent ? '催办预览（加急）' : '催办预览', subtitle: v.campaignTitle, template: 'orange', elements });
}

/** `year`: the campaign's, named in the 提醒记录 command it suggests (without it, the command reads the year being collected, which may be another). */
export function nudgeDoneCard(campaignTitle: string, year: number, done: string[], skipped: string[], urgent: boolean, byName: string): CardJson {
  const elements: CardElement[] = [markdown(done.length > 0 ? `已向 ${strong(done.length)} 个单位发送催办${urgent ? '（含加急）' : ''}：${done.map(escapeMarkdown).join('、')}` : '没有发送新的催办。')];
  if (skipped.length > 0) elements.push(note(escapeMarkdown(`未发送：${skipped.join('；')}`)));
  elements.push(note(escapeMarkdown(`由 ${byName} 确认。发送“提醒记录 ${year}”查看投递结果。`)));
  return card({ title: '催办已发送', subtitle: campaignTitle, template: 'green', elements });
}
