// Evidence check results (链接可访问性、照片日期、LOGO): shown to the liaison and the coordinator. Pure.
import { card, escapeMarkdown, field, markdown, note, button, buttonRow, textBlock, type CardElement, type CardJson } from './kit.ts';
import type { EvidenceCheck } from '../src/domain/evidence.ts';
import { summaryActions } from './actions.ts';

/**
 * `forJudge`: the judge scoring the activity reads the same findings, without the liaison's
 * "仅作提醒，不影响提交" (a judge submits scores, not the summary).
 */
export function evidenceElements(check: EvidenceCheck, o: { forJudge?: boolean } = {}): CardElement[] {
  const warns = check.issues.filter((i) => i.level === 'warn');
  const infos = check.issues.filter((i) => i.level === 'info');
  const okLinks = check.links.filter((l) => l.ok).length;
  const lines: string[] = [];
  // The heading counts what is listed under it: the warnings, then the notes (a photo without a
  // date, links not checked yet), which are not problems but are not "nothing found" either.
  if (warns.length === 0 && infos.length === 0) lines.push(`<font color='green'>✔ 证据核验未发现问题</font>`);
  else if (warns.length === 0) lines.push(`<font color='green'>✔ 证据核验未发现问题</font>，另请留意 ${Math.min(infos.length, 4)} 项：`);
  else lines.push(`<font color='orange'>证据核验提示 ${warns.length + Math.min(infos.length, 4)} 项${o.forJudge ? '' : '（仅作提醒，不影响提交）'}：</font>`);
  // Messages quoting a link are shown as plain text, one block each: escaped markdown would show
  // 'www\.csx\.gov\.cn/…\_1\.html' to the person who has to open it.
  const shown = warns.slice(0, 12);
  const links = shown.filter((w) => w.code === 'link_broken');
  for (const w of shown.filter((x) => x.code !== 'link_broken')) lines.push(`- ${escapeMarkdown(w.message)}`);
  if (warns.length > 12) lines.push(`- 另有 ${warns.length - 12} 项`);
  for (const i of infos.slice(0, 4)) lines.push(`- ${escapeMarkdown(i.message)}`);
  const out: CardElement[] = [markdown(lines.join('\n'))];
  for (const l of links) out.push(textBlock(`· ${l.message}`));
  if (check.links.length > 0) out.push(note(`链接核验：${okLinks}/${check.links.length} 个可访问`));
  return out;
}

export function evidenceResultCard(v: { themeId: string; unitName: string; title: string; check: EvidenceCheck; mentionLine?: string }): CardJson {
  const warns = check(v.check);
  return card({
    title: `证据核验 · ${v.unitName}`,
    template: warns > 0 ? 'orange' : 'green',
    summary: `证据核验：${v.title}`,
    elements: [
      ...(v.mentionLine ? [markdown(v.mentionLine)] : []),
      markdown(field('活动主题', escapeMarkdown(v.title))),
      ...evidenceElements(v.check),
      buttonRow([button('修改总结', summaryActions.open.value({ themeId: v.themeId }), { size: 'small' }), button('照片', summaryActions.photos.value({ themeId: v.themeId }), { size: 'small' })]),
    ],
  });
}

function check(c: EvidenceCheck): number {
  return c.issues.filter((i) => i.level === 'warn').length;
}
