export type { Analysis, ReportOptions } from './analysis.ts';
export { analyse } from './analysis.ts';
export { DEFAULT_PRICES, type Prices } from './cost.ts';
export { ReportInputError } from './errors.ts';
export {
  REPORT_SCHEMA_VERSION,
  type ReportJson,
  type ReportVerdict,
  reportJson,
  reportVerdict,
} from './json.ts';
export { type MinuteRow, minuteRows } from './minutes.ts';
export { type RenderedReport, renderReport } from './render.ts';
