import {
  can,
  type JobView,
  LEAD_STATUS_LABELS,
  type LeadFilter,
  adminRequestSchemas as schemas,
} from '../../typings/admin';
import { type AnswerColumn, answerHeader, answerIn, customAnswerColumns } from '../../typings/customFields';
import { FIELD_CATALOGUE, FIELD_KEYS, NAME_FOR_SALES } from '../../typings/fields';
import { CHANNEL_TYPE_LABELS } from '../../typings/pipeline';
import { dayOf } from '../core/funnel';
import { maskPhone } from '../core/phone';
import type { ActivityDoc } from '../repositories/activities';
import { exportExpiry, insertJob, type JobDoc, jobById, leaseJob, saveJob } from '../repositories/jobs';
import { decodeCursor, encodeCursor, leadConditions, leadPage, leadRange } from '../repositories/leadQueries';
import type { LeadDoc } from '../repositories/leads';
import { numberFromEnv } from '../runtime/env';
import { AppError, fieldError } from '../runtime/errors';
import { randomId } from '../runtime/store';
import { fileUrl, readStoredFile, removeFiles, storeFile } from './cloudbase';
import { type AdminContext, actorOf, ownerScope, record, signedIn } from './context';
import { BOM, chinaTime, csvRow } from './csv';
import { handle } from './http';
import { authorizePhoneSearch, countLeads } from './leads';

/**
 * Exports run as jobs (a function cannot answer a large body, and has at most 60 s): each call
 * that advances a job works for a few seconds, writes what it made as a part file in cloud
 * storage and keeps its cursor; the last step joins the parts into one CSV and the job answers a
 * temporary download link. The page polls the job, and every poll advances it.
 */
interface ExportParams {
  filter: LeadFilter;
  includePhone: boolean;
  /** The owner scope of the account that asked (sales: their staff id). */
  ownerScope: string | null | undefined;
  /** The activities' own questions, one column per label, fixed when the export starts. */
  customColumns?: AnswerColumn[];
}

const PAGE = 1000;
const STEP_MS = numberFromEnv('LEADPOOL_EXPORT_STEP_MS', 8_000);
const LEASE_MS = 30_000;
/** Rows per export: a CSV of this many rows stays far below storage and memory limits. */
export const MAX_EXPORT_ROWS = 500_000;

const EXPORT_FIELDS = Object.fromEntries(
  [
    '_id',
    'createdAt',
    'name',
    'phone',
    'channel',
    'channelType',
    'staffId',
    'activityId',
    'tags',
    'score',
    'mql',
    'status',
    'ownerId',
    'answers',
    'source',
    'consentWithdrawnAt',
  ].map((f) => [f, true as const]),
);

/** Every form answer gets a column (name and phone have theirs): the catalogue's fields, in its order. */
const ANSWER_COLUMNS = FIELD_KEYS.filter((key) => key !== 'name' && key !== 'phone');

const FIXED_HEADER = [
  '线索编号',
  '提交时间',
  '日期',
  NAME_FOR_SALES,
  '手机号',
  '渠道',
  '渠道类型',
  '导购',
  '活动',
  '来源',
  '标签',
  '评分',
  'MQL',
  '状态',
  '负责人',
  ...ANSWER_COLUMNS.map((key) => FIELD_CATALOGUE[key].label),
];

interface Names {
  staff: Map<string, string>;
  activities: Map<string, string>;
  channels: Map<string, string>;
}

async function loadNames(ctx: AdminContext): Promise<Names> {
  const [staff, activities, channels] = await Promise.all([
    ctx.db.collection('staff').field({ _id: true, name: true }).limit(1000).get(),
    ctx.db.collection('activities').field({ _id: true, title: true }).limit(1000).get(),
    ctx.db.collection('channels').field({ _id: true, name: true }).limit(1000).get(),
  ]);
  const staffNames = new Map<string, string>(staff.data.map((s: any) => [s._id, s.name]));
  return {
    staff: staffNames,
    activities: new Map(activities.data.map((a: any) => [a._id, a.title])),
    channels: new Map([
      ...channels.data.map((c: any) => [c._id, c.name] as [string, string]),
      ...[...staffNames].map(([id, name]) => [`staff:${id}`, `导购·${name}`] as [string, string]),
      ['organic', CHANNEL_TYPE_LABELS.organic],
      ['referral', CHANNEL_TYPE_LABELS.referral],
    ]),
  };
}

/** The custom answer columns of the activities an export covers (the one filtered on, or all). */
async function customColumnsFor(ctx: AdminContext, filter: LeadFilter): Promise<AnswerColumn[]> {
  const { data } = await ctx.db
    .collection('activities')
    .where(filter.activity ? { _id: filter.activity } : {})
    .field({ customFields: true, retiredFields: true, createdAt: true })
    .limit(1000)
    .get();
  // Oldest first: a column keeps its place as activities are added.
  const activities = (data as Pick<ActivityDoc, 'customFields' | 'retiredFields' | 'createdAt'>[]).sort(
    (a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime(),
  );
  return customAnswerColumns(activities);
}

function rowOf(lead: LeadDoc, names: Names, includePhone: boolean, custom: AnswerColumn[]): string {
  const at = new Date(lead.createdAt);
  const answers = lead.answers ?? {};
  return csvRow([
    lead._id,
    chinaTime(at),
    dayOf(at),
    lead.name,
    includePhone && !lead.consentWithdrawnAt ? lead.phone : maskPhone(lead.phone),
    names.channels.get(lead.channel) ?? lead.channel,
    CHANNEL_TYPE_LABELS[lead.channelType] ?? lead.channelType,
    lead.staffId ? (names.staff.get(lead.staffId) ?? lead.staffId) : '',
    lead.activityId ? (names.activities.get(lead.activityId) ?? lead.activityId) : '',
    lead.source === 'activity' ? '活动报名' : '留资表单',
    (lead.tags ?? []).join(' '),
    lead.score ?? 0,
    lead.mql ? '是' : '否',
    LEAD_STATUS_LABELS[lead.status] ?? lead.status,
    lead.ownerId ? (names.staff.get(lead.ownerId) ?? lead.ownerId) : '公共池',
    ...ANSWER_COLUMNS.map((key) => answers[key]),
    ...custom.map((column) => answerIn(answers, column)),
  ]);
}

function jobView(job: JobDoc, downloadUrl: string | null): JobView {
  return {
    jobId: job._id,
    kind: job.kind,
    status: job.status,
    processed: job.processed,
    total: job.total,
    downloadUrl,
    fileName: job.fileName,
    error: job.error,
  };
}

/** Works on the job for one step; answers the job as it stands after. */
export async function advanceExport(
  ctx: AdminContext,
  job: JobDoc<ExportParams>,
): Promise<JobDoc<ExportParams>> {
  if (job.status !== 'running' || !(await leaseJob(ctx.db, job._id, new Date(), LEASE_MS))) return job;
  const started = Date.now();
  const { filter, includePhone } = job.params;
  const where = leadConditions(ctx.db, filter, job.params.ownerScope);
  const range = leadRange(filter);
  const names = await loadNames(ctx);
  let cursor = job.cursor ? decodeCursor(job.cursor) : null;
  let processed = job.processed;
  const custom = job.params.customColumns ?? [];
  const header = [...FIXED_HEADER, ...custom.map((column) => answerHeader(column, FIXED_HEADER))];
  const chunks: string[] = job.parts.length === 0 && processed === 0 ? [BOM, csvRow(header)] : [];
  let done = false;
  try {
    do {
      const page = await leadPage(ctx.db, where, range, cursor, PAGE, EXPORT_FIELDS);
      for (const lead of page.items) chunks.push(rowOf(lead, names, includePhone, custom));
      processed += page.items.length;
      cursor = page.next;
      done = !cursor || processed >= MAX_EXPORT_ROWS;
    } while (!done && Date.now() - started < STEP_MS);
    const parts = [...job.parts];
    if (chunks.length > 0) {
      const partPath = `exports/${job._id}/part-${String(parts.length).padStart(4, '0')}.csv`;
      parts.push(await storeFile(partPath, Buffer.from(chunks.join(''), 'utf8')));
    }
    const changes: Partial<JobDoc> = {
      cursor: cursor ? encodeCursor(cursor) : null,
      processed,
      total: Math.max(job.total, processed),
      parts,
      leaseUntil: new Date(0),
      updatedAt: new Date(),
    };
    if (done) {
      let fileId = parts[0] ?? null;
      if (parts.length > 1) {
        const whole = Buffer.concat(await Promise.all(parts.map(readStoredFile)));
        fileId = await storeFile(`exports/${job._id}/${job.fileName}`, whole);
        // The parts are copies of the same people: only the joined file is kept, until it expires.
        await removeFiles(parts);
        parts.length = 0;
      }
      Object.assign(changes, { status: 'done', fileId, total: processed });
    }
    await saveJob(ctx.db, job._id, { ...changes, parts: ctx.db.command.set(parts) } as Partial<JobDoc>);
    if (done) await record({ ...ctx, now: new Date() }, 'leads.export.done', job._id, { rows: processed });
    return { ...job, ...changes } as JobDoc<ExportParams>;
  } catch (error) {
    await saveJob(ctx.db, job._id, {
      status: 'failed',
      error: String((error as Error).message ?? error),
      leaseUntil: new Date(0),
    });
    throw error;
  }
}

/**
 * A new job that ends in a file for its starter (an export, a ZIP of codes): named by its China-time
 * minute, deleted after the export retention like an export's file, set from the start so the
 * file of a job abandoned half way is deleted too.
 */
export function newFileJob<P>(
  ctx: AdminContext,
  job: { kind: string; params: P; total: number; fileName: (stamp: string) => string },
): JobDoc<P> {
  const stamp = new Date(ctx.now.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return {
    _id: `${job.kind}-${randomId(9)}`,
    kind: job.kind,
    status: 'running',
    actor: actorOf(ctx),
    params: job.params,
    cursor: null,
    processed: 0,
    total: job.total,
    parts: [],
    fileId: null,
    fileName: job.fileName(stamp),
    error: null,
    expiresAt: exportExpiry(ctx.now),
    leaseUntil: new Date(0),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}

/** A job as the page polls it: its progress, and a temporary download link once it is done. */
export async function jobAnswer(job: JobDoc): Promise<JobView> {
  return jobView(job, job.status === 'done' && job.fileId ? await fileUrl(job.fileId) : null);
}

export const exportHandlers = {
  'POST /exports': handle(schemas.exportLeads, async ({ filter, includePhone }, ctx: AdminContext) => {
    const caller = signedIn(ctx);
    if (includePhone && !can(caller.role, 'leads.reveal'))
      throw fieldError('includePhone', '当前角色不能导出完整手机号');
    await authorizePhoneSearch(ctx, filter, true);
    const scope = ownerScope(ctx);
    // Unknown (0) where the indexes cannot count exactly: progress then shows rows so far.
    const total = (await countLeads(ctx, filter, scope)) ?? 0;
    const job = newFileJob<ExportParams>(ctx, {
      kind: 'export',
      params: { filter, includePhone, ownerScope: scope, customColumns: await customColumnsFor(ctx, filter) },
      total,
      fileName: (stamp) => `leads-${stamp}.csv`,
    });
    await insertJob(ctx.db, job);
    await record(ctx, 'leads.export', job._id, { filter, includePhone, total });
    return jobAnswer(await advanceExport(ctx, job));
  }),

  'GET /jobs/:id': handle(schemas.empty, async (_input, ctx: AdminContext, { id }) => {
    const job = await jobById<ExportParams>(ctx.db, id);
    if (job?.kind !== 'export' || job.actor !== actorOf(ctx))
      throw new AppError('NOT_FOUND', '没有这个导出任务');
    if (job.status === 'expired') throw new AppError('NOT_FOUND', '导出文件已过期删除，请重新导出');
    return jobAnswer(await advanceExport(ctx, job));
  }),
};
