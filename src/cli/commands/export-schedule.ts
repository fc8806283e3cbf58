import { defineExportCommand, writeOutFile } from '../io.ts';
import { PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { formatChineseDate, shanghaiDate } from '../../domain/time.ts';
import { writeScheduleXlsx } from '../../adapters/files/schedule-xlsx.ts';
import { currentScheduleRows, latestPublished } from '../../usecases/schedule/rows.ts';

export const exportSchedule = defineExportCommand({
  usage: 'export schedule --year 2023 --out 计划安排表.xlsx',
  summary: '导出全年“政务公开主题日”活动计划安排表（XLSX，按月份；取最新发布版本，未发布时取当前审核通过的主题）',
  options: { extension: '.xlsx' },
  async run({ year, out, db, campaign }, io) {
    const published = await latestPublished(db.client, campaign.id);
    const rows = published ? published.rows : await currentScheduleRows(db.client, campaign.id);
    if (rows.length === 0) {
      io.stderr(`${year} 年还没有审核通过的主题，计划安排表为空，未写入文件。`);
      return 1;
    }
    const subtitle = published
      ? `县政务公开和政务服务工作领导小组办公室\u3000第${published.version}版\u3000${formatChineseDate(shanghaiDate(published.publishedAt))}`
      : `未发布（当前审核通过的主题）\u3000导出于${formatChineseDate(shanghaiDate(io.now()))}`;
    const data = await writeScheduleXlsx({ title: PLAN_DEFAULTS.scheduleTitle(year), subtitle, rows, changes: published?.changes.length && published.version > 1 ? published.changes : undefined });
    await writeOutFile(out, data);
    io.stdout(
      published
        ? `已写入 ${out}：第 ${published.version} 版（${formatChineseDate(shanghaiDate(published.publishedAt))}发布），${rows.length} 项活动。`
        : `计划安排表尚未发布，已按当前审核通过的 ${rows.length} 项主题写入 ${out}（非正式版本）。`,
    );
    return 0;
  },
});
