/** The files a task's report is made of — report.md, report.json and one chart — each written atomically. */
import { join } from 'node:path';
import { writeFileAtomic } from '@xrec/core';

/** Write `md`, `json` (indented by one space) and the chart into `out`; returns the three paths. */
export async function writeTaskReport(out: string, r: { readonly md: string; readonly json: unknown; readonly chart: { readonly file: string; readonly svg: string } }): Promise<string[]> {
  const files = [join(out, 'report.md'), join(out, 'report.json'), join(out, r.chart.file)];
  await writeFileAtomic(files[0]!, r.md);
  await writeFileAtomic(files[1]!, `${JSON.stringify(r.json, null, 1)}\n`);
  await writeFileAtomic(files[2]!, r.chart.svg);
  return files;
}
