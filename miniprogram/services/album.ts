import { usesLocalCloud } from './cloud';

/**
 * Saving an image to the phone's album. Writing needs `scope.writePhotosAlbum`: asked once by
 * WeChat on the first save; once refused, WeChat never asks again and only the settings page
 * (`wx.openSetting`, which WeChat opens only from a tap) can grant it. A file in cloud storage is
 * downloaded by its fileID through wx.cloud (no download domain to declare).
 */
export type SaveOutcome = 'saved' | 'denied' | 'cancelled' | 'downloadFailed' | 'failed';

/** What a failed `saveImageToPhotosAlbum` means. */
export function saveFailure(errMsg: string): Exclude<SaveOutcome, 'saved' | 'downloadFailed'> {
  if (/auth|authorize|permission|privacy/i.test(errMsg)) return 'denied';
  if (/cancel/i.test(errMsg)) return 'cancelled';
  return 'failed';
}

/** Whether the album permission was refused before (then saving would fail without asking). */
export function albumRefused(): Promise<boolean> {
  return new Promise((resolve) =>
    wx.getSetting({
      success: (res) => resolve(res.authSetting['scope.writePhotosAlbum'] === false),
      fail: () => resolve(false),
    }),
  );
}

/** The image as a local temporary file (to save it, or to hand it to WeChat's share menu). */
export function downloadImage(image: { fileId?: string; url: string }): Promise<string | null> {
  return new Promise((resolve) => {
    if (image.fileId && !usesLocalCloud()) {
      wx.cloud.downloadFile({
        fileID: image.fileId,
        success: (res) => resolve(res.statusCode && res.statusCode !== 200 ? null : res.tempFilePath),
        fail: () => resolve(null),
      });
      return;
    }
    // The local cloud serves the image over HTTP (DevTools with domain checks off).
    wx.downloadFile({
      url: image.url,
      success: (res) => resolve(res.statusCode === 200 ? res.tempFilePath : null),
      fail: () => resolve(null),
    });
  });
}

export async function saveImage(image: { fileId?: string; url: string }): Promise<SaveOutcome> {
  if (await albumRefused()) return 'denied';
  const filePath = await downloadImage(image);
  if (!filePath) return 'downloadFailed';
  return new Promise((resolve) =>
    wx.saveImageToPhotosAlbum({
      filePath,
      success: () => resolve('saved'),
      fail: (error) => resolve(saveFailure(error.errMsg ?? '')),
    }),
  );
}

/** From a tap only: WeChat's settings page; resolves whether the album may now be written. */
export function openAlbumSetting(): Promise<boolean> {
  return new Promise((resolve) =>
    wx.openSetting({
      success: (res) => resolve(res.authSetting['scope.writePhotosAlbum'] === true),
      fail: () => resolve(false),
    }),
  );
}
