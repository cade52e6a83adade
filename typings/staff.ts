import { z } from 'zod';
import { type LibraryItem, libraryQuerySchema } from './library';
import { posterRequestSchemas, type StaffPoster, type StaffPosterTemplate } from './posters';
import type { AdvisorTask, SopStepStatus } from './sop';

/** The staff function's requests (one zod schema per action) and answers. */
const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');

export const staffRequestSchemas = {
  bind: z.object({
    inviteCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{6,16}$/, '邀请码为 6 到 16 位字母或数字'),
  }),
  me: z.object({}),
  myCode: z.object({ activityId: id.optional() }),
  myReferrals: z.object({
    /** Cursor: the `createdAt` of the last item of the previous page. */
    before: z.iso.datetime({ error: '时间格式不正确' }).optional(),
  }),
  myStats: z.object({}),
  checkIn: z.object({ checkinCode: z.string().trim().min(6, '签到码无效').max(64, '签到码无效') }),
  myTasks: z.object({}),
  library: libraryQuerySchema,
  /** A script copied or a material shared or saved: counted. */
  useLibraryItem: z.object({ itemId: id }),
  /** Done, or skipped with a reason. */
  completeTask: z.object({
    taskId: id,
    skipReason: z.string().trim().min(1, '请填写跳过原因').max(100, '跳过原因最多 100 个字').optional(),
  }),
  ...posterRequestSchemas,
} as const;

export type StaffAction = keyof typeof staffRequestSchemas;
export type StaffRequest<A extends StaffAction> = { action: A } & z.input<(typeof staffRequestSchemas)[A]>;

export type StaffRole = 'staff' | 'sales' | 'manager';

export interface StaffProfile {
  staffId: string;
  name: string;
  store: string;
  role: StaffRole;
}

export interface ReferredCustomer {
  customerId: string;
  name: string | null;
  phoneMasked: string | null;
  createdAt: string;
}

export interface StaffLead {
  leadId: string;
  name: string | null;
  phoneMasked: string | null;
  activityId: string | null;
  status: string;
  createdAt: string;
}

export interface StaffStats {
  /** Monday of this week (China time) to today. */
  from: string;
  to: string;
  entries: number;
  leads: number;
  signups: number;
  checkins: number;
}

export interface StaffAnswers {
  myTasks: { items: AdvisorTask[] };
  posters: { items: StaffPosterTemplate[] };
  myPoster: StaffPoster;
  library: { items: LibraryItem[] };
  useLibraryItem: { itemId: string };
  completeTask: { taskId: string; status: SopStepStatus };
  bind: StaffProfile;
  me: StaffProfile;
  myCode: { codeId: string; scene: string; sharePath: string; imageUrl: string; fileId: string };
  myReferrals: { customers: ReferredCustomer[]; leads: StaffLead[]; nextBefore: string | null };
  myStats: StaffStats;
  checkIn: {
    registrationId: string;
    activityTitle: string;
    customerName: string | null;
    alreadyCheckedIn: boolean;
    checkedInAt: string;
  };
}
