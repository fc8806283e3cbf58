// Activity photos sent to the bot in a unit group.
//
// Transaction boundaries (why): the inbound message is handled inside the router's transaction,
// which on SQLite holds the write lock. Downloading a photo (up to config.maxPhotoBytes) inside it
// would stall every other writer, so the handler only decides where the photo goes and registers
// after-commit work; the download, checks, storage, sha256, EXIF and image upload run outside any
// transaction, and the result is recorded in a second short transaction (withContext).
// Idempotent: an Attachment is unique per (summary, sha256), and a message id already recorded is
// skipped. If the process dies between the two transactions the photo is not recorded; the liaison
// sees no "已收到" reply and sends it again.
import { createHash } from 'node:crypto';
import { isUniqueViolation, type AppServices, type UseCaseContext } from '../../app/bot.ts';
import type { MessageEvent } from '../../app/events.ts';
import { withContext } from '../../app/context.ts';
import { isCoordinator, isLiaisonOf, unitOfChat } from '../../app/access.ts';
import { checkPhoto, IMAGE_EXT, IMAGE_MIME, mayBePhotoFile, monthsAway, PHOTO_MONTH_TOLERANCE, photoTooLarge, type PhotoVerdict } from '../../domain/evidence.ts';
import { ResourceTooLargeError } from '../../ports/feishu.ts';
import { pickActivityForPhoto, summaryStatus } from '../../domain/summary.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { photoReceivedCard, photoTargetCard, type PhotoItem, type SummaryStatus } from '../../../cards/summary.ts';
import { resolveCampaign } from '../campaign/resolve.ts';
import { canActForUnit, deny, listActivities, loadActivity, NOT_LIAISON, type ActivityRow } from './common.ts';
import { recomputeEvidence } from './evidence.ts';
import { CARD_KEY_PREFIX, draftSubject, summaryRowSelect } from './summary.ts';

export interface IncomingPhoto {
  chatId: string;
  messageId: string;
  fileKey: string;
  resourceType: 'image' | 'file';
  fileName: string;
  uploader: string;
}

/** The image resource of a message: an image, or a file whose name looks like a photo. */
export function photoOf(message: MessageEvent): IncomingPhoto | undefined {
  const c = message.content;
  if (message.msgType === 'image' && typeof c.image_key === 'string') {
    return { chatId: message.chatId, messageId: message.messageId, fileKey: c.image_key, resourceType: 'image', fileName: `照片-${message.messageId.slice(-6)}.jpg`, uploader: message.senderOpenId };
  }
  if (message.msgType === 'file' && typeof c.file_key === 'string') {
    const fileName = typeof c.file_name === 'string' ? c.file_name : '';
    if (!mayBePhotoFile(fileName)) return undefined;
    return { chatId: message.chatId, messageId: message.messageId, fileKey: c.file_key, resourceType: 'file', fileName, uploader: message.senderOpenId };
  }
  return undefined;
}

/** The unit of the activity a reply to a summary card is about (the reply may be outside its group). */
async function unitOfActivity(ctx: UseCaseContext, themeId: string | undefined): Promise<{ id: string; name: string } | null> {
  const a = themeId ? await loadActivity(ctx.tx, themeId) : null;
  return a ? { id: a.unitId, name: a.unitName } : null;
}

/** The theme a reply is about, when the parent message is one of our summary cards. */
async function themeOfParent(ctx: UseCaseContext, parentId: string | undefined): Promise<string | undefined> {
  if (!parentId) return undefined;
  // A card that shows one activity (opened, saved or submitted in place).
  const shown = await ctx.tx.keyValue.findUnique({ where: { key: CARD_KEY_PREFIX + parentId } });
  if (shown) return shown.value;
  // A card we sent (reminder, photo receipt …) whose buttons name exactly one activity.
  const sent = await ctx.tx.outboxMessage.findFirst({ where: { resultMessageId: parentId }, select: { payload: true } });
  if (sent && sent.payload.includes('"a":"summary.')) {
    const ids = new Set([...sent.payload.matchAll(/"themeId":"([A-Za-z0-9_-]+)"/g)].map((m) => m[1]!));
    if (ids.size === 1) return [...ids][0];
  }
  const draft = await ctx.tx.formDraft.findFirst({ where: { messageId: parentId, subject: { startsWith: 'summary:' } }, select: { subject: true } });
  return draft ? draft.subject.slice('summary:'.length) : undefined;
}

const PENDING_PREFIX = 'summary.pending_photo:';

/**
 * The message handler (registered with bot.onMessage): images in a bound unit group from the
 * unit's liaison go to an activity, and so does an image sent in reply to one of our summary cards
 * wherever that card is (the coordinator's group shows a unit's summary too, and says to reply to
 * it with photos); everything else is left to other handlers.
 */
export async function handlePhotoMessage(ctx: UseCaseContext, message: MessageEvent): Promise<boolean> {
  if (message.chatType !== 'group') return false;
  const photo = photoOf(message);
  if (!photo) return false;
  const parentTheme = await themeOfParent(ctx, message.parentId);
  const unit = (await unitOfChat(ctx.tx, message.chatId)) ?? (await unitOfActivity(ctx, parentTheme));
  if (!unit) return false;
  const campaign = await resolveCampaign(ctx.tx, 'summaries', { now: ctx.now });
  if (!campaign) return false;
  const allowed = (await isLiaisonOf(ctx.tx, message.senderOpenId, unit.id)) || (await isCoordinator(ctx.tx, message.senderOpenId, ctx.config.coordinatorOpenIds));
  if (!allowed) {
    // People share photos in groups all the time: only a reply to our card gets an explanation.
    if (!parentTheme) return false;
    const msg = await deny(ctx, 'summary.photo', 'Theme', parentTheme, NOT_LIAISON);
    await ctx.enqueue(`summary.photo_ack:${message.messageId}`, { op: 'reply', messageId: message.messageId, text: msg });
    return true;
  }
  const activities = await listActivities(ctx.tx, campaign.id, unit.id);
  if (activities.length === 0) return false;
  let target: ActivityRow | undefined = parentTheme ? activities.find((a) => a.themeId === parentTheme) : undefined;
  if (!target) {
    const today = shanghaiDate(ctx.now);
    const currentMonth = Number(today.slice(0, 4)) > campaign.year ? 12 : Number(today.slice(5, 7));
    const choice = pickActivityForPhoto(
      activities.map((a) => ({ ...a, id: a.themeId })),
      currentMonth,
    );
    if (choice.pick) target = choice.pick;
    else {
      await ctx.tx.keyValue.upsert({
        where: { key: PENDING_PREFIX + message.messageId },
        create: { key: PENDING_PREFIX + message.messageId, value: JSON.stringify(photo) },
        update: { value: JSON.stringify(photo) },
      });
      const options = (choice.ambiguous.length > 0 ? choice.ambiguous : activities).map((a) => ({ themeId: a.themeId, label: `${a.month}月 · ${a.title}`.slice(0, 60) }));
      await ctx.enqueue(`summary.photo_ask:${message.messageId}`, { op: 'reply', messageId: message.messageId, card: photoTargetCard({ ref: message.messageId, options }) });
      return true;
    }
  }
  const services = ctx.services;
  const themeId = target.themeId;
  ctx.afterCommit(async () => {
    await ingestPhoto(services, themeId, photo);
  });
  return true;
}

/** What choosing a pending photo's activity did. */
export type PhotoTargetResult = { kind: 'chosen'; title: string } | { kind: 'already_handled' } | { kind: 'no_activity' } | { kind: 'unreadable' } | { kind: 'refused'; text: string };

/** `summary.photo_target`: the liaison chose the activity for a pending photo. */
export async function choosePhotoTarget(ctx: UseCaseContext, ref: string, themeId: string): Promise<PhotoTargetResult> {
  const pending = await ctx.tx.keyValue.findUnique({ where: { key: PENDING_PREFIX + ref } });
  if (!pending) return { kind: 'already_handled' };
  const activity = await loadActivity(ctx.tx, themeId);
  if (!activity) return { kind: 'no_activity' };
  if (!(await canActForUnit(ctx, activity.unitId))) return { kind: 'refused', text: await deny(ctx, 'summary.photo_target', 'Theme', themeId, NOT_LIAISON) };
  let photo: IncomingPhoto;
  try {
    photo = JSON.parse(pending.value) as IncomingPhoto;
  } catch {
    return { kind: 'unreadable' };
  }
  await ctx.tx.keyValue.delete({ where: { key: pending.key } });
  const services = ctx.services;
  ctx.afterCommit(async () => {
    await ingestPhoto(services, themeId, photo);
  });
  return { kind: 'chosen', title: activity.title };
}

type IngestOutcome = { kind: 'stored'; attachmentId: string; count: number } | { kind: 'duplicate'; count: number } | { kind: 'refused'; message: string } | { kind: 'failed'; message: string };

/** Download, check, store and record one photo (outside the inbound transaction). */
export async function ingestPhoto(services: AppServices, themeId: string, photo: IncomingPhoto): Promise<IngestOutcome> {
  const { gateway, storage, config, log } = services;
  let bytes: Buffer = Buffer.alloc(0);
  let verdict: PhotoVerdict | undefined;
  try {
    // The size limit holds while downloading: an oversized photo is never held in memory whole.
    bytes = await gateway.downloadMessageResource({ messageId: photo.messageId, fileKey: photo.fileKey, type: photo.resourceType, maxBytes: config.maxPhotoBytes });
  } catch (error) {
    if (error instanceof ResourceTooLargeError) verdict = photoTooLarge(error.size, config.maxPhotoBytes, photo.resourceType === 'file' ? photo.fileName : '', error.atLeast);
    else {
      log.warn('photo download failed', { messageId: photo.messageId, error });
      const message = '照片下载失败（网络或权限问题），请稍后重新发送';
      await reply(services, photo, message, 'failed');
      return { kind: 'failed', message };
    }
  }
  verdict ??= checkPhoto(bytes, config.maxPhotoBytes, photo.resourceType === 'file' ? photo.fileName : '');
  if (!verdict.ok) {
    await withContext(
      services,
      photo.uploader,
      async (ctx) => {
        await ctx.audit({ action: 'summary.photo_refused', entity: 'Theme', entityId: themeId, decision: 'deny', reason: `${verdict.reason}: ${verdict.message}` });
        await ctx.enqueue(`summary.photo_ack:${photo.messageId}`, { op: 'reply', messageId: photo.messageId, text: verdict.message });
      },
      { eventId: `photo:${photo.messageId}` },
    );
    return { kind: 'refused', message: verdict.message };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const exif = verdict.type === 'jpeg' ? await services.photos.readExif(bytes) : {};
  const activity = await services.db.theme.findUnique({ where: { id: themeId }, select: { submission: { select: { campaign: { select: { year: true } } } } } });
  const year = activity?.submission.campaign.year ?? 0;
  const ext = IMAGE_EXT[verdict.type];
  const storedPath = await storage.put(`photos/${year}/${themeId}/${sha256.slice(0, 32)}.${ext}`, bytes);
  // An image key of our own lets judges' cards show the photo (HEIC cannot be shown in a card).
  let feishuKey: string | null = null;
  if (verdict.type !== 'heic') {
    try {
      feishuKey = (await gateway.uploadImage(bytes)).imageKey;
    } catch (error) {
      log.warn('photo upload for cards failed; the card lists it instead', { messageId: photo.messageId, error });
    }
  }
  const fileName = photo.resourceType === 'file' ? photo.fileName : `照片-${photo.messageId.slice(-6)}.${ext}`;
  try {
    return await record(services, themeId, photo, { bytes, sha256, exif, verdictType: verdict.type, storedPath, feishuKey, fileName });
  } catch (error) {
    // The same photo sent twice at once: the second insert loses on (summary, sha256).
    if (!isUniqueViolation(error)) throw error;
    return record(services, themeId, photo, { bytes, sha256, exif, verdictType: verdict.type, storedPath, feishuKey, fileName });
  }
}

interface Prepared {
  bytes: Buffer;
  sha256: string;
  exif: { takenOn?: string };
  verdictType: keyof typeof IMAGE_MIME;
  storedPath: string;
  feishuKey: string | null;
  fileName: string;
}

async function record(services: AppServices, themeId: string, photo: IncomingPhoto, p: Prepared): Promise<IngestOutcome> {
  const { bytes, sha256, exif, storedPath, feishuKey, fileName } = p;
  const verdict = { type: p.verdictType };
  return withContext(
    services,
    photo.uploader,
    async (ctx): Promise<IngestOutcome> => {
      const a = await loadActivity(ctx.tx, themeId);
      if (!a) return { kind: 'failed', message: 'activity gone' };
      const summary = await ctx.tx.summary.upsert({ where: { themeId }, create: { themeId, status: 'draft' }, update: {}, select: { id: true } });
      const bySource = await ctx.tx.attachment.findFirst({ where: { summaryId: summary.id, sourceMessageId: photo.messageId } });
      const bySha = await ctx.tx.attachment.findUnique({ where: { summaryId_sha256: { summaryId: summary.id, sha256 } } });
      let outcome: IngestOutcome;
      if (bySource || (bySha && !bySha.deletedAt)) {
        outcome = { kind: 'duplicate', count: await liveCount(ctx, summary.id) };
      } else if (bySha) {
        await ctx.tx.attachment.update({ where: { id: bySha.id }, data: { deletedAt: null, sourceMessageId: photo.messageId, uploadedBy: photo.uploader, feishuKey: feishuKey ?? bySha.feishuKey } });
        outcome = { kind: 'stored', attachmentId: bySha.id, count: await liveCount(ctx, summary.id) };
      } else {
        const row = await ctx.tx.attachment.create({
          data: {
            summaryId: summary.id,
            kind: 'photo',
            feishuKey,
            sourceMessageId: photo.messageId,
            storagePath: storedPath,
            fileName,
            mimeType: IMAGE_MIME[verdict.type],
            sizeBytes: bytes.length,
            sha256,
            takenOn: exif.takenOn ?? null,
            uploadedBy: photo.uploader,
            createdAt: ctx.now,
          },
        });
        outcome = { kind: 'stored', attachmentId: row.id, count: await liveCount(ctx, summary.id) };
      }
      if (outcome.kind === 'stored') {
        await ctx.audit({ action: 'summary.photo_add', entity: 'Attachment', entityId: outcome.attachmentId, after: { themeId, sha256, sizeBytes: bytes.length, takenOn: exif.takenOn ?? null } });
        await recomputeEvidence(ctx.tx, summary.id, ctx.now, 'keep');
      }
      const far = exif.takenOn && monthsAway(exif.takenOn, a.year, a.month) > PHOTO_MONTH_TOLERANCE ? `拍摄日期与活动月份（${a.month}月）相差超过 1 个月，请确认是否为本次活动照片` : undefined;
      const summaryStatus = await summaryStatusOf(ctx, themeId);
      await ctx.enqueue(`summary.photo_ack:${photo.messageId}`, {
        op: 'reply',
        messageId: photo.messageId,
        card: photoReceivedCard({ themeId, title: a.title, count: outcome.kind === 'stored' || outcome.kind === 'duplicate' ? outcome.count : 0, summaryStatus, duplicate: outcome.kind === 'duplicate', takenOn: exif.takenOn, warning: far }),
      });
      return outcome;
    },
    { eventId: `photo:${photo.messageId}` },
  );
}

/**
 * Where the activity's summary stands, for the buttons under a photo: the row a photo creates is
 * empty ('none'); a saved draft has content ('draft'); a submitted one offers 查看 / 修改.
 */
async function summaryStatusOf(ctx: UseCaseContext, themeId: string): Promise<SummaryStatus> {
  const s = await ctx.tx.summary.findUnique({ where: { themeId }, select: summaryRowSelect });
  if (s?.status === 'submitted') return 'submitted';
  return summaryStatus(s, (await ctx.tx.formDraft.count({ where: { subject: draftSubject(themeId) } })) > 0);
}

async function liveCount(ctx: UseCaseContext, summaryId: string): Promise<number> {
  return ctx.tx.attachment.count({ where: { summaryId, deletedAt: null } });
}

async function reply(services: AppServices, photo: IncomingPhoto, text: string, kind: string): Promise<void> {
  await withContext(services, photo.uploader, async (ctx) => {
    await ctx.enqueue(`summary.photo_ack:${photo.messageId}:${kind}`, { op: 'reply', messageId: photo.messageId, text });
  });
}

/** The photo list card's content (a page of it); the feature module adds a notice. */
export interface PhotoListView {
  themeId: string;
  unitName: string;
  title: string;
  photos: PhotoItem[];
  page: number;
}

async function photoListFor(ctx: UseCaseContext, a: ActivityRow, page = 0): Promise<PhotoListView> {
  const s = await ctx.tx.summary.findUnique({ where: { themeId: a.themeId }, select: { id: true } });
  const photos = s ? await ctx.tx.attachment.findMany({ where: { summaryId: s.id, deletedAt: null }, orderBy: { createdAt: 'asc' } }) : [];
  return {
    themeId: a.themeId,
    unitName: a.unitName,
    title: a.title,
    photos: photos.map((p) => ({ id: p.id, fileName: p.fileName, takenOn: p.takenOn, sizeBytes: p.sizeBytes, isLogo: p.kind === 'logo_photo', ...(p.feishuKey ? { imageKey: p.feishuKey } : {}) })),
    page,
  };
}

/** What a photo list button did: `missing` names what is gone (the photo or its activity). */
export type PhotoListResult =
  | { kind: 'missing'; what: 'photo' | 'activity' }
  | { kind: 'refused'; text: string }
  | { kind: 'list'; list: PhotoListView }
  | { kind: 'already_deleted'; list: PhotoListView }
  | { kind: 'deleted'; fileName: string; list: PhotoListView }
  | { kind: 'logo'; marked: boolean; list: PhotoListView };

/** `summary.photos`: the photo list with 删除 / LOGO buttons. */
export async function openPhotoList(ctx: UseCaseContext, themeId: string, page = 0): Promise<PhotoListResult> {
  const a = await loadActivity(ctx.tx, themeId);
  if (!a) return { kind: 'missing', what: 'activity' };
  if (!(await canActForUnit(ctx, a.unitId))) return { kind: 'refused', text: await deny(ctx, 'summary.photos', 'Theme', themeId, NOT_LIAISON) };
  return { kind: 'list', list: await photoListFor(ctx, a, page) };
}

async function photoAndActivity(ctx: UseCaseContext, photoId: string, action: string): Promise<{ a: ActivityRow; photo: { id: string; summaryId: string; kind: string; fileName: string; deletedAt: Date | null } } | PhotoListResult> {
  const photo = await ctx.tx.attachment.findUnique({ where: { id: photoId }, select: { id: true, summaryId: true, kind: true, fileName: true, deletedAt: true, summary: { select: { themeId: true } } } });
  if (!photo) return { kind: 'missing', what: 'photo' };
  const a = await loadActivity(ctx.tx, photo.summary.themeId);
  if (!a) return { kind: 'missing', what: 'activity' };
  if (!(await canActForUnit(ctx, a.unitId))) return { kind: 'refused', text: await deny(ctx, action, 'Attachment', photoId, NOT_LIAISON) };
  return { a, photo };
}

/** `summary.photo_del`: soft delete (the file stays for the audit trail; exports skip it). */
export async function removePhoto(ctx: UseCaseContext, photoId: string, page = 0): Promise<PhotoListResult> {
  const r = await photoAndActivity(ctx, photoId, 'summary.photo_del');
  if (!('a' in r)) return r;
  if (r.photo.deletedAt) return { kind: 'already_deleted', list: await photoListFor(ctx, r.a) };
  await ctx.tx.attachment.update({ where: { id: photoId }, data: { deletedAt: ctx.now } });
  await ctx.audit({ action: 'summary.photo_del', entity: 'Attachment', entityId: photoId, before: { fileName: r.photo.fileName } });
  await recomputeEvidence(ctx.tx, r.photo.summaryId, ctx.now, 'keep');
  return { kind: 'deleted', fileName: r.photo.fileName, list: await photoListFor(ctx, r.a, page) };
}

/** `summary.photo_logo`: marks (or unmarks) the photo that shows the 政务公开主题日 LOGO on site. */
export async function toggleLogoPhoto(ctx: UseCaseContext, photoId: string, page = 0): Promise<PhotoListResult> {
  const r = await photoAndActivity(ctx, photoId, 'summary.photo_logo');
  if (!('a' in r)) return r;
  if (r.photo.deletedAt) return { kind: 'already_deleted', list: await photoListFor(ctx, r.a) };
  const kind = r.photo.kind === 'logo_photo' ? 'photo' : 'logo_photo';
  await ctx.tx.attachment.update({ where: { id: photoId }, data: { kind } });
  await ctx.audit({ action: 'summary.photo_logo', entity: 'Attachment', entityId: photoId, before: { kind: r.photo.kind }, after: { kind } });
  await recomputeEvidence(ctx.tx, r.photo.summaryId, ctx.now, 'keep');
  return { kind: 'logo', marked: kind === 'logo_photo', list: await photoListFor(ctx, r.a, page) };
}
