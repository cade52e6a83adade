import { taskNoticeText } from '../core/sop';
import { claimTaskNotice, dueTaskNotices, settleTaskNotice } from '../repositories/sop';
import { claimMessageSlot } from '../repositories/wecom';
import { WecomApiError, wecomCall } from '../runtime/wecomApi';
import { app, type WorkContext } from './work';

/**
 * Tells advisors about their new journey tasks in WeCom (an application message each), within
 * each person's message budget: a task whose advisor has no budget left this minute waits for the
 * next run. A message WeCom refuses (say the advisor is outside the app's visible range) is
 * recorded on the task, not tried again; the task itself stays in the staff desk either way.
 */
export async function noticeTasks(ctx: WorkContext, limit = 50): Promise<number> {
  const due = await dueTaskNotices(ctx.db, ctx.now, limit);
  const advisors = await wecomUserIds(ctx, [
    ...new Set(due.flatMap((t) => (t.assigneeId ? [t.assigneeId] : []))),
  ]);
  let sent = 0;
  for (const task of due) {
    const userId = task.assigneeId ? advisors.get(task.assigneeId) : undefined;
    if (!userId) {
      await settleTaskNotice(ctx.db, task._id, 'none', ctx.now);
      continue;
    }
    if (!(await claimTaskNotice(ctx.db, task, ctx.now))) continue;
    if (!(await claimMessageSlot(ctx.db, userId, ctx.now))) {
      await settleTaskNotice(ctx.db, task._id, 'pending', ctx.now);
      continue;
    }
    try {
      await wecomCall(app(ctx.settings), '/cgi-bin/message/send', {
        body: {
          touser: userId,
          msgtype: 'text',
          agentid: ctx.settings.agentId,
          text: { content: taskNoticeText({ text: task.text ?? '', dueAt: new Date(task.dueAt) }) },
        },
      });
      await settleTaskNotice(ctx.db, task._id, 'sent', ctx.now);
      sent += 1;
    } catch (error) {
      if (!(error instanceof WecomApiError)) throw error;
      console.error(`task ${task._id}: WeCom refused the advisor's notice`, error.errcode);
      await settleTaskNotice(ctx.db, task._id, 'failed', ctx.now);
    }
  }
  return sent;
}

async function wecomUserIds(ctx: WorkContext, staffIds: string[]): Promise<Map<string, string>> {
  if (staffIds.length === 0) return new Map();
  const { data } = await ctx.db
    .collection('staff')
    .where({ _id: ctx.db.command.in(staffIds), active: true })
    .field({ wecomUserId: true })
    .limit(staffIds.length)
    .get();
  return new Map(
    (data as { _id: string; wecomUserId?: string | null }[]).flatMap((s) =>
      s.wecomUserId ? [[s._id, s.wecomUserId] as [string, string]] : [],
    ),
  );
}
