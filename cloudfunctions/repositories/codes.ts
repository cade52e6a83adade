import type { ChannelType, ResolvedCode } from '../core/attribution';
import type { Database } from '../runtime/cloud';
import { findById, insertOnce } from '../runtime/store';

export interface CodeDoc {
  _id: string;
  /** The value in the mini program code's `scene` and in share/menu links' `ch`. */
  scene: string;
  channelId: string;
  channelType: Exclude<ChannelType, 'referral' | 'organic'>;
  name: string;
  staffId: string | null;
  storeId: string | null;
  activityId: string | null;
  disabled: boolean;
  envId: string;
  /** The mini program code image, generated once and kept in cloud storage. */
  imageFileId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface StaffDoc {
  _id: string;
  name: string;
  store: string;
  role: 'staff' | 'sales' | 'manager';
  active: boolean;
  openid: string | null;
  inviteCode: string;
  createdAt: Date;
}

export function staffById(db: Database, id: string): Promise<StaffDoc | null> {
  return findById<StaffDoc>(db, 'staff', id);
}

export async function staffByOpenid(db: Database, openid: string): Promise<StaffDoc | null> {
  const { data } = await db.collection('staff').where({ openid }).limit(1).get();
  return (data[0] as StaffDoc | undefined) ?? null;
}

/** What a scanned or linked code means right now; null when no code has that value. */
export async function resolveCode(db: Database, scene: string): Promise<ResolvedCode | null> {
  const { data } = await db.collection('codes').where({ scene }).limit(1).get();
  const code = data[0] as CodeDoc | undefined;
  if (!code) return null;
  const staff = code.staffId ? await staffById(db, code.staffId) : null;
  return {
    codeId: code._id,
    channelId: code.channelId,
    channelType: code.channelType,
    staffId: code.staffId,
    staffActive: staff?.active === true,
    storeId: code.storeId ?? staff?.store ?? null,
    activityId: code.activityId,
    disabled: code.disabled,
    envId: code.envId,
  };
}

export function codeById(db: Database, id: string): Promise<CodeDoc | null> {
  return findById<CodeDoc>(db, 'codes', id);
}

/** Stores a new code; false if its id or scene is taken (the caller retries with another scene). */
export function insertCode(db: Database, code: CodeDoc): Promise<boolean> {
  return insertOnce(db, 'codes', code);
}

export async function setCodeImage(db: Database, id: string, imageFileId: string, now: Date): Promise<void> {
  await db
    .collection('codes')
    .doc(id)
    .update({ data: { imageFileId, updatedAt: now } });
}

/** Binds an invite to an openid only if nobody holds it yet: true when this call bound it. */
export async function bindStaff(db: Database, staffId: string, openid: string, now: Date): Promise<boolean> {
  const res = await db
    .collection('staff')
    .where({ _id: staffId, openid: null })
    .update({ data: { openid, boundAt: now } });
  return res.stats.updated === 1;
}

export async function staffByInvite(db: Database, inviteCode: string): Promise<StaffDoc | null> {
  const { data } = await db.collection('staff').where({ inviteCode }).limit(1).get();
  return (data[0] as StaffDoc | undefined) ?? null;
}
