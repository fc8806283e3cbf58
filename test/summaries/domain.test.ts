// Summary validation, photo checks, EXIF, evidence rules, the link checker (local server) and the ZIP writer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, rawFromForm, parseDateList, parseLinkLines, pickActivityForPhoto, emptyRaw, summaryStatus, type SummaryRaw } from '../../src/domain/summary.ts';
import { checkPhoto, evaluateEvidence, linkProblem, sniffImageType } from '../../src/domain/evidence.ts';
import { readJpegExif } from '../../src/adapters/files/exif.ts';
import { buildExifSegment, tinyJpeg } from '../../src/adapters/files/sample-jpeg.ts';
import { createLinkChecker, checkSummaryLinks } from '../../src/adapters/http/link-checker.ts';
import { readZip, writeZipBuffer } from '../../src/adapters/files/evidence-zip.ts';

function goodRaw(): SummaryRaw {
  return {
    ...emptyRaw(),
    dates: ['2023-05-12', '', ''],
    datesText: '5月20日',
    forms: ['forum', 'questionnaire'],
    participants: { npcDeputies: '3', cppccMembers: '2', experts: '', media: '4', citizens: '40' },
    logo: 'yes',
    links: { media: 'https://news.example.cn/a.html\n\nhttp://www.example.gov.cn/b', website: '', newMedia: '' },
    policy: 'no',
    opinions: '12',
    surveyAnswers: '230',
    summary: '召开营商环境座谈会，邀请人大代表、政协委员、企业代表参加，介绍政策落实情况并听取意见建议。',
    experience: '会前问卷摸底，会上逐条回应，会后公开办理结果。',
  };
}

describe('summary validation', () => {
  it('accepts a complete summary and normalises it', () => {
    const r = parseSummary(goodRaw(), { year: 2023, today: '2023-06-01' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values.heldDates).toEqual(['2023-05-12', '2023-05-20']);
    expect(r.values.formsUsed).toEqual(['forum', 'questionnaire']);
    expect(r.values.participants).toEqual({ npcDeputies: 3, cppccMembers: 2, experts: 0, media: 4, citizens: 40 });
    expect(r.values.links.media).toHaveLength(2);
    expect(r.values.surveyAnswers).toBe(230);
  });

  it('reports every problem next to its field, in Chinese', () => {
    const raw: SummaryRaw = {
      ...goodRaw(),
      dates: ['', '', ''],
      datesText: '明天',
      forms: [],
      participants: { citizens: '-3' },
      logo: '',
      links: { media: 'www.example.com\nftp://x.cn/a', website: '', newMedia: '' },
      opinions: '',
      surveyAnswers: '',
      summary: '太短',
      experience: '',
    };
    const r = parseSummary(raw, { year: 2023, today: '2023-06-01' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.held_dates_text).toContain('无法识别的日期：明天');
    expect(r.errors.p_citizens).toContain('不小于 0 的整数');
    expect(r.errors.logo_shown).toContain('LOGO');
    expect(r.errors.links_media).toContain('www.example.com');
    expect(r.errors.links_media).toContain('ftp://x.cn/a');
    expect(r.errors.opinions_count).toContain('没有请填 0');
    expect(r.errors.summary_text).toContain('至少 20 个字');
    expect(r.errors.experience).toContain('至少 10 个字');
    expect(r.errors.forms_used).toContain('活动形式');
  });

  it('needs survey answers only with 问卷调查; refuses future dates and other years', () => {
    const r = parseSummary({ ...goodRaw(), surveyAnswers: '' }, { year: 2023, today: '2023-06-01' });
    expect(!r.ok && r.errors.survey_answers).toContain('问卷');
    const r2 = parseSummary({ ...goodRaw(), forms: ['forum'], surveyAnswers: '' }, { year: 2023, today: '2023-06-01' });
    expect(r2.ok).toBe(true);
    const r3 = parseSummary({ ...goodRaw(), datesText: '2023-07-01' }, { year: 2023, today: '2023-06-01' });
    expect(!r3.ok && r3.errors.held_dates_text).toContain('不能晚于今天');
    // A picked date's error sits under the pickers, not under 其他日期.
    const r4 = parseSummary({ ...goodRaw(), dates: ['2027-05-01', '', ''], datesText: '' }, { year: 2023, today: '2023-06-01' });
    expect(!r4.ok && r4.errors.held_date_1).toContain('不能晚于今天：2027-05-01');
    expect(!r4.ok && r4.errors.held_dates_text).toBeUndefined();
  });

  it('needs someone at an on-site activity; a questionnaire alone may have nobody on site', () => {
    const nobody = { npcDeputies: '', cppccMembers: '0', experts: '', media: '', citizens: '' };
    const r = parseSummary({ ...goodRaw(), participants: nobody }, { year: 2023, today: '2023-06-01' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.p_npcDeputies).toContain('请填写参加活动的人数');
    const survey = parseSummary({ ...goodRaw(), forms: ['questionnaire'], participants: nobody }, { year: 2023, today: '2023-06-01' });
    expect(survey.ok).toBe(true);
    // A count that is not a number is named as such, not as nobody having come.
    const typo = parseSummary({ ...goodRaw(), participants: { ...nobody, citizens: '四十' } }, { year: 2023, today: '2023-06-01' });
    expect(!typo.ok && typo.errors.p_citizens).toContain('整数');
    expect(!typo.ok && typo.errors.p_npcDeputies).toBeUndefined();
  });

  it('reads full-width digits as typed in a Chinese input method', () => {
    const r = parseSummary({ ...goodRaw(), datesText: '５月２０日', participants: { citizens: '１２０', media: ' ３ ' }, opinions: '１２', surveyAnswers: '２３０' }, { year: 2023, today: '2023-06-01' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values.heldDates).toEqual(['2023-05-12', '2023-05-20']);
    expect(r.values.participants).toMatchObject({ citizens: 120, media: 3 });
    expect([r.values.opinionsCount, r.values.surveyAnswers]).toEqual([12, 230]);
  });

  it('reads a card form_value (date pickers may carry a zone suffix)', () => {
    const raw = rawFromForm({ held_date_1: '2023-05-12 +0800', forms_used: ['forum'], p_media: 3, logo_shown: 'yes', links_media: 'https://a.cn' });
    expect(raw.dates[0]).toBe('2023-05-12');
    expect(raw.participants.media).toBe('3');
    expect(raw.forms).toEqual(['forum']);
  });

  it('date and link lists', () => {
    expect(parseDateList('2023-05-12、2023/5/20，5月21日 6.1', 2023)).toEqual({ dates: ['2023-05-12', '2023-05-20', '2023-05-21', '2023-06-01'], bad: [] });
    expect(parseDateList('2023-02-30', 2023).bad).toEqual(['2023-02-30']);
    expect(parseLinkLines('https://a.cn/x\n javascript:alert(1)\nhttps://u:p@a.cn/\nhttps://a.cn/x')).toEqual({ urls: ['https://a.cn/x'], bad: ['javascript:alert(1)', 'https://u:p@a.cn/'] });
  });

  it('names a summary none, draft or submitted by what was filled in, not by its row (made by the first photo)', () => {
    // The row a photo makes: the schema's defaults.
    const fresh = { status: 'draft', heldDates: '[]', formsUsed: '[]', participants: '{}', logoShown: null, links: '{}', policyReleased: null, opinionsCount: null, surveyAnswers: null, summaryText: null, experience: null };
    expect(summaryStatus(null, false)).toBe('none');
    expect(summaryStatus(fresh, false)).toBe('none');
    expect(summaryStatus({ ...fresh, participants: '{"npcDeputies":0,"cppccMembers":0,"experts":0,"media":0,"citizens":0}', links: '{"media":[],"website":[],"newMedia":[]}' }, false)).toBe('none');
    expect(summaryStatus(fresh, true)).toBe('draft');
    expect(summaryStatus(null, true)).toBe('draft');
    expect(summaryStatus({ ...fresh, participants: '{"citizens":3}' }, false)).toBe('draft');
    expect(summaryStatus({ ...fresh, links: '{"media":["https://example.cn/a"]}' }, false)).toBe('draft');
    expect(summaryStatus({ ...fresh, heldDates: '["2023-05-10"]' }, false)).toBe('draft');
    expect(summaryStatus({ ...fresh, logoShown: false }, false)).toBe('draft');
    expect(summaryStatus({ ...fresh, summaryText: '座谈' }, false)).toBe('draft');
    expect(summaryStatus({ ...fresh, status: 'submitted' }, false)).toBe('submitted');
  });

  it('picks the activity a loose photo belongs to', () => {
    const themes = [
      { id: 'a', month: 5 },
      { id: 'b', month: 9 },
    ];
    expect(pickActivityForPhoto(themes, 6).pick?.id).toBe('a');
    expect(pickActivityForPhoto(themes, 9).pick?.id).toBe('b');
    expect(pickActivityForPhoto(themes, 3).ambiguous).toHaveLength(2);
    expect(
      pickActivityForPhoto(
        [
          { id: 'a', month: 5 },
          { id: 'c', month: 5 },
        ],
        6,
      ).ambiguous,
    ).toHaveLength(2);
  });
});

describe('photos', () => {
  it('sniffs types by magic bytes and enforces the size limit', () => {
    expect(sniffImageType(tinyJpeg())).toBe('jpeg');
    expect(sniffImageType(Buffer.from('89504e470d0a1a0a0000', 'hex'))).toBe('png');
    expect(sniffImageType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))).toBe('webp');
    expect(sniffImageType(Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic')]))).toBe('heic');
    expect(sniffImageType(Buffer.from('%PDF-1.4'))).toBeUndefined();
    const big = checkPhoto(tinyJpeg({ padTo: 2_200_000 }), 2 * 1024 * 1024, 'big.jpg');
    expect(big).toMatchObject({ ok: false, reason: 'too_large' });
    expect(!big.ok && big.message).toContain('2.1 MB');
    const pdf = checkPhoto(Buffer.from('%PDF-1.4 hello'), 1024 * 1024, '通知.jpg');
    expect(!pdf.ok && pdf.message).toContain('不是支持的图片格式');
  });

  it('reads EXIF DateTimeOriginal (little- and big-endian), ignores junk', async () => {
    expect(await readJpegExif(tinyJpeg({ dateTimeOriginal: '2023:05:12 10:30:00', description: 'demo photo 1' }))).toEqual({ dateTimeOriginal: '2023:05:12 10:30:00', takenOn: '2023-05-12' });
    expect((await readJpegExif(tinyJpeg({ dateTimeOriginal: '2023:11:02 08:00:00', bigEndian: true }))).takenOn).toBe('2023-11-02');
    expect(await readJpegExif(tinyJpeg())).toEqual({});
    expect(await readJpegExif(tinyJpeg({ dateTimeOriginal: '0000:00:00 00:00:00' }))).toEqual({});
    const seg = buildExifSegment({ dateTimeOriginal: '2023:05:12 10:30:00' });
    const truncated = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from(seg.subarray(0, seg.length - 10))]);
    expect(await readJpegExif(truncated)).toEqual({});
    expect(await readJpegExif(Buffer.from('not a jpeg'))).toEqual({});
  });
});

describe('evidence checks', () => {
  const base = { year: 2023, month: 5, heldDates: ['2023-05-12'], links: { media: ['https://a.cn'], website: [], newMedia: [] }, logoShown: true as boolean | null };
  it('flags far photo dates, missing LOGO photo, broken links; never blocks', () => {
    const check = evaluateEvidence(
      {
        ...base,
        photos: [
          { id: '1', fileName: 'a.jpg', takenOn: '2023-05-12', kind: 'photo' },
          { id: '2', fileName: 'old.jpg', takenOn: '2022-12-30', kind: 'photo' },
          { id: '3', fileName: 'c.jpg', takenOn: '2023-06-20', kind: 'photo' },
        ],
        linkResults: [{ url: 'https://a.cn', channel: 'media', ok: false, status: 404, error: 'http_error' }],
      },
      new Date('2023-06-01T00:00:00Z'),
    );
    const codes = check.issues.map((i) => i.code);
    expect(codes).toContain('photo_date_far');
    expect(check.issues.filter((i) => i.code === 'photo_date_far')).toHaveLength(1);
    expect(codes).toContain('logo_photo_missing');
    expect(codes).toContain('link_broken');
    expect(check.issues.find((i) => i.code === 'link_broken')?.message).toContain('404');
  });
  it('says why a link failed in Chinese, never with the checker code', () => {
    expect([{ error: 'timeout' }, { error: 'http_error', status: 404 }, { error: 'too_many_redirects' }, { error: 'blocked' }, { error: 'network' }, {}].map(linkProblem)).toEqual([
      '访问超时',
      '返回错误 404',
      '重定向次数过多',
      '指向内网或保留地址，未访问',
      '无法访问',
      '无法访问',
    ]);
  });

  it('no links and no photos', () => {
    const check = evaluateEvidence({ ...base, links: { media: [], website: [], newMedia: [] }, photos: [], linkCheckSkipped: true }, new Date('2023-06-01T00:00:00Z'));
    expect(check.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['no_links', 'no_photos']));
  });
});

describe('link checker (local server on 127.0.0.1)', () => {
  let server: http.Server;
  let base = '';
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') return res.writeHead(200).end('ok');
      if (req.url === '/nohead') return req.method === 'HEAD' ? res.writeHead(405).end() : res.writeHead(200).end('ok');
      if (req.url === '/moved') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/slow') return; // never answers
      res.writeHead(404).end('missing');
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('200, 404, HEAD refused then GET, redirects, loops and timeouts', async () => {
    const checker = createLinkChecker({ timeoutMs: 5000, maxRedirects: 3, allow: '127.0.0.1' });
    expect(await checker.check(`${base}/ok`)).toMatchObject({ ok: true, status: 200 });
    expect(await checker.check(`${base}/gone`)).toMatchObject({ ok: false, status: 404, error: 'http_error' });
    expect(await checker.check(`${base}/nohead`)).toMatchObject({ ok: true, status: 200 });
    expect(await checker.check(`${base}/moved`)).toMatchObject({ ok: true, status: 200, finalUrl: `${base}/ok` });
    expect(await checker.check(`${base}/loop`)).toMatchObject({ ok: false, error: 'too_many_redirects' });
    expect(await createLinkChecker({ timeoutMs: 300, allow: '127.0.0.1' }).check(`${base}/slow`)).toMatchObject({ ok: false, error: 'timeout' });
    expect(await checker.check('ftp://127.0.0.1/x')).toMatchObject({ ok: false, error: 'bad_url' });
    const all = await checkSummaryLinks({ media: [`${base}/ok`], website: [`${base}/gone`], newMedia: [] }, checker);
    expect(all.map((r) => [r.channel, r.ok])).toEqual([
      ['media', true],
      ['website', false],
    ]);
  });
});

describe('evidence zip (archiver / yauzl)', () => {
  it('round-trips UTF-8 names, deflated and stored entries, loading lazy entries', async () => {
    const jpeg = tinyJpeg({ dateTimeOriginal: '2023:05:12 10:00:00' });
    const zip = await writeZipBuffer([
      { name: '01-星沙街道/活动总结.html', data: Buffer.from('<h1>总结</h1>'.repeat(50)) },
      { name: '01-星沙街道/照片/01.jpg', data: async () => jpeg, store: true },
    ]);
    const back = await readZip(zip);
    expect(back.map((e) => e.name)).toEqual(['01-星沙街道/活动总结.html', '01-星沙街道/照片/01.jpg']);
    expect(back[1]!.data.equals(jpeg)).toBe(true);
    expect(back.map((e) => e.store)).toEqual([false, true]);
    expect(back[0]!.data.toString('utf8')).toContain('总结');
  });
});
