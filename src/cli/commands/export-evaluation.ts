import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { campaignExport, type CliCommand } from '../io.ts';
import { buildEvaluationXlsx } from '../../usecases/evaluation/exports.ts';
import { exportWriter } from '../../app/file-ports.ts';

const USAGE = 'export evaluation --year 2023 --out 评选汇总表.xlsx';

export const exportEvaluation: CliCommand = {
  name: 'export evaluation',
  summary: '导出最佳政务公开主题日活动评选汇总表（XLSX：各评委分项得分、加权总分、去高低平均、名次、并列）',
  usage: USAGE,
  async run(args, io) {
    const a = await campaignExport(args, io, USAGE, {}, { extension: '.xlsx' });
    if (typeof a === 'number') return a;
    const { out, db, campaign } = a;
    const data = await buildEvaluationXlsx(db.client, exportWriter, campaign, io.now());
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(out, data);
    io.stdout(`已写入 ${out}（${(data.length / 1024).toFixed(1)} KB）`);
    return 0;
  },
};
