import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CloudError } from './errors';

/**
 * Cloud storage backed by a folder. File IDs look like the cloud's
 * (`cloud://<env>.<bucket>/<path>`); temp URLs point at the local cloud.
 */
/** How long an upload URL's token is good for. */
const UPLOAD_GRANT_MS = 10 * 60_000;

export class LocalStorage {
  readonly bucket: string;
  private readonly uploadGrants = new Map<string, { cloudPath: string; expiresAt: number }>();

  constructor(
    private readonly root: string,
    private readonly envId: string,
    private readonly baseUrl: () => string,
  ) {
    fs.mkdirSync(root, { recursive: true });
    this.bucket = `${envId}-local`;
  }

  fileId(cloudPath: string): string {
    return `cloud://${this.envId}.${this.bucket}/${cloudPath}`;
  }

  /** Resolves a cloud path inside the storage folder; refuses anything that escapes it. */
  resolve(cloudPath: string): string {
    const clean = cloudPath.replace(/^\/+/, '');
    const full = path.resolve(this.root, clean);
    if (clean === '' || !full.startsWith(path.resolve(this.root) + path.sep)) {
      throw new CloudError('STORAGE_SIGN_PARAM_INVALID', `非法的文件路径: ${cloudPath}`);
    }
    return full;
  }

  pathOf(fileId: string): string | null {
    const prefix = `cloud://${this.envId}.${this.bucket}/`;
    return fileId.startsWith(prefix) ? fileId.slice(prefix.length) : null;
  }

  uploadMetadata(cloudPath: string): Record<string, string> {
    this.resolve(cloudPath);
    const token = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [known, grant] of this.uploadGrants)
      if (grant.expiresAt < now) this.uploadGrants.delete(known);
    this.uploadGrants.set(token, { cloudPath, expiresAt: now + UPLOAD_GRANT_MS });
    return {
      url: `${this.baseUrl()}/__local/storage/upload?path=${encodeURIComponent(cloudPath)}`,
      token,
      authorization: 'local',
      fileId: this.fileId(cloudPath),
      cosFileId: randomBytes(8).toString('hex'),
    };
  }

  /**
   * Stores an upload made with the token `storage.getUploadMetadata` gave for that path (COS's
   * `x-cos-security-token`), once: only a signed SDK call opens the upload URL.
   */
  upload(cloudPath: string, token: string, content: Buffer): void {
    const grant = this.uploadGrants.get(token);
    if (!grant || grant.cloudPath !== cloudPath || grant.expiresAt < Date.now())
      throw new CloudError(
        'AccessDenied',
        '上传凭证无效或已过期：先通过 SDK 获取上传地址（storage.getUploadMetadata）',
      );
    this.uploadGrants.delete(token);
    this.write(cloudPath, content);
  }

  write(cloudPath: string, content: Buffer): void {
    const full = this.resolve(cloudPath);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }

  read(cloudPath: string): Buffer | null {
    const full = this.resolve(cloudPath);
    return fs.existsSync(full) ? fs.readFileSync(full) : null;
  }

  downloadList(fileList: unknown): Record<string, unknown>[] {
    return asArray(fileList).map((item: any) => {
      const fileID = String(item?.fileid ?? '');
      const cloudPath = this.pathOf(fileID);
      const exists = cloudPath !== null && fs.existsSync(this.resolve(cloudPath));
      return exists
        ? {
            fileID,
            tempFileURL: `${this.baseUrl()}/__local/storage/files/${cloudPath}`,
            code: 'SUCCESS',
            maxAge: item?.max_age ?? 7200,
          }
        : { fileID, tempFileURL: '', code: 'STORAGE_FILE_NONEXIST' };
    });
  }

  deleteList(fileIds: unknown): Record<string, unknown>[] {
    return asArray(fileIds).map((fileID) => {
      const cloudPath = this.pathOf(String(fileID));
      if (cloudPath === null) return { fileID, code: 'STORAGE_FILE_NONEXIST' };
      const full = this.resolve(cloudPath);
      if (!fs.existsSync(full)) return { fileID, code: 'STORAGE_FILE_NONEXIST' };
      fs.rmSync(full);
      return { fileID, code: 'SUCCESS' };
    });
  }
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new CloudError('INVALID_PARAM', '文件列表必须是数组');
  return value;
}
