// The evidence package's documents: one clean, self-contained HTML page per activity (opens in any
// browser or in WPS/Word, prints to A4) and an index page. Photos sit next to it in the package.
import { formLabel } from '../../domain/campaign.ts';
import { LINK_CHANNELS, PARTICIPANT_KINDS } from '../../domain/summary.ts';
import type { EvidenceDocData } from '../../ports/files.ts';
export type { EvidenceDocData };

import { escapeHtml } from '../http/html-page.ts';
export { escapeHtml };

const STYLE = `body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;max-width:820px;margin:24px auto;padding:0 16px;color:#1f2329;line-height:1.7}
h1{font-size:22px;text-align:center;margin-bottom:4px}h2{font-size:17px;border-left:4px solid #3370ff;padding-left:8px;margin-top:28px}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #c9cdd4;padding:6px 10px;vertical-align:top;text-align:left}th{background:#f2f3f5;width:9em;white-space:nowrap}
.sub{text-align:center;color:#646a73}.photos{display:flex;flex-wrap:wrap;gap:10px}.photos figure{margin:0;width:240px}.photos img{width:240px;height:180px;object-fit:cover;border:1px solid #dee0e3}
figcaption{font-size:12px;color:#646a73}.warn{color:#b35900}p.pre{white-space:pre-wrap}@media print{a{color:inherit}}`;

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

export function evidenceDocument(d: EvidenceDocData): string {
  const v = d.values;
  const participants = v.participants ? PARTICIPANT_KINDS.map((k) => `${k.label} ${v.participants![k.key]} 人`).join('；') : '';
  const links = v.links
    ? LINK_CHANNELS.map((c) => {
        const urls = v.links![c.key];
        return `<div><b>${escapeHtml(c.label)}：</b>${urls.length ? urls.map((u) => `<br><a href="${escapeHtml(u)}">${escapeHtml(u)}</a>`).join('') : '无'}</div>`;
      }).join('')
    : '无';
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(`${d.unitName} · ${d.title}`)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(d.title)}</h1>
<p class="sub">${escapeHtml(d.unitName)} · 长沙县${d.year}年“政务公开主题日”活动总结${d.award ? ` · ${escapeHtml(d.award)}` : ''}</p>
<h2>基本情况</h2>
<table>
${row('计划月份', `${d.year}年${d.month}月`)}
${row('实际举办日期', escapeHtml(v.heldDates?.join('、') ?? ''))}
${row('活动形式', escapeHtml(v.formsUsed?.map(formLabel).join('、') ?? ''))}
${row('参与人员', escapeHtml(participants))}
${row('现场 LOGO', v.logoShown === undefined ? '' : v.logoShown ? '已设置“政务公开主题日”LOGO' : '未设置')}
${row('政策解读', v.policyReleased === undefined ? '' : v.policyReleased ? '已发布' : '未发布')}
${row('意见建议', `${v.opinionsCount ?? ''} 条${v.surveyAnswers !== undefined && v.surveyAnswers !== null ? `；问卷回收 ${v.surveyAnswers} 份` : ''}`)}
${row('宣传链接', links)}
${d.submittedAt ? row('提交时间', escapeHtml(d.submittedAt)) : ''}
</table>
<h2>活动简介（申报时）</h2>
<p class="pre">${escapeHtml(d.intro)}</p>
<h2>活动总结</h2>
<p class="pre">${escapeHtml(v.summaryText ?? '')}</p>
<h2>做法与经验</h2>
<p class="pre">${escapeHtml(v.experience ?? '')}</p>
<h2>活动照片（${d.photos.length} 张）</h2>
<div class="photos">${d.photos
    .map(
      (p) =>
        `<figure><a href="${escapeHtml(p.href)}"><img src="${escapeHtml(p.href)}" alt="${escapeHtml(p.fileName)}"></a><figcaption>${escapeHtml(p.fileName)}${p.isLogo ? '（LOGO）' : ''}${p.takenOn ? ` · 拍摄于 ${escapeHtml(p.takenOn)}` : ''}</figcaption></figure>`,
    )
    .join('\n')}</div>
${d.issues.length ? `<h2>证据核验提示</h2><ul class="warn">${d.issues.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

export function evidenceIndex(year: number, items: { href: string; unitName: string; title: string; month: number; photos: number; award?: string }[]): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>长沙县${year}年政务公开主题日活动证据包</title><style>${STYLE}</style></head>
<body><h1>长沙县${year}年“政务公开主题日”活动证据包</h1>
<p class="sub">共 ${items.length} 项活动。每项活动一个文件夹：活动总结.html 与活动照片。</p>
<table><tr><th>序号</th><th>单位</th><th>活动主题</th><th>月份</th><th>照片</th><th>评选</th></tr>
${items.map((it, i) => `<tr><td>${i + 1}</td><td>${escapeHtml(it.unitName)}</td><td><a href="${escapeHtml(it.href)}">${escapeHtml(it.title)}</a></td><td>${it.month}月</td><td>${it.photos}</td><td>${escapeHtml(it.award ?? '')}</td></tr>`).join('\n')}
</table></body></html>
`;
}
