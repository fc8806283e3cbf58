// Download links for generated files, shown in the card that produced them. A link button opens the
// signed URL in the browser (Card JSON 2.0 button `behaviors: [{ type: 'open_url', default_url }]`, see
// https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/configuring-card-interactions).
import { buttonRow, card, escapeMarkdown, markdown, note, plain, type CardElement, type CardJson } from './kit.ts';

export interface DownloadLink {
  /** the file's name as the person will save it */
  fileName: string;
  url: string;
  /** short button text, e.g. 'Excel' */
  label: string;
  /** e.g. '2023-12-08 10:30' */
  expiresText: string;
}

/** A button that only opens a URL (no callback). */
export function linkButton(text: string, url: string, type: 'primary' | 'default' = 'default'): CardElement {
  return { tag: 'button', text: plain(text), type, size: 'small', behaviors: [{ type: 'open_url', default_url: url }] };
}

/** 下载 buttons and a note saying until when they work; nothing when there are no links. */
export function downloadElements(links: DownloadLink[]): CardElement[] {
  if (links.length === 0) return [];
  const names = links.map((l) => escapeMarkdown(l.fileName)).join('、');
  return [buttonRow(links.map((l, i) => linkButton(`下载 ${l.label}`, l.url, i === 0 ? 'primary' : 'default'))), note(`已生成：${names}。下载链接 ${escapeMarkdown(links[0]!.expiresText)} 前有效，请勿转发给无关人员。`)];
}

/** The same card with the download links appended at the end of its body. */
export function withDownloads(c: CardJson, links: DownloadLink[]): CardJson {
  if (links.length === 0) return c;
  return { ...c, body: { ...c.body, elements: [...c.body.elements, ...downloadElements(links)] } };
}

/** A private card for an export asked for by a command (no card produced it): what it is and its links. */
export function exportReadyCard(v: { title: string; lines: string[]; links: DownloadLink[] }): CardJson {
  return card({ title: v.title, template: 'green', elements: [...v.lines.map((l) => markdown(escapeMarkdown(l))), ...downloadElements(v.links)] });
}
