import { defineExportCommand, writeOutFile } from '../io.ts';
import { buildEvaluationXlsx } from '../../usecases/evaluation/exports.ts';
import { exportWriter } from '../../app/file-ports.ts';

export const exportEvaluation = defineExportCommand({
  usage: 'export evaluation --year 2023 --out 评选汇总表.xlsx',
  summary: '导出最佳政务公开主题日活动评选汇总表（XLSX：各评委分项得分、加权总分、去高低平均、名次、并列）',
  options: { extension: '.xlsx' },
  async run({ out, db, campaign }, io) {
    const data = await buildEvaluationXlsx(db.client, exportWriter, campaign, io.now());
    await writeOutFile(out, data);
    io.stdout(`已写入 ${out}（${(data.length / 1024).toFixed(1)} KB）`);
    return 0;
  },
});
