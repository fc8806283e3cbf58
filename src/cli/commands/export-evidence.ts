import path from 'node:path';
import { defineExportCommand, writeOutFile } from '../io.ts';
import { loadConfig } from '../../config.ts';
import { LocalFileStorage } from '../../adapters/files/storage.ts';
import { evidenceEntries } from '../../usecases/evaluation/exports.ts';
import { writeZipFile } from '../../adapters/files/evidence-zip.ts';
import { exportWriter } from '../../app/file-ports.ts';

export const exportEvidence = defineExportCommand({
  usage: 'export evidence --year 2023 --out 目录 [--zip] [--storage 照片存储目录]',
  summary: '导出活动证据包：每项已总结活动一个文件夹（活动总结.html + 照片）和目录.html；--zip 另存为 ZIP',
  flags: { zip: { type: 'boolean' }, storage: { type: 'string' } },
  options: { outLabel: '目录' },
  async run({ out, db, campaign, values }, io) {
    const zip = values.zip === true;
    const storageDir = values.storage;
    const storage = new LocalFileStorage(storageDir ?? loadConfig().storageDir);
    const entries = await evidenceEntries(db.client, storage, exportWriter, campaign);
    const root = path.resolve(out);
    for (const e of entries) {
      const file = path.join(root, ...e.name.split('/'));
      if (!file.startsWith(root + path.sep)) continue;
      await writeOutFile(file, typeof e.data === 'function' ? await e.data() : e.data);
    }
    const activities = entries.filter((e) => e.name.endsWith('/活动总结.html')).length;
    const photos = entries.filter((e) => e.name.includes('/照片/')).length;
    if (zip) await writeZipFile(entries, `${root}.zip`, io.now());
    io.stdout(`已导出 ${activities} 项活动、${photos} 张照片到 ${out}${zip ? `，并生成 ${out}.zip` : ''}`);
    return 0;
  },
});
