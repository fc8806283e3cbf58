import { defineCliCommand, writeOutFile } from '../io.ts';
import { loadHistory } from '../../usecases/history/history.ts';
import { writeHistoryWorkbook } from '../../adapters/files/history-xlsx.ts';

export const exportHistory = defineCliCommand({
  usage: 'export history --out 年度对比.xlsx',
  summary: '导出年度对比（XLSX：每个单位每个年度一行：申报情况、主题数、审核通过、举办、总结完整、宣传链接、评选名次）',
  flags: { out: { type: 'string' } },
  parse(values) {
    if (!values.out) throw new Error('缺少 --out 文件名');
    if (!values.out.toLowerCase().endsWith('.xlsx')) throw new Error('--out 应以 .xlsx 结尾');
    return values.out;
  },
  async run(out, io) {
    const db = await io.openDb();
    const history = await loadHistory(db.client);
    if (history.years.length === 0) {
      io.stderr('还没有已发起的主题日活动年度，没有可导出的内容。');
      return 1;
    }
    const data = await writeHistoryWorkbook(history);
    await writeOutFile(out, data);
    const rows = history.rows.filter((r) => r.outcome !== 'absent').length;
    io.stdout(`已写入 ${out}（${history.years.join('、')} 年，${rows} 行，${(data.length / 1024).toFixed(1)} KB）`);
    return 0;
  },
});
