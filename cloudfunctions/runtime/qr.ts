import QRCode from 'qrcode';

/** A QR code as a PNG data URL the mini program can show in an <image> without drawing code. */
export function qrDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { margin: 1, width: 240, errorCorrectionLevel: 'M' });
}
