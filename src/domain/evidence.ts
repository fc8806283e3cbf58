// Evidence checks on a summary: links that do not answer, photos taken far from the activity's
// month, no LOGO photo, no publicity at all. They inform the liaison and the coordinator and
// never block a submission. Also the photo type sniffing by magic bytes. Pure.
import { z } from 'zod';
import { LINK_CHANNELS, type LinkChannel, type SummaryLinks } from './summary.ts';

export type ImageType = 'jpeg' | 'png' | 'webp' | 'heic';

export const IMAGE_MIME: Record<ImageType, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', heic: 'image/heic' };
export const IMAGE_EXT: Record<ImageType, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', heic: 'heic' };

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** The image type by magic bytes, or undefined when the bytes are not a supported image. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 12 && ascii(4, 8) === 'ftyp' && HEIC_BRANDS.has(ascii(8, 12))) return 'heic';
  return undefined;
}

export type PhotoVerdict = { ok: true; type: ImageType } | { ok: false; reason: 'too_large' | 'not_image' | 'empty'; message: string };

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The refusal for a photo over the limit (`atLeast`: the download was stopped, the size is a floor). */
export function photoTooLarge(size: number, maxBytes: number, fileName = '', atLeast = false): PhotoVerdict {
  const name = fileName ? `“${fileName}”` : '这张图片';
  return { ok: false, reason: 'too_large', message: `${name}过大（${atLeast ? '超过 ' : ''}${formatMb(size)}），单张照片不超过 ${formatMb(maxBytes)}，请压缩后重新发送` };
}

/** Size and type limits for a received photo, with the message the liaison sees. */
export function checkPhoto(bytes: Uint8Array, maxBytes: number, fileName = ''): PhotoVerdict {
  const name = fileName ? `“${fileName}”` : '这张图片';
  if (bytes.length === 0) return { ok: false, reason: 'empty', message: `${name}是空文件，请重新发送` };
  if (bytes.length > maxBytes) return photoTooLarge(bytes.length, maxBytes, fileName);
  const type = sniffImageType(bytes);
  if (!type) return { ok: false, reason: 'not_image', message: `${name}不是支持的图片格式：请发送 JPEG、PNG、WebP 或 HEIC 照片` };
  return { ok: true, type };
}

const DOCUMENT_EXT = /\.(pdf|docx?|xlsx?|xlsm|csv|pptx?|wps|et|dps|txt|zip|rar|7z|gz|tar|mp4|mov|avi|mp3|m4a|wav|apk|exe)$/i;

/**
 * A file message that may be a photo: photos are recognised by their bytes, not their name, so
 * only files whose name says they are something else (documents, archives, video) are skipped.
 */
export function mayBePhotoFile(fileName: string): boolean {
  return !DOCUMENT_EXT.test(fileName.trim());
}

/** A file message's name suggests an image (the file itself is still checked by magic bytes). */
export function looksLikeImageName(fileName: string): boolean {
  return /\.(jpe?g|png|webp|heic|heif)$/i.test(fileName);
}

// ---------------------------------------------------------------- link results and issues

export interface LinkResult {
  url: string;
  channel: LinkChannel;
  ok: boolean;
  /** final HTTP status when one came back */
  status?: number;
  /** 'timeout' | 'network' | 'http_error' | 'too_many_redirects' | 'bad_url' | 'blocked' | 'skipped' */
  error?: string;
  finalUrl?: string;
}

export type IssueCode = 'no_links' | 'link_broken' | 'links_not_checked' | 'no_photos' | 'photo_date_far' | 'photo_no_date' | 'logo_photo_missing' | 'logo_not_shown' | 'held_outside_month';

export interface EvidenceIssue {
  code: IssueCode;
  level: 'warn' | 'info';
  message: string;
}

export interface EvidencePhoto {
  id: string;
  fileName: string;
  takenOn: string | null;
  kind: string;
}

export interface EvidenceInput {
  year: number;
  month: number;
  heldDates: string[];
  links: SummaryLinks;
  logoShown: boolean | null;
  photos: EvidencePhoto[];
  /** undefined when links were not checked (config off, or not yet) */
  linkResults?: LinkResult[];
  linkCheckSkipped?: boolean;
}

export interface EvidenceCheck {
  checkedAt: string;
  issues: EvidenceIssue[];
  links: LinkResult[];
  linkCheckSkipped: boolean;
}

/** Months between a civil date and the activity month (0 inside it, 1 for the adjacent month …). */
export function monthsAway(date: string, year: number, month: number): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return Math.abs(y * 12 + m - (year * 12 + month));
}

/** A photo is "far" when taken more than one month away from the activity's month. */
export const PHOTO_MONTH_TOLERANCE = 1;

/** Why a link failed its check, in Chinese (the checker's codes: timeout, http_error, network …). */
export function linkProblem(r: { error?: string; status?: number }): string {
  if (r.error === 'timeout') return '访问超时';
  if (r.error === 'http_error') return `返回错误 ${r.status ?? ''}`.trim();
  if (r.error === 'too_many_redirects') return '重定向次数过多';
  if (r.error === 'blocked') return '指向内网或保留地址，未访问';
  return '无法访问';
}

export function evaluateEvidence(input: EvidenceInput, checkedAt: Date): EvidenceCheck {
  const issues: EvidenceIssue[] = [];
  const total = LINK_CHANNELS.reduce((s, c) => s + input.links[c.key].length, 0);
  if (total === 0) issues.push({ code: 'no_links', level: 'warn', message: '未填写任何宣传链接（新闻媒体报道、政府网站专栏、政务新媒体）' });
  const results = input.linkResults ?? [];
  for (const r of results.filter((x) => !x.ok && x.error !== 'skipped')) issues.push({ code: 'link_broken', level: 'warn', message: `链接${linkProblem(r)}：${r.url}` });
  if (total > 0 && (input.linkCheckSkipped || input.linkResults === undefined)) {
    issues.push({ code: 'links_not_checked', level: 'info', message: '未自动核验链接可访问性（已关闭或尚未核验），请人工抽查' });
  }
  const live = input.photos;
  if (live.length === 0) issues.push({ code: 'no_photos', level: 'warn', message: '尚未上传活动照片：请在单位群里把照片发给机器人' });
  for (const p of live) {
    if (p.takenOn && monthsAway(p.takenOn, input.year, input.month) > PHOTO_MONTH_TOLERANCE) {
      issues.push({ code: 'photo_date_far', level: 'warn', message: `照片“${p.fileName}”拍摄于 ${p.takenOn}，与活动月份（${input.month}月）相差超过 1 个月` });
    }
  }
  const undated = live.filter((p) => !p.takenOn).length;
  if (undated > 0) issues.push({ code: 'photo_no_date', level: 'info', message: `${undated} 张照片没有拍摄日期信息（可能经过压缩或截图），无法核对拍摄时间` });
  if (input.logoShown === false) issues.push({ code: 'logo_not_shown', level: 'warn', message: '活动现场未设置“政务公开主题日”LOGO（方案要求醒目标识）' });
  if (input.logoShown !== false && live.length > 0 && !live.some((p) => p.kind === 'logo_photo')) {
    issues.push({ code: 'logo_photo_missing', level: 'warn', message: '未标记展示 LOGO 的照片：请在照片列表中点“标为 LOGO 照片”' });
  }
  const outside = input.heldDates.filter((d) => monthsAway(d, input.year, input.month) > 0);
  if (outside.length > 0) issues.push({ code: 'held_outside_month', level: 'info', message: `实际举办日期不在计划月份（${input.month}月）：${outside.join('、')}` });
  return { checkedAt: checkedAt.toISOString(), issues, links: results, linkCheckSkipped: input.linkCheckSkipped ?? input.linkResults === undefined };
}

const linkResultSchema = z.object({
  url: z.string(),
  channel: z.enum(['media', 'website', 'newMedia']),
  ok: z.boolean(),
  status: z.number().optional(),
  error: z.string().optional(),
  finalUrl: z.string().optional(),
});
const evidenceCheckSchema = z.object({
  checkedAt: z.string(),
  issues: z.array(z.object({ code: z.string(), level: z.enum(['warn', 'info']), message: z.string() })),
  links: z.array(linkResultSchema),
  linkCheckSkipped: z.boolean(),
});

export function parseEvidenceCheck(json: string | null | undefined): EvidenceCheck | undefined {
  if (!json) return undefined;
  try {
    const r = evidenceCheckSchema.safeParse(JSON.parse(json));
    return r.success ? (r.data as EvidenceCheck) : undefined;
  } catch {
    return undefined;
  }
}

export function warnCount(check: EvidenceCheck | undefined): number {
  return check ? check.issues.filter((i) => i.level === 'warn').length : 0;
}
