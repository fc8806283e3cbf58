import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { campaignExport, type CliCommand } from '../io.ts';
import { loadConfig } from '../../config.ts';
import { LocalFileStorage } from '../../adapters/files/storage.ts';
import { evidenceEntries } from '../../usecases/evaluation/exports.ts';
import { writeZipFile } from '../../adapters/files/evidence-zip.ts';
import { exportWriter } from '../../app/file-ports.ts';

const USAGE = 'export evidence --year 2023 --out 目录 [--zip] [--storage 照片存储目录]';

export const exportEvidence: CliCommand = {
  name: 'export evidence',
  summary: '导出活动证据包：每项已总结活动一个文件夹（活动总结.html + 照片）和目录.html；--zip 另存为 ZIP',
  usage: USAGE,
  async run(args, io) {
    const a = await campaignExport(args, io, USAGE, { zip: { type: 'boolean' }, storage: { type: 'string' } }, { outLabel: '目录' });
    if (typeof a === 'number') return a;
    const { out, db, campaign } = a;
    const zip = a.values.zip === true;
    const storageDir = a.values.storage;
    const storage = new LocalFileStorage(storageDir ?? loadConfig().storageDir);
    const entries = await evidenceEntries(db.client, storage, exportWriter, campaign);
    const root = path.resolve(out);
    for (const e of entries) {
      const file = path.join(root, ...e.name.split('/'));
      if (!file.startsWith(root + path.sep)) continue;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, typeof e.data === 'function' ? await e.data() : e.data);
    }
    const activities = entries.filter((e) => e.name.endsWith('/活动总结.html')).length;
    const photos = entries.filter((e) => e.name.includes('/照片/')).length;
    if (zip) await writeZipFile(entries, `${root}.zip`, io.now());
    io.stdout(`已导出 ${activities} 项活动、${photos} 张照片到 ${out}${zip ? `，并生成 ${out}.zip` : ''}`);
    return 0;
  },
};
